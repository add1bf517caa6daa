"""Static checks on the add-on's files: strings, settings, entry points, layering, metadata."""

from __future__ import annotations

import ast
import pathlib
import re
import xml.etree.ElementTree as ET
from dataclasses import fields

from simkl_ratings.core.config import Settings
from simkl_ratings.kodi import strings

from tests.fakes.kodi_state import read_strings
from tests.images import PNG_RGB, jpeg_size, png_size

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = ROOT / "lib" / "simkl_ratings"
SETTINGS = ET.parse(ROOT / "resources" / "settings.xml").getroot()
ADDON = ET.parse(ROOT / "addon.xml").getroot()
PO_IDS = set(read_strings())


def settings_string_ids() -> set[int]:
    ids = set()
    for element in SETTINGS.iter():
        for attribute in ("label", "help"):
            if element.get(attribute, "").isdigit():
                ids.add(int(element.get(attribute)))
        if element.tag == "heading" and (element.text or "").isdigit():
            ids.add(int(element.text))
    return ids


def code_string_ids() -> set[int]:
    names = {n: v for n, v in vars(strings).items() if n.isupper()}
    used = set()
    for path in LIB.rglob("*.py"):
        if path.name == "strings.py":
            continue
        text = path.read_text(encoding="utf-8")
        used |= {names[n] for n in re.findall(r"\bS\.([A-Z_]+)\b", text) if n in names}
    return used


def addon_xml_string_ids() -> set[int]:
    """The add-on's strings addon.xml labels name: $ADDON[script.simkl.ratings 30700]."""
    text = (ROOT / "addon.xml").read_text(encoding="utf-8")
    return {int(i) for i in re.findall(r"\$ADDON\[script\.simkl\.ratings (\d+)\]", text)}


def test_every_string_id_used_exists_in_strings_po():
    assert code_string_ids() - PO_IDS == set()
    assert settings_string_ids() - PO_IDS == set()
    assert addon_xml_string_ids() - PO_IDS == set()


def test_every_string_in_strings_po_is_used():
    assert PO_IDS - code_string_ids() - settings_string_ids() - addon_xml_string_ids() == set()


def test_string_ids_stay_in_the_add_on_range():
    assert all(30000 <= i <= 30999 for i in PO_IDS)


def test_every_visible_setting_has_a_label_and_a_help_text():
    for setting in SETTINGS.iter("setting"):
        if setting.findtext("level") == "4":
            continue
        assert int(setting.get("label")) in PO_IDS, setting.get("id")
        assert int(setting.get("help")) in PO_IDS, setting.get("id")
    for category in SETTINGS.iter("category"):
        assert category.get("help"), category.get("id")


def test_the_setting_ids_the_readme_and_tests_rely_on_exist():
    ids = {s.get("id") for s in SETTINGS.iter("setting")}
    assert {
        "sync_movies", "sync_shows", "sync_anime", "sync_on_start", "startup_delay",
        "sync_interval", "notify", "api_url", "client_id", "batch_size", "debug",
    } <= ids  # fmt: skip


def test_every_typed_setting_is_a_setting_of_settings_xml():
    """The shell reads exactly the fields of core.config.Settings from Kodi."""
    ids = {s.get("id") for s in SETTINGS.iter("setting")}
    assert {spec.name for spec in fields(Settings)} <= ids


def test_no_user_facing_english_is_hard_coded_in_the_shell():
    """Dialog and notification calls take localized text, never a literal sentence."""
    pattern = re.compile(r"(notification|ok|yesno|textviewer|select)\(\s*[^)]*\"[A-Z][a-z]+ [a-z]")
    for path in (LIB / "kodi").glob("*.py"):
        assert not pattern.search(path.read_text(encoding="utf-8")), path.name


def logical_lines(path: pathlib.Path) -> int:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return sum(1 for node in ast.walk(tree) if isinstance(node, ast.stmt))


def test_entry_files_are_thin():
    for entry in ("default.py", "service.py", "context_menu.py"):
        assert logical_lines(ROOT / entry) <= 6, entry


def imported_modules(path: pathlib.Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found


def test_the_core_never_imports_kodi():
    kodi = {"xbmc", "xbmcaddon", "xbmcgui", "xbmcvfs", "xbmcplugin", "kodi_six"}
    for path in (LIB / "core").rglob("*.py"):
        assert not imported_modules(path) & kodi, path.name


def test_only_the_shell_imports_kodi_and_only_through_kodi_six():
    direct = {"xbmc", "xbmcaddon", "xbmcgui", "xbmcvfs", "xbmcplugin"}
    for path in LIB.rglob("*.py"):
        assert not imported_modules(path) & direct, path.name


def test_addon_xml_declares_what_kodi_needs():
    assert ADDON.get("id") == "script.simkl.ratings"
    assert ADDON.get("version") == "0.1.0"
    imports = {i.get("addon"): i.get("version") for i in ADDON.iter("import")}
    assert imports["xbmc.python"] == "3.0.0"
    assert {"script.module.requests", "script.module.kodi-six"} <= set(imports)
    points = {e.get("point"): e for e in ADDON.iter("extension")}
    assert points["xbmc.python.script"].get("library") == "default.py"
    assert points["xbmc.python.script"].findtext("provides") == "executable"
    assert points["xbmc.service"].get("library") == "service.py"
    assert set(points["xbmc.service"].attrib) <= {"point", "library", "id", "name"}
    meta = points["xbmc.addon.metadata"]
    for tag in ("summary", "description", "disclaimer"):
        assert meta.find(tag).get("lang") == "en_GB"
    assert len(meta.findtext("news")) <= 1500


def test_the_context_menu_items_are_distinct_and_their_script_ships():
    """Kodi keeps one context item per (library, args): the two items differ in args."""
    point = next(e for e in ADDON.iter("extension") if e.get("point") == "kodi.context.item")
    items = list(point.iter("item"))
    assert len({(i.get("library"), i.get("args")) for i in items}) == len(items) == 2
    for item in items:
        assert (ROOT / item.get("library")).is_file()
        assert item.findtext("label").startswith("$ADDON[script.simkl.ratings 307")
        assert "Integer.IsGreater(ListItem.DBID,0)" in item.findtext("visible")


def test_icon_and_fanart_meet_the_repository_rules():
    width, height, color_type = png_size(ROOT / "resources" / "icon.png")
    assert (width, height) in ((256, 256), (512, 512))
    assert color_type == PNG_RGB
    assert jpeg_size(ROOT / "resources" / "fanart.jpg") == (1920, 1080)
    assert (ROOT / "resources" / "fanart.jpg").stat().st_size < 1_000_000
