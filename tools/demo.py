"""`make demo`: the add-on in a real headless Kodi, signed in to a local Simkl sandbox.

Starts Kodi with a small sample library and the sandbox with a sample account, installs the
add-on from its zip, signs in with Simkl's device sign-in (AUTH V2: the window shows the code and
a QR code; the code is approved in the sandbox, as you would on simkl.com/pin), syncs, prints the
library's ratings before and after and the report, saves the sign-in window and the sync's summary
notification to test-output/demo/ (and says where), and shuts everything down.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tools")]

from build_zip import build  # noqa: E402

from tests.e2e.addon_driver import ADDON_ID, CLIENT_ID, AddonDriver  # noqa: E402
from tests.e2e.host import tmpfs_workdir, wait_for  # noqa: E402
from tests.e2e.kodi_harness import KodiInstance  # noqa: E402
from tests.e2e.library_gen import LibrarySpec  # noqa: E402
from tests.e2e.simkl_account import INVALID_RATING, build_account  # noqa: E402
from tests.e2e.toast import CLOSING, wait_for_toast, wait_until_no_toast  # noqa: E402
from tests.sandbox.simkl_sandbox import SimklSandbox  # noqa: E402

OUT = ROOT / "test-output" / "demo"


def table(before: dict, after: dict) -> str:
    rows = [f"  {'kind':7} {'title':28} {'before':>6} {'after':>6}"]
    for key in sorted(after):
        kind, title = key
        mark = "  *" if before.get(key) != after[key] else ""
        rows.append(f"  {kind:7} {title:28} {before.get(key, 0):>6} {after[key]:>6}{mark}")
    return "\n".join(rows)


def sign_in(kodi: KodiInstance, sandbox: SimklSandbox, addon: AddonDriver) -> None:
    """Sign in as a user would: the TV shows a code and a QR code; approve it in the sandbox."""
    kodi.execute_addon(ADDON_ID, ["login"])
    code = wait_for(sandbox.pending_codes, timeout=30)[0]["user_code"]
    addon.wait_for_pin_window()
    qr = wait_for(addon.qr_images, timeout=10, message="the QR code")[0]
    kodi.screenshot(OUT / "sign-in.png")
    print(f"The TV shows: go to https://simkl.com/pin and enter the code {code}")
    print(
        f"…and a QR code ({qr.name}, made on the device) for "
        f"https://simkl.com/pin?user_code={code}: see {(OUT / 'sign-in.png').name}"
    )
    print("…approving it in the sandbox, as you would on simkl.com")
    sandbox.approve(code)
    wait_for(addon.credentials_path.exists, timeout=30, message="sign-in")
    # "Signed in to Simkl as …" comes as a toast: let it go by, so that the picture of the
    # sync's summary shows the summary (a toast asked for while one closes would be lost)
    wait_for_toast(kodi, timeout=15)
    wait_until_no_toast(kodi)
    time.sleep(CLOSING)
    creds = json.loads(addon.credentials_path.read_text())
    print(
        f"Signed in with AUTH V{creds['auth_version']} (scope {creds['scope']}, "
        f"renews itself before {creds['expires_at']}). Syncing…"
    )


def main() -> int:
    OUT.mkdir(parents=True, exist_ok=True)
    print("NOTE: the Simkl side of this demo is a LOCAL SANDBOX on 127.0.0.1, not simkl.com.")
    zip_path = build(ROOT, OUT / "dist")
    print(f"add-on zip: {zip_path.relative_to(ROOT)}")
    spec = LibrarySpec.standard(movies=6, shows=3, anime_series=3, anime_movies=2)
    account = build_account(spec)
    workdir = tmpfs_workdir("kodi-demo-")
    with SimklSandbox(account.fixture, client_ids=(CLIENT_ID,), pin_interval=1) as sandbox:
        sandbox.set_raw_rating(*account.invalid, INVALID_RATING)
        kodi = KodiInstance(workdir)
        try:
            modules = kodi.build_module_addons()
            kodi.start()
            print(f"Kodi started (display {kodi.display}); building the sample library…")
            kodi.build_library(spec)
            kodi.enable_addons(modules)
            kodi.quit_kodi()
            kodi.install_addon_zip(zip_path, restart=False)
            kodi.write_addon_settings(
                ADDON_ID, {"api_url": sandbox.url, "client_id": CLIENT_ID, "sync_on_start": "false"}
            )
            kodi.start()
            kodi.enable_addons([ADDON_ID])
            addon = AddonDriver(kodi)
            before = addon.ratings()
            sign_in(kodi, sandbox, addon)
            report = addon.run("sync")
            wait_for_toast(kodi)
            kodi.screenshot(OUT / "sync-summary.png")
            after = addon.ratings()
            print("\nKodi's 'My rating' (userrating), * = changed by the sync:")
            print(table(before, after))
            print(
                f"\nReport (last_sync.json): result={report['result']}, "
                f"http_requests={report['http_requests']}, kodi_writes={report['kodi_writes']}"
            )
            for name, counts in report["types"].items():
                print(f"  {name:7} " + ", ".join(f"{k}={v}" for k, v in counts.items() if v))
            for item in report["unmatched_items"]:
                print(f"  not in library: {item['title']} ({item['year']}) {item['ids']}")
            print()
            for what, name in (("sign-in window", "sign-in"), ("sync's summary", "sync-summary")):
                print(f"The {what}, pictured: {(OUT / f'{name}.png').relative_to(ROOT)}")
            print(
                "With a real account: install the zip in your Kodi (README, 'Install'), "
                "leave the API address at https://api.simkl.com and sign in."
            )
            return 0 if report["result"] == "ok" else 1
        finally:
            kodi.stop()
            shutil.rmtree(workdir, ignore_errors=True)
            print("Kodi and the sandbox are stopped.")


if __name__ == "__main__":
    sys.exit(main())
