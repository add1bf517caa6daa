"""`make screenshots`: the add-on's screenshots, from the pictures the real-Kodi suite took.

Kodi's add-on browser and the official repository show the screenshots declared in addon.xml's
<assets>. They are not drawn by hand: tests in tests/e2e save what Kodi showed while the add-on
ran (test-output/e2e/kodi-<version>/<test>/<picture>), and this copies the pictures named in
SCREENSHOTS from the last run of those tests into resources/screenshots/ (PNG, RGB without
alpha, 1280x720 or 1920x1080, at most 750 KB: the repository's rules) and declares exactly those
in addon.xml. One more screenshot is one more line in SCREENSHOTS (the test must save it);
tests/packaging/test_screenshots.py holds the committed files to the table and the rules.

    make e2e && make screenshots     # from the newest run; KODI=20.1 (or 21): from that Kodi's
"""

from __future__ import annotations

import argparse
import datetime
import io
import re
import sys
from pathlib import Path
from typing import NamedTuple

from PIL import Image

ROOT = Path(__file__).resolve().parent.parent
EVIDENCE = ROOT / "test-output" / "e2e"
FOLDER = "resources/screenshots"
SIZES = ((1280, 720), (1920, 1080))  # what the official repository takes
MAX_BYTES = 750 * 1024


class Shot(NamedTuple):
    """One screenshot: its file in FOLDER, the e2e test that takes it, the picture's name."""

    name: str
    test: str
    picture: str


SCREENSHOTS = (
    Shot(
        "sign-in.png",
        "test_login_shows_the_code_stores_the_token_and_a_later_sync_needs_no_sign_in",
        "sign-in.png",
    ),
    Shot("sync-summary.png", "test_sync_lands_every_rating_on_the_right_item", "sync-summary.png"),
    Shot("preview.png", "test_preview_writes_nothing_and_reports_what_would_change", "preview.png"),
    Shot(
        "rating-dialog.png",
        "test_a_movie_played_to_the_end_asks_and_a_number_key_rates_it",
        "rating-dialog.png",
    ),
)


def asset_paths() -> list[str]:
    return [f"{FOLDER}/{shot.name}" for shot in SCREENSHOTS]


def runs(evidence: Path = EVIDENCE) -> list[Path]:
    """Each Kodi's evidence folder holding every picture of SCREENSHOTS, newest run first."""
    complete = [
        run
        for run in evidence.glob("kodi-*")
        if all((run / shot.test / shot.picture).is_file() for shot in SCREENSHOTS)
    ]
    return sorted(complete, key=_taken, reverse=True)


def _taken(run: Path) -> float:
    return max((run / shot.test / shot.picture).stat().st_mtime for shot in SCREENSHOTS)


def pick_run(kodi: str | None, evidence: Path = EVIDENCE) -> Path:
    """The run to copy from: that Kodi's (``20.1``, or ``21`` for the newest 21.x), else the
    newest; fails with what to run when there is none."""
    found = runs(evidence)
    if kodi:
        found = [r for r in found if r.name == f"kodi-{kodi}" or r.name.startswith(f"kodi-{kodi}.")]
    if not found:
        which = f"Kodi {kodi}" if kodi else "any Kodi"
        raise SystemExit(
            f"no complete set of pictures from {which} in {evidence}: run the real-Kodi suite "
            "first (make e2e, or make e2e KODI=<version>)"
        )
    return found[0]


def converted(source: Path) -> bytes:
    """The picture as the repository takes it: PNG, RGB (no alpha), one of SIZES, small."""
    with Image.open(source) as image:
        if image.size not in SIZES:
            raise SystemExit(f"{source}: {image.size[0]}x{image.size[1]}, not one of {SIZES}")
        out = io.BytesIO()
        image.convert("RGB").save(out, "PNG", optimize=True)
    data = out.getvalue()
    if len(data) > MAX_BYTES:
        raise SystemExit(f"{source}: {len(data) // 1024} KB as PNG, over the 750 KB allowed")
    return data


def declare(addon_xml: str, paths: list[str]) -> str:
    """addon.xml with exactly ``paths`` as its <screenshot> assets, after the other assets;
    every other byte stays as it was."""
    head, opening, rest = addon_xml.partition("<assets>")
    assets, closing, tail = rest.partition("</assets>")
    if not opening or not closing:
        raise SystemExit("addon.xml has no <assets> block")
    indent = re.search(r"\n([ \t]*)<", assets)
    pad = indent.group(1) if indent else "      "
    lines = [line for line in assets.split("\n") if "<screenshot>" not in line]
    new = [f"{pad}<screenshot>{path}</screenshot>" for path in paths]
    return head + opening + "\n".join(lines[:-1] + new + lines[-1:]) + closing + tail


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kodi", help="the Kodi whose last run to take (default: the newest)")
    args = parser.parse_args(argv)
    run = pick_run(args.kodi)
    taken = datetime.datetime.fromtimestamp(_taken(run)).isoformat(" ", "seconds")
    print(f"from {run.relative_to(ROOT)} (pictures of {taken}):")
    target = ROOT / FOLDER
    target.mkdir(parents=True, exist_ok=True)
    for old in target.glob("*.png"):
        if old.name not in {shot.name for shot in SCREENSHOTS}:
            old.unlink()
    for shot in SCREENSHOTS:
        data = converted(run / shot.test / shot.picture)
        (target / shot.name).write_bytes(data)
        print(f"  {FOLDER}/{shot.name}: {len(data) // 1024} KB  <- {shot.test}")
    addon = ROOT / "addon.xml"
    addon.write_text(declare(addon.read_text(encoding="utf-8"), asset_paths()), encoding="utf-8")
    print("addon.xml declares them. Look at each picture before you commit it.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
