"""The committed screenshots: the ones tools/screenshots.py's table names, each declared in
addon.xml, each within the official repository's rules, each taken by a real-Kodi test."""

from __future__ import annotations

import ast
import struct
import xml.etree.ElementTree as ET
from pathlib import Path

import screenshots
from screenshots import SCREENSHOTS, Shot

from tests.images import PNG_RGB, png_size

ROOT = Path(__file__).resolve().parents[2]
E2E = ROOT / "tests" / "e2e"


def declared(addon_xml: str) -> list[str]:
    return [e.text or "" for e in ET.fromstring(addon_xml).iter("screenshot")]


def png_chunks(path: Path) -> list[bytes]:
    data, chunks, i = path.read_bytes(), [], 8
    while i < len(data):
        (length,) = struct.unpack(">I", data[i : i + 4])
        chunks.append(data[i + 4 : i + 8])
        i += 12 + length
    return chunks


def test_at_least_three_screenshots_and_addon_xml_declares_exactly_those():
    assert len(SCREENSHOTS) >= 3
    addon_xml = (ROOT / "addon.xml").read_text(encoding="utf-8")
    assert declared(addon_xml) == screenshots.asset_paths()
    on_disk = sorted(p.name for p in (ROOT / screenshots.FOLDER).iterdir())
    assert on_disk == sorted(shot.name for shot in SCREENSHOTS)


def test_each_screenshot_meets_the_official_repository_rules():
    for shot in SCREENSHOTS:
        path = ROOT / screenshots.FOLDER / shot.name
        width, height, colour_type = png_size(path)
        assert (width, height) in screenshots.SIZES, shot.name
        assert colour_type == PNG_RGB, shot.name  # no alpha channel
        assert b"tRNS" not in png_chunks(path), shot.name  # no transparent colour either
        assert path.stat().st_size <= screenshots.MAX_BYTES, shot.name


def _saved_pictures(test: ast.FunctionDef) -> set[str]:
    return {
        node.value
        for node in ast.walk(test)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }


def test_each_screenshot_is_taken_by_a_real_kodi_test():
    tests = {}
    for module in E2E.glob("test_*.py"):
        for node in ast.parse(module.read_text(encoding="utf-8")).body:
            if isinstance(node, ast.FunctionDef) and node.name.startswith("test_"):
                tests[node.name] = node
    for shot in SCREENSHOTS:
        assert shot.test in tests, f"{shot.name}: no e2e test {shot.test}"
        assert shot.picture in _saved_pictures(tests[shot.test]), shot


def test_declare_rewrites_only_the_screenshot_lines():
    addon_xml = (
        "<addon>\n  <assets>\n    <icon>i.png</icon>\n"
        "    <screenshot>old.png</screenshot>\n    <fanart>f.jpg</fanart>\n  </assets>\n</addon>\n"
    )
    new = screenshots.declare(addon_xml, ["a.png", "b.png"])
    assert new == (
        "<addon>\n  <assets>\n    <icon>i.png</icon>\n    <fanart>f.jpg</fanart>\n"
        "    <screenshot>a.png</screenshot>\n    <screenshot>b.png</screenshot>\n"
        "  </assets>\n</addon>\n"
    )
    assert screenshots.declare(new, ["a.png", "b.png"]) == new


def test_the_newest_complete_run_is_taken_and_converted(tmp_path: Path):
    from PIL import Image  # noqa: PLC0415 (in the venv with kodi-addon-checker)

    shots = (Shot("one.png", "test_one", "one.png"), Shot("two.png", "test_two", "two.png"))
    for run, colour in (("kodi-19.1", (200, 0, 0, 255)), ("kodi-21.3", (0, 0, 200, 128))):
        for shot in shots:
            (tmp_path / run / shot.test).mkdir(parents=True, exist_ok=True)
            Image.new("RGBA", (1280, 720), colour).save(tmp_path / run / shot.test / shot.picture)
    (tmp_path / "kodi-20.1" / "test_one").mkdir(parents=True)  # incomplete: never taken
    Image.new("RGB", (1280, 720)).save(tmp_path / "kodi-20.1" / "test_one" / "one.png")
    original = screenshots.SCREENSHOTS
    try:
        screenshots.SCREENSHOTS = shots
        assert [r.name for r in screenshots.runs(tmp_path)] == ["kodi-21.3", "kodi-19.1"]
        assert screenshots.pick_run("19", tmp_path).name == "kodi-19.1"
        picked = screenshots.pick_run(None, tmp_path)
    finally:
        screenshots.SCREENSHOTS = original
    data = screenshots.converted(picked / "test_one" / "one.png")
    out = tmp_path / "out.png"
    out.write_bytes(data)
    assert png_size(out) == (1280, 720, PNG_RGB)  # the alpha channel is gone
