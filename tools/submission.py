"""`make submission`: the folder a pull request to Kodi's official repository adds.

xbmc/repo-scripts holds one folder per add-on, named as its id, on one branch per Kodi version;
an add-on goes to the lowest branch it supports (matrix, Kodi 19) and reaches every later Kodi
from there. This writes dist/submission/script.simkl.ratings/ with exactly the files of the
add-on zip (tools/build_zip.py: the files git tracks minus export-ignore, so no tests, tools or
docs), at the version in addon.xml, checks that zip with kodi-addon-checker for matrix as the
repository's CI does (--PR, offline mirror: tools/addon_check.py), and prints what a person does
next. SIMKL_CLIENT_ID=... builds the add-on's own Simkl client ID in (resources/packaging.json),
as for `make zip`; see docs/SUBMISSION.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import addon_check
import build_zip

ROOT = build_zip.ROOT
BRANCH = "matrix"  # the lowest Kodi the add-on supports (xbmc.python 3.0.0); see --branch
UPSTREAM = "https://github.com/xbmc/repo-scripts"


def write_folder(zip_path: Path, out: Path) -> Path:
    """Extract the zip's one top folder into ``out`` (emptied first); return that folder."""
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(out)
    (folder,) = list(out.iterdir())
    return folder


def next_steps(
    folder: Path, addon_id: str, version: str, client_id: bool, outcome: addon_check.Outcome
) -> str:
    branch = outcome.branch
    lines = [
        f"Submission: {folder} ({addon_id} {version})",
        f"kodi-addon-checker --branch {branch} --PR: {outcome.closing_line}",
    ]
    if not client_id:
        lines += [
            "",
            "WARNING: no Simkl client ID is built in (SIMKL_CLIENT_ID was not set): users would",
            "have to register a Simkl app of their own. Register the add-on's app first and run",
            "SIMKL_CLIENT_ID=<its client ID> make submission (docs/SUBMISSION.md).",
        ]
    lines += [
        "",
        "Next, by hand (one add-on, one squashed commit, against the lowest Kodi branch):",
        f"  1. Fork {UPSTREAM} on GitHub, clone your fork, and in it:",
        f"     git remote add upstream {UPSTREAM}.git && git fetch upstream {branch}",
        f"  2. git switch -c {addon_id}-{version} upstream/{branch}",
        f"  3. rm -rf {addon_id} && cp -r {folder} .   (replaces an older version)",
        f'  4. git add -A {addon_id} && git commit -m "[{addon_id}] {version}"',
        "     (one commit: squash any others into it)",
        f"  5. git push, then open a pull request against {branch} and fill in its template.",
    ]
    return "\n".join(lines)


def main(out: Path | None = None, branch: str = BRANCH) -> int:
    out = out or ROOT / "dist" / "submission"
    addon_id, version = build_zip.addon_identity(ROOT)
    with tempfile.TemporaryDirectory(prefix="submission-") as tmp:
        zip_path = build_zip.build(ROOT, Path(tmp))
        (outcome,) = addon_check.check([zip_path], [branch], online_urls=False, verbose=False)
        if outcome.failed:
            print(f"kodi-addon-checker failed for {branch}: nothing written")
            return 1
        folder = write_folder(zip_path, out)
    client_id = (folder / "resources" / "packaging.json").is_file()
    print(next_steps(folder, addon_id, version, client_id, outcome))
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--branch", default=BRANCH, choices=addon_check.BRANCHES)
    sys.exit(main(branch=parser.parse_args().branch))
