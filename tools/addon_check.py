"""Run kodi-addon-checker on the add-ons exactly as they ship, offline and in seconds.

The checker downloads every Kodi branch's addons.xml.gz from mirrors.kodi.tv before it checks
anything, and without network it retries for the better part of an hour. So this driver serves
a local mirror on 127.0.0.1 (one gzipped index per branch, listing the modules the add-on
imports), points the checker's ROOT_URL at it and calls the checker's own main() once per
add-on and branch with --PR (as for a submission: a dependency the official repository lacks
is a problem), on the folder extracted from the built zip (named as the id, with a
.tests-config.json that turns on the LICENSE and Kodi 18 deprecation checks).

The checker also HEADs every <forum>/<source>/<website> URL; offline that is always a warning,
whatever the URL. Reachability cannot be proven without network, so by default the driver
swaps that one check for an offline one (absolute https URL with a host, no spaces) and keeps
the metadata; --online-urls runs the real check where the network is there.

Fails on any problem, and on any warning for the strict branches (matrix: the lowest Kodi the
add-on supports, where the checker's advice matches what the add-on declares).
"""

from __future__ import annotations

import argparse
import contextlib
import gzip
import http.server
import json
import pathlib
import sys
import tempfile
import threading
import urllib.parse
import zipfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import build_repo
import build_zip
from kodi_addon_checker import ValidKodiVersions, check_addon, check_url
from kodi_addon_checker import __main__ as checker
from kodi_addon_checker.record import INFORMATION, PROBLEM, WARNING, Record
from kodi_addon_checker.reporter import Reporter, ReportManager

ROOT = build_zip.ROOT
BRANCHES = ("matrix", "nexus", "omega", "piers")  # Kodi 19 to 22
STRICT_BRANCHES = frozenset({"matrix"})
# What the official repository offers (confirmed versions, see the ecosystem reference §10).
MIRROR_MODULES = {
    "script.module.requests": "2.31.0",
    "script.module.kodi-six": "0.1.3",
    "script.module.pyqrcode": "1.2.1+matrix.4",  # optional: the sign-in QR code
}
TESTS_CONFIG = {"check_license_file_exists": True, "check_kodi_leia_deprecations": True}
REPORTER = "offline-driver"


@dataclass(frozen=True)
class Outcome:
    """One checker run: which add-on on which branch, and what it reported."""

    addon_id: str
    branch: str
    records: tuple[Record, ...]

    def count(self, level: str) -> int:
        return sum(1 for r in self.records[:-1] if r.log_level == level)

    @property
    def closing_line(self) -> str:
        return str(self.records[-1]) if self.records else "(no output)"

    @property
    def failed(self) -> bool:
        return self.count(PROBLEM) > 0 or (
            self.branch in STRICT_BRANCHES and self.count(WARNING) > 0
        )


class _Collector(Reporter):
    """Keeps the checker's records in memory so warnings can fail the run too (the checker's
    own exit code only reflects problems)."""

    records: list[Record] = []

    def report(self, report: Any) -> None:
        if isinstance(report, Record):
            _Collector.records.append(report)


def mirror_index(modules: dict[str, str]) -> bytes:
    """A branch's addons.xml.gz listing ``modules`` as Python module add-ons."""
    entries = "".join(
        f'<addon id="{addon_id}" version="{version}">'
        '<extension point="xbmc.python.module" library="lib"/></addon>'
        for addon_id, version in sorted(modules.items())
    )
    return gzip.compress(f"<?xml version='1.0'?><addons>{entries}</addons>".encode(), mtime=0)


@contextlib.contextmanager
def local_mirror(modules: dict[str, str]) -> Iterator[str]:
    """Serve /addons/<branch>/addons.xml.gz for every branch; yield the ROOT_URL template."""
    files = {f"/addons/{b}/addons.xml.gz": mirror_index(modules) for b in ValidKodiVersions}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            body = files.get(urllib.parse.urlsplit(self.path).path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args: object) -> None:
            """Quiet: the checker's output is what matters."""

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/addons/{{branch}}/addons.xml.gz"
    finally:
        server.shutdown()
        server.server_close()


def offline_url_check(report: Any, parsed_xml: Any) -> None:
    """Stand-in for the checker's HEAD requests: the URLs must at least be well formed."""
    for tag in ("forum", "source", "website"):
        for element in parsed_xml.findall(f"./extension[@point='xbmc.addon.metadata']/{tag}"):
            url = (element.text or "").strip()
            parts = urllib.parse.urlsplit(url)
            if parts.scheme != "https" or not parts.netloc or " " in url or url != element.text:
                report.add(Record(WARNING, f"<{tag}> is not a plain absolute https URL: {url!r}"))
            else:
                report.add(Record(INFORMATION, f"<{tag}> {url} well formed (not fetched offline)"))


def shipped_folders(work: pathlib.Path, zips: Sequence[pathlib.Path]) -> list[pathlib.Path]:
    """Extract each zip's one top folder (named as the add-on id) and add the checker config."""
    folders = []
    for zip_path in zips:
        with zipfile.ZipFile(zip_path) as archive:
            tops = {name.split("/", 1)[0] for name in archive.namelist()}
            if len(tops) != 1:
                raise SystemExit(f"{zip_path}: expected one top folder, found {sorted(tops)}")
            archive.extractall(work)
        folder = work / tops.pop()
        (folder / ".tests-config.json").write_text(json.dumps(TESTS_CONFIG), encoding="utf-8")
        folders.append(folder)
    return folders


def built_zips(out_dir: pathlib.Path) -> list[pathlib.Path]:
    """Both add-on zips built from this tree by the same code as `make zip` / `make repo`."""
    addon = build_zip.build(ROOT, out_dir)
    files = build_repo.repository_addon_files(ROOT, build_repo.base_url(None))
    return [addon, build_repo.write_addon_zip(files, out_dir)]


def run_checker(folder: pathlib.Path, branch: str) -> Outcome:
    """The checker's own CLI entry point, as `kodi-addon-checker --branch B --PR <folder>`."""
    _Collector.records = []
    argv = ["kodi-addon-checker", "--branch", branch, "--PR", "--reporter", REPORTER, str(folder)]
    saved, sys.argv = sys.argv, argv
    try:
        checker.main()
    except SystemExit as exc:  # main() exits 1 on problems; the records say which
        if exc.code not in (0, 1, None):
            raise
    finally:
        sys.argv = saved
    return Outcome(folder.name, branch, tuple(_Collector.records))


def check(
    zips: Sequence[pathlib.Path], branches: Sequence[str], online_urls: bool, verbose: bool
) -> list[Outcome]:
    """Check each zip on each branch against the local mirror; print one verdict line per run."""
    ReportManager.register(_Collector, REPORTER, True)
    saved = check_addon.ROOT_URL, check_url.check_url
    if not online_urls:
        check_url.check_url = offline_url_check
    outcomes = []
    try:
        with tempfile.TemporaryDirectory(prefix="addon-check-") as tmp:
            work = pathlib.Path(tmp)
            folders = shipped_folders(work, zips or built_zips(work / "zips"))
            with local_mirror(MIRROR_MODULES) as root_url:
                check_addon.ROOT_URL = root_url
                for folder in folders:
                    for branch in branches:
                        outcome = run_checker(folder, branch)
                        outcomes.append(outcome)
                        _print(outcome, verbose)
    finally:
        check_addon.ROOT_URL, check_url.check_url = saved
    return outcomes


def _print(outcome: Outcome, verbose: bool) -> None:
    for record in outcome.records[:-1]:
        if verbose or record.log_level != INFORMATION:
            print(f"  {record}")
    verdict = "FAIL" if outcome.failed else "ok"
    print(f"{verdict:4} {outcome.branch:6} {outcome.addon_id}: {outcome.closing_line}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("zips", nargs="*", type=pathlib.Path, help="default: build both zips")
    parser.add_argument("--branch", action="append", choices=ValidKodiVersions)
    parser.add_argument("--online-urls", action="store_true", help="HEAD the metadata URLs")
    parser.add_argument("-v", "--verbose", action="store_true", help="print INFO records too")
    args = parser.parse_args(argv)
    outcomes = check(args.zips, args.branch or BRANCHES, args.online_urls, args.verbose)
    failed = [f"{o.addon_id} on {o.branch}" for o in outcomes if o.failed]
    if failed:
        print("kodi-addon-checker: failed for " + ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
