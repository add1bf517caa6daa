"""Static checks on the add-on's files: settings, entry points, layering, metadata (string ids:
test_string_ids.py)."""

from __future__ import annotations

import ast
import pathlib
import re
import xml.etree.ElementTree as ET
from dataclasses import fields

from simkl_ratings.core.config import Settings

from tests.fakes.kodi_state import read_strings
from tests.images import PNG_RGB, jpeg_size, png_size

ROOT = pathlib.Path(__file__).resolve().parents[2]
LIB = ROOT / "lib" / "simkl_ratings"
SETTINGS = ET.parse(ROOT / "resources" / "settings.xml").getroot()
ADDON = ET.parse(ROOT / "addon.xml").getroot()
PO_IDS = set(read_strings())


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


def test_news_is_this_versions_changelog_entry():
    """The add-on ships as the version in addon.xml: <news> (what Kodi and the official
    repository show) starts with it and is the newest entry of changelog.txt, and the
    command-line runner's package has the same version."""
    version = ADDON.get("version")
    news = ADDON.find("./extension[@point='xbmc.addon.metadata']/news").text or ""
    assert news.startswith(f"v{version} ")
    changelog = (ROOT / "changelog.txt").read_text(encoding="utf-8")
    assert changelog.split("\n\n")[0].strip() == news.strip()
    pyproject = (ROOT / "pyproject.toml").read_text(encoding="utf-8")
    assert re.search(r'^version = "(.+)"$', pyproject, re.M).group(1) == version


def test_icon_and_fanart_meet_the_repository_rules():
    width, height, color_type = png_size(ROOT / "resources" / "icon.png")
    assert (width, height) == (512, 512)  # the repository takes 256 or 512; Kodi shows 512
    assert color_type == PNG_RGB  # no alpha channel
    assert jpeg_size(ROOT / "resources" / "fanart.jpg") == (1920, 1080)
    assert (ROOT / "resources" / "fanart.jpg").stat().st_size < 1_000_000


def test_the_readme_reads_in_five_minutes_and_every_link_of_the_docs_resolves():
    """At most 250 lines; what moved to docs/ is linked, and every local link there lands."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(readme.splitlines()) <= 250
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#\s]+)(?:#[^)]*)?\)", page.read_text("utf-8")):
            if not target.startswith(("http://", "https://")):
                assert (page.parent / target).exists(), (page.name, target)
    for doc in ("RUNNER", "HOUSEHOLD", "TWO-WAY", "ARCHITECTURE", "TESTED-ON", "PERFORMANCE"):
        assert f"docs/{doc}.md" in readme
