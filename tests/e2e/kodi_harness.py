"""Run the real Kodi 20.1 headless (Xvfb + kodi.bin) for end-to-end tests.

One ``KodiInstance`` owns a throwaway HOME, one Xvfb and one kodi.bin process, and talks to
Kodi over JSON-RPC on raw TCP (127.0.0.1 only). Kodi's webserver is disabled on purpose: it
binds 0.0.0.0 with no bind-address setting and does not even start without a non-loopback
interface, while the TCP transport is loopback-only and carries notifications (`set_web_server`
turns it on, with a password, for the one test that drives Kodi over HTTP).
See /work/shared/reference/kodi-headless.md for the observations behind each choice.
"""

from __future__ import annotations

import atexit
import os
import re
import secrets
import shutil
import signal
import socket
import sqlite3
import subprocess
import time
import warnings
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from . import addon_install, evidence, library_gen, video_db
from .host import (
    free_port,
    localhost_resolves,
    mtime_ns,
    pick_display,
    tail,
    terminate,
    tmpfs_workdir,
    wait_for,
    wait_for_file_change,
)
from .jsonrpc_client import (
    BatchItem,
    KodiConnectionError,
    KodiJsonRpc,
    KodiRpcError,
    Notification,
    Params,
)
from .library_gen import LibrarySpec
from .video_db import MySqlSettings, SqliteVideoStore, VideoStore

__all__ = [
    "KODI_BIN",
    "BatchItem",
    "KodiConnectionError",
    "KodiInstance",
    "KodiRpcError",
    "KodiStartError",
    "LibrarySpec",
    "MySqlSettings",
    "Notification",
    "free_port",
    "kodi_installed",
    "kodi_python_version",
    "mtime_ns",
    "tmpfs_workdir",
    "wait_for",
    "wait_for_file_change",
]

KODI_BIN = Path("/usr/lib/x86_64-linux-gnu/kodi/kodi.bin")
XVFB_BIN = "Xvfb"
# Set by `.ci/kodi-chroot run`: a Debian root with another release's Kodi. Only kodi.bin runs
# in it (via chroot); HOME lives on /dev/shm, which is bind-mounted at the same path inside.
KODI_CHROOT = os.environ.get("KODI_CHROOT") or None
SCREEN = "1280x720x24"

# Instances whose processes still run at interpreter exit get killed: a crash leaks nothing.
_LIVE: set[KodiInstance] = set()


START_ATTEMPTS = 2  # a start is tried again once, only after a native crash of kodi.bin
YES_BUTTON = "11"  # DialogConfirm.xml: 10 = No (focused first), 11 = Yes
YESNO_ACTIVE = "Window.IsActive(yesnodialog)"


class KodiStartError(RuntimeError):
    """Kodi or Xvfb did not come up; the message carries the tail of the relevant log."""


class KodiCrashedAtStart(KodiStartError):
    """kodi.bin died of a signal (a native crash) before JSON-RPC answered."""


def kodi_root() -> Path:
    """The root file system Kodi runs from: ``/`` or the chroot of ``KODI_CHROOT``."""
    return Path(KODI_CHROOT) if KODI_CHROOT else Path("/")


def kodi_installed() -> bool:
    """True when the Debian Kodi binary this harness drives is present."""
    binary = kodi_root() / KODI_BIN.relative_to("/")
    return binary.is_file() and os.access(binary, os.X_OK)


def kodi_python_version() -> str:
    """The Python Kodi embeds, from the libpython it links in the Kodi root (e.g. ``3.9``)."""
    found = sorted((kodi_root() / "usr/lib/x86_64-linux-gnu").glob("libpython3.*.so.1*"))
    match = re.search(r"libpython(3\.\d+)", found[-1].name) if found else None
    return match.group(1) if match else "unknown"


def kodi_package_version() -> str:
    """Kodi's version from dpkg's records in the Kodi root, e.g. ``19.1`` (``unknown`` if none).

    Known before Kodi starts, so evidence can go to a folder per Kodi version.
    """
    status = kodi_root() / "var/lib/dpkg/status"
    try:
        text = status.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "unknown"
    for block in text.split("\n\n"):
        installed = "Status: install ok installed" in block
        if installed and re.search(r"^Package: kodi-bin$", block, re.M):
            found = re.search(r"^Version: (?:\d+:)?(\d+\.\d+)", block, re.M)
            if found:
                return found.group(1)
    return "unknown"


def _xml_settings(values: Mapping[str, object]) -> str:
    root = ET.Element("settings", version="2")
    for key, value in values.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        ET.SubElement(root, "setting", id=key).text = text
    ET.indent(root)
    return ET.tostring(root, encoding="unicode") + "\n"


class KodiInstance:
    """A throwaway headless Kodi: HOME, Xvfb, kodi.bin and a JSON-RPC TCP client.

    With ``video_database`` its video library lives on a MySQL/MariaDB server, shared with
    other instances like the Kodi boxes of one household; HOME, ports and display stay its own.
    ``video_store`` is the harness's access to that library (filling it, counting writes); it
    defaults to the instance's own MyVideos<N>.db.
    """

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        display: int | None = None,
        http_port: int | None = None,
        tcp_port: int | None = None,
        debug_log: bool = False,
        start_timeout: float = 90.0,
        video_database: MySqlSettings | None = None,
        video_store: VideoStore | None = None,
        screen: str = SCREEN,
    ):
        self.workdir = Path(workdir) if workdir is not None else tmpfs_workdir()
        self.workdir.mkdir(parents=True, exist_ok=True)
        if KODI_CHROOT and Path("/dev/shm") not in self.workdir.resolve().parents:
            raise KodiStartError(
                f"{self.workdir}: with KODI_CHROOT the HOME must be under /dev/shm, the only "
                "host folder mounted at the same path inside the chroot"
            )
        self._fixed_display = display
        self.screen = screen  # Xvfb's WIDTHxHEIGHTxDEPTH; Kodi fills it (Estuary scales)
        self.display_number: int | None = display
        # The webserver stays off unless a test turns it on (set_web_server), on this port.
        self.http_port = http_port or free_port()
        self.tcp_port = tcp_port or free_port()
        self.es_port = free_port(socket.SOCK_DGRAM)
        self.device_name = f"kodi-e2e-{secrets.token_hex(4)}"
        self.debug_log = debug_log
        self.start_timeout = start_timeout
        self.video_database = video_database
        self._video_store = video_store
        self.rpc: KodiJsonRpc | None = None
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._kodi: subprocess.Popen[bytes] | None = None
        self.last_start_seconds: float | None = None
        self.last_exit_code: int | None = None
        self.dropped_scans = 0
        self.crashed_starts = 0  # starts retried after kodi.bin crashed (see start)
        self._prepare_home()

    # -- layout ---------------------------------------------------------------------------
    @property
    def home(self) -> Path:
        """The HOME Kodi runs with; everything lives under ``home/.kodi``."""
        return self.workdir / "home"

    @property
    def userdata(self) -> Path:
        return self.home / ".kodi" / "userdata"

    @property
    def addons_dir(self) -> Path:
        return self.home / ".kodi" / "addons"

    @property
    def database_dir(self) -> Path:
        return self.userdata / "Database"

    @property
    def log_path(self) -> Path:
        """Current kodi.log; Kodi renames it to kodi.old.log at the next start."""
        return self.home / ".kodi" / "temp" / "kodi.log"

    @property
    def session_log_path(self) -> Path:
        """kodi.log of every finished Kodi run of this instance, concatenated."""
        return self.workdir / "kodi.session.log"

    @property
    def display(self) -> str:
        if self.display_number is None:
            raise RuntimeError("Xvfb has not been started")
        return f":{self.display_number}"

    def profile_dir(self, addon_id: str) -> Path:
        """``special://profile/addon_data/<id>`` — where an add-on keeps its files."""
        return self.userdata / "addon_data" / addon_id

    def video_db_path(self) -> Path:
        """The MyVideos<N>.db Kodi created (121 on Kodi 20)."""
        if self.video_database is not None:
            raise RuntimeError("this Kodi's video library is on a MySQL server, not in a file")
        return video_db.find_video_db(self.database_dir)

    @property
    def video_store(self) -> VideoStore:
        """Where the harness reads and writes the video tables (see the class docstring)."""
        if self._video_store is not None:
            return self._video_store
        if self.video_database is not None:
            raise RuntimeError("a shared video database needs its VideoStore (video_store=...)")
        return SqliteVideoStore(self.database_dir)

    # -- configuration --------------------------------------------------------------------
    def gui_settings(self) -> dict[str, object]:
        """Pre-seeded guisettings: quiet, local-only, no network lookups, no audio work."""
        return {
            "services.webserver": False,
            "services.webserverport": self.http_port,
            "services.webserverauthentication": True,
            "services.webserverpassword": secrets.token_urlsafe(16),
            "services.esenabled": True,  # also enables the TCP JSON-RPC server
            "services.esallinterfaces": False,  # TCP JSON-RPC on 127.0.0.1 only
            "services.esport": self.es_port,  # UDP event server; avoid 9777 clashes
            "services.devicename": self.device_name,  # proves we talk to *our* Kodi
            "services.zeroconf": False,
            "services.wsdiscovery": False,
            "services.upnp": False,
            "services.airplay": False,
            "myvideos.extractflags": False,
            "myvideos.extractthumb": False,
            "myvideos.extractchapterthumbs": False,
            "general.addonupdates": 2,
            "general.addonnotifications": False,
            "addons.unknownsources": True,
            "lookandfeel.enablerssfeeds": False,
            "screensaver.mode": "",
            "audiooutput.streamsilence": 0,
            "audiooutput.guisoundmode": 0,
        }

    def _advanced_settings(self) -> str:
        loglevel = "<loglevel>1</loglevel>" if self.debug_log else ""
        shared = self.video_database.xml() if self.video_database is not None else ""
        return (
            '<advancedsettings version="1.0">'
            f"<jsonrpc><compactoutput>true</compactoutput><tcpport>{self.tcp_port}</tcpport>"
            f"</jsonrpc>{loglevel}{shared}</advancedsettings>\n"
        )

    def _prepare_home(self) -> None:
        """Write the config files Kodi needs to start fast and quietly."""
        self.userdata.mkdir(parents=True, exist_ok=True)
        self.addons_dir.mkdir(parents=True, exist_ok=True)
        (self.userdata / "guisettings.xml").write_text(_xml_settings(self.gui_settings()))
        (self.userdata / "advancedsettings.xml").write_text(self._advanced_settings())
        # No sound card: a null ALSA sink avoids a 6 s probe and endless retries.
        (self.home / ".asoundrc").write_text("pcm.!default {\n    type null\n}\n")
        if KODI_CHROOT:
            hosts = Path(KODI_CHROOT) / "etc" / "hosts"
            if not hosts.is_file() or "localhost" not in hosts.read_text(errors="replace"):
                # Kodi binds its TCP JSON-RPC server through the name: it would never start.
                raise KodiStartError(f"{hosts} lacks '127.0.0.1 localhost'")
        elif not localhost_resolves():
            warnings.warn(
                "'localhost' does not resolve: Kodi's TCP JSON-RPC server will not start. "
                "Add '127.0.0.1 localhost' to /etc/hosts.",
                RuntimeWarning,
                stacklevel=3,
            )

    # -- process control ------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self._kodi is not None and self._kodi.poll() is None

    @property
    def kodi_pid(self) -> int | None:
        return self._kodi.pid if self._kodi else None

    def start(self) -> KodiInstance:
        """Start Xvfb (if needed) and kodi.bin; return once JSON-RPC answers JSONRPC.Ping."""
        if self.running:
            return self
        if self._kodi is not None:
            self.quit_kodi()  # it died on its own: reap it and keep its log before Kodi rotates it
        if not kodi_installed():
            raise KodiStartError(f"{KODI_BIN} not in {kodi_root()}: apt-get install kodi xvfb")
        _LIVE.add(self)
        for attempt in range(1, START_ATTEMPTS + 1):
            if self._xvfb is None or self._xvfb.poll() is not None:
                self._start_xvfb()
            began = time.monotonic()
            self._start_kodi()
            try:
                self._wait_ready()
            except KodiCrashedAtStart:
                # Kodi 20.1 was seen to die of SIGSEGV once in a few thousand starts under Xvfb,
                # before any add-on ran; a second crash in a row is a real failure.
                if attempt == START_ATTEMPTS:
                    raise
                self.crashed_starts += 1
                warnings.warn("kodi.bin crashed during startup; started again", stacklevel=2)
                _LIVE.add(self)  # _fail_start stopped everything
                continue
            self.last_start_seconds = time.monotonic() - began
            return self
        raise AssertionError("unreachable")

    def _start_xvfb(self) -> None:
        """Start Xvfb on a free display; retry another number if one was taken meanwhile."""
        for _attempt in range(5):
            number = self._fixed_display or pick_display()
            log = open(self.workdir / "xvfb.log", "ab")  # noqa: SIM115 - owned by Popen
            command = [XVFB_BIN, f":{number}", "-screen", "0", self.screen, "-nolisten", "tcp"]
            proc = subprocess.Popen(
                [*command, "-noreset"],
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            log.close()
            socket_path = Path(f"/tmp/.X11-unix/X{number}")
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline and proc.poll() is None:
                if socket_path.exists():
                    self._xvfb, self.display_number = proc, number
                    return
                time.sleep(0.02)
            terminate(proc, 2)
            if self._fixed_display:
                break
        raise KodiStartError("Xvfb did not start:\n" + tail(self.workdir / "xvfb.log"))

    def _kodi_env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("XAUTHORITY", None)
        env.update(HOME=str(self.home), DISPLAY=self.display, KODI_AE_SINK="ALSA")
        # Kodi appends module add-ons' lib folders after the system dist-packages, so Debian's
        # python3-requests, where installed, would shadow script.module.requests. Kodi's Python
        # reads PYTHONPATH, which comes before both: the add-ons import the bundled modules
        # on every machine. Only the modules Debian also packages: an optional one (pyqrcode)
        # must stay as importable as Kodi makes it, or disabling it would prove nothing.
        shadowed = (addon_install.REQUESTS_MODULE_ID, addon_install.KODI_SIX_MODULE_ID)
        libs = [str(self.addons_dir / m / "lib") for m in shadowed]
        libs = [lib for lib in libs if os.path.isdir(lib)]
        if libs:
            env["PYTHONPATH"] = os.pathsep.join(libs)
        return env

    def _start_kodi(self) -> None:
        log = open(self.workdir / "kodi.stdout.log", "ab")  # noqa: SIM115 - owned by Popen
        command = [str(KODI_BIN), "--windowing=x11"]
        if KODI_CHROOT:
            command = ["chroot", KODI_CHROOT, *command]  # chroot execs kodi.bin: same PID
        self._kodi = subprocess.Popen(
            command,
            env=self._kodi_env(),
            cwd=self.workdir,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()

    def _wait_ready(self) -> None:
        """Connect to the TCP port, Ping, and check the device name to rule out a port clash."""
        deadline = time.monotonic() + self.start_timeout
        last_error: Exception | None = None
        while time.monotonic() < deadline:
            if self._kodi is None or self._kodi.poll() is not None:
                code = self._kodi.returncode if self._kodi else None
                crashed = code is not None and code < 0
                self._fail_start(f"kodi.bin exited with code {code} during startup", crashed)
            try:
                client = KodiJsonRpc("127.0.0.1", self.tcp_port)
                client.connect(timeout=1)
            except OSError as exc:
                last_error = exc
                time.sleep(0.05)
                continue
            try:
                if client.call("JSONRPC.Ping", timeout=2) == "pong":
                    self._adopt_if_ours(client)
                    return
            except (KodiConnectionError, KodiRpcError) as exc:
                last_error = exc
            client.close()
            time.sleep(0.1)
        self._fail_start(f"JSON-RPC not ready within {self.start_timeout}s ({last_error})")

    def _adopt_if_ours(self, client: KodiJsonRpc) -> None:
        """Use ``client`` only if the answering Kodi carries our device name (gotcha 14)."""
        label = "System.FriendlyName"
        name = client.call("XBMC.GetInfoLabels", {"labels": [label]})[label]
        if name != self.device_name:
            client.close()  # never send Application.Quit to someone else's Kodi
            self._fail_start(
                f"port {self.tcp_port} answers as {name!r}, not {self.device_name!r}: "
                "another Kodi holds the port"
            )
        self.rpc = client

    def _fail_start(self, reason: str, crashed: bool = False) -> None:
        self.stop()
        log = tail(self.log_path)
        stdout = tail(self.workdir / "kodi.stdout.log", 10)
        error = KodiCrashedAtStart if crashed else KodiStartError
        raise error(
            f"{reason}\n--- tail of {self.log_path} ---\n{log}\n--- kodi.bin output ---\n{stdout}"
        )

    def stop(self, timeout: float = 15.0) -> None:
        """Quit Kodi gracefully (Application.Quit), escalate to SIGTERM/SIGKILL; stop Xvfb."""
        self.quit_kodi(timeout)
        if self._xvfb is not None:
            terminate(self._xvfb, 5)
            self._xvfb = None
            if not self._fixed_display:
                self.display_number = None
        _LIVE.discard(self)

    def quit_kodi(self, timeout: float = 15.0) -> None:
        """Quit kodi.bin only (Xvfb keeps running): Application.Quit, then SIGTERM/SIGKILL."""
        proc = self._kodi
        if proc is not None and proc.poll() is None:
            if not self._request_quit():
                proc.send_signal(signal.SIGTERM)  # also a graceful quit for kodi.bin
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                terminate(proc, 5)
        if self.rpc is not None:
            self.rpc.close()
            self.rpc = None
        if proc is not None:
            self.last_exit_code = proc.returncode
            self._archive_log()
        self._kodi = None

    def _request_quit(self) -> bool:
        """Application.Quit over our own verified connection; False if that is not possible."""
        if self.rpc is None:
            return False
        try:
            self.rpc.call("Application.Quit", timeout=5)
        except (KodiConnectionError, KodiRpcError, OSError):
            return False
        return True

    def _archive_log(self) -> None:
        """Append the finished run's kodi.log to the session log (Kodi rotates it on start)."""
        if self.log_path.exists():
            with self.session_log_path.open("a", encoding="utf-8", errors="replace") as out:
                out.write(self.log_path.read_text(errors="replace"))

    def set_web_server(self, password: str | None, user: str = "kodi") -> str | None:
        """Turn Kodi's web server on (HTTP basic auth with `user`/`password`) or off (None),
        through guisettings.xml and a restart: switched on over JSON-RPC, Kodi 20.1 blocks the
        call. It binds every interface (no bind-address setting), so only with a password.
        Returns the base URL to reach it on 127.0.0.1, or None when off."""
        self.quit_kodi()
        path = self.userdata / "guisettings.xml"
        tree = ET.parse(path)
        root = tree.getroot()
        values = {
            "services.webserver": "true" if password is not None else "false",
            "services.webserverport": str(self.http_port),
            "services.webserverauthentication": "true",
            "services.webserverusername": user,
            "services.webserverpassword": password or secrets.token_urlsafe(16),
        }
        for key, text in values.items():
            node = root.find(f"./setting[@id='{key}']")
            if node is None:
                node = ET.SubElement(root, "setting", id=key)
            node.attrib.pop("default", None)
            node.text = text
        tree.write(path, encoding="unicode")
        self.start()
        return f"http://127.0.0.1:{self.http_port}" if password is not None else None

    def restart(self) -> KodiInstance:
        """Quit and start Kodi again on the same Xvfb display."""
        self.quit_kodi()
        return self.start()

    def __enter__(self) -> KodiInstance:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def kill_all(self) -> None:
        """Last-resort cleanup of the processes this instance started."""
        for proc in (self._kodi, self._xvfb):
            if proc is not None and proc.poll() is None:
                terminate(proc, 3)
        _LIVE.discard(self)

    # -- JSON-RPC -------------------------------------------------------------------------
    def _client(self) -> KodiJsonRpc:
        if self.rpc is None or not self.rpc.connected:
            raise KodiConnectionError("Kodi is not running (call start())")
        return self.rpc

    def call(self, method: str, params: Params = None, timeout: float | None = None) -> Any:
        """One JSON-RPC call; returns ``result`` or raises KodiRpcError."""
        return self._client().call(method, params, timeout)

    def batch(self, calls: Sequence[tuple[str, Params]]) -> list[BatchItem]:
        """One JSON-RPC batch; per-element results/errors in request order."""
        return self._client().batch(calls)

    def wait_for_notification(
        self,
        method: str,
        timeout: float = 30.0,
        predicate: Callable[[Notification], bool] | None = None,
    ) -> Notification:
        """Await a queued or upcoming notification, e.g. VideoLibrary.OnScanFinished."""
        return self._client().wait_for_notification(method, timeout, predicate)

    def info_labels(self, labels: Iterable[str]) -> dict[str, str]:
        """XBMC.GetInfoLabels, e.g. ``Window(Home).Property(x)``."""
        return self.call("XBMC.GetInfoLabels", {"labels": list(labels)})

    def info_booleans(self, conditions: Iterable[str]) -> dict[str, bool]:
        """XBMC.GetInfoBooleans, e.g. ``Window.IsActive(yesnodialog)``."""
        return self.call("XBMC.GetInfoBooleans", {"booleans": list(conditions)})

    def current_window(self) -> dict[str, Any]:
        """GUI.GetProperties currentwindow + currentcontrol."""
        return self.call("GUI.GetProperties", {"properties": ["currentwindow", "currentcontrol"]})

    # -- library --------------------------------------------------------------------------
    def scan(self, directory: Path | str | None = None, timeout: float = 120.0) -> float:
        """VideoLibrary.Scan one directory and await OnScanFinished; return seconds taken.

        Kodi 19.1 now and then drops a scan requested right after another one finished (no
        scan, no notification; seen in about 1 of 8 sessions): the scan is requested only once
        the library is idle, and again when it stays idle without a notification.
        """
        client = self._client()
        params: dict[str, Any] = {"showdialogs": False}
        if directory is not None:
            params["directory"] = library_gen.kodi_dir(Path(directory))
        began = time.monotonic()
        for _attempt in range(3):
            wait_for(lambda: not self._scanning(), timeout, 0.1, "the library stays busy")
            client.clear_notifications()
            if self.call("VideoLibrary.Scan", params) != "OK":
                raise KodiRpcError(0, "VideoLibrary.Scan did not answer OK")
            idle_checks = 0
            while idle_checks < 2:
                try:
                    client.wait_for_notification("VideoLibrary.OnScanFinished", 2.0)
                    return time.monotonic() - began
                except TimeoutError:
                    if time.monotonic() - began > timeout:
                        raise
                idle_checks = 0 if self._scanning() else idle_checks + 1
            self.dropped_scans += 1
        raise TimeoutError(f"VideoLibrary.Scan of {directory} never ran (3 requests)")

    def _scanning(self) -> bool:
        label = "Library.IsScanningVideo"
        return bool(self.info_booleans([label])[label])

    def build_library(self, spec: LibrarySpec, media_root: Path | None = None) -> dict[str, int]:
        """Write the NFO tree, register the sources, scan each, verify counts; return counts."""
        media_root = media_root or self.workdir / "media"
        sources = library_gen.write_media_tree(spec, media_root)
        library_gen.write_sources_xml(self.userdata, sources)
        self.video_store.register_sources(sources)
        for directory in sources:
            self.scan(directory)
        counts = self.library_counts()
        expected = {
            "movies": len(spec.movies),
            "tvshows": len(spec.shows),
            "episodes": len(spec.episodes),
        }
        if counts != expected:
            raise AssertionError(f"library scan imported {counts}, expected {expected}")
        return counts

    def library_counts(self) -> dict[str, int]:
        """Totals reported by GetMovies / GetTVShows / GetEpisodes."""
        limits = {"limits": {"start": 0, "end": 1}}
        items = self.batch(
            [
                ("VideoLibrary.GetMovies", limits),
                ("VideoLibrary.GetTVShows", limits),
                ("VideoLibrary.GetEpisodes", limits),
            ]
        )
        totals = []
        for item in items:
            if item.error:
                raise item.error
            totals.append(item.result["limits"]["total"])
        return dict(zip(("movies", "tvshows", "episodes"), totals, strict=True))

    def get_movies(
        self, properties: Sequence[str] = ("title", "year", "uniqueid", "userrating", "imdbnumber")
    ) -> list[dict[str, Any]]:
        return self.call("VideoLibrary.GetMovies", {"properties": list(properties)}).get(
            "movies", []
        )

    def get_tvshows(
        self, properties: Sequence[str] = ("title", "year", "uniqueid", "userrating", "imdbnumber")
    ) -> list[dict[str, Any]]:
        return self.call("VideoLibrary.GetTVShows", {"properties": list(properties)}).get(
            "tvshows", []
        )

    def get_episodes(
        self,
        properties: Sequence[str] = (
            "title",
            "tvshowid",
            "season",
            "episode",
            "uniqueid",
            "userrating",
        ),
    ) -> list[dict[str, Any]]:
        return self.call("VideoLibrary.GetEpisodes", {"properties": list(properties)}).get(
            "episodes", []
        )

    # -- database snapshot / write counter ------------------------------------------------
    @property
    def snapshot_path(self) -> Path:
        return self.workdir / "snapshots" / "MyVideos.db"

    def snapshot_db(self) -> Path:
        """Copy MyVideos*.db with Kodi quit (consistent file); Kodi is restarted if it ran."""
        was_running = self.running
        self.quit_kodi()
        self.snapshot_path.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(self.video_db_path(), self.snapshot_path)
        if was_running:
            self.start()
        return self.snapshot_path

    def restore_db(self) -> float:
        """Quit, copy the snapshot back, start, wait ready; return seconds taken."""
        if not self.snapshot_path.exists():
            raise FileNotFoundError("no snapshot: call snapshot_db() first")
        began = time.monotonic()
        self.quit_kodi()
        target = self.video_db_path()
        for suffix in ("-journal", "-wal", "-shm"):
            Path(f"{target}{suffix}").unlink(missing_ok=True)
        shutil.copy2(self.snapshot_path, target)
        self.start()
        return time.monotonic() - began

    def db_connect(self) -> sqlite3.Connection:
        """sqlite3 connection to the video DB (busy timeout, autocommit); safe while Kodi runs."""
        return video_db.connect(self.video_db_path())

    def install_write_counter(self) -> None:
        """Triggers recording every Set…Details row write in the test-only ``e2e_writes``."""
        self.video_store.install_write_counter()

    def write_count(self, table: str | None = None) -> int:
        """Set…Details writes since install_write_counter()/reset_write_counter()."""
        return self.video_store.write_count(table)

    def write_log(self) -> list[tuple[str, int, int | None, int | None]]:
        """(table, item id, old userrating, new userrating) per write, oldest first."""
        return self.video_store.write_log()

    def reset_write_counter(self) -> None:
        self.video_store.reset_write_counter()

    # -- add-ons --------------------------------------------------------------------------
    def install_addon_zip(self, zip_path: Path, *, restart: bool = True) -> str:
        """Extract an add-on zip into ``addons/``; restart a running Kodi so it sees it."""
        addon_id = addon_install.zip_addon_id(zip_path)
        addon_install.extract_addon_zip(zip_path, self.addons_dir)
        if restart and self.running:
            self.restart()
        return addon_id

    def build_module_addons(self) -> list[str]:
        """script.module.requests, script.module.kodi-six and script.module.pyqrcode in
        ``addons/`` (restart to see).

        Kodi's Python finds them before a Debian python3-requests (see ``_kodi_env``)."""
        return addon_install.build_module_addons(self.addons_dir)

    def addon_details(self, addon_id: str) -> dict[str, Any]:
        props = ["enabled", "version", "broken", "dependencies", "path"]
        return self.call("Addons.GetAddonDetails", {"addonid": addon_id, "properties": props})[
            "addon"
        ]

    def enable_addons(self, addon_ids: Iterable[str], dismiss_settle: float = 1.5) -> None:
        """Enable via Addons.SetAddonEnabled, close the "Disabled add-ons" modal, verify."""
        ids = list(addon_ids)
        items = self.batch(
            [("Addons.SetAddonEnabled", {"addonid": a, "enabled": True}) for a in ids]
        )
        errors = [f"{a}: {i.error}" for a, i in zip(ids, items, strict=True) if i.error]
        if errors:
            raise KodiRpcError(0, "enabling add-ons failed: " + "; ".join(errors))
        self.dismiss_dialogs(dismiss_settle)
        disabled = [a for a in ids if not self.addon_details(a)["enabled"]]
        if disabled:
            raise RuntimeError(f"still disabled after enabling: {disabled}")

    def modal_dialog_open(self) -> bool:
        """True while a modal dialog covers the GUI.

        The "Disabled add-ons" Yes/No question and a script's text viewer (the preview's
        report) report System.HasModalDialog false on Kodi 20.1, so those windows are checked
        explicitly: left open when Kodi quits, the script waiting on one is killed.
        """
        state = self.info_booleans(
            [
                "System.HasModalDialog",
                "Window.IsActive(yesnodialog)",
                "Window.IsActive(textviewer)",
            ]
        )
        return any(state.values())

    def yesno_open(self) -> bool:
        """A Yes/No question is up (Kodi's DialogConfirm)."""
        return self.info_booleans([YESNO_ACTIVE])[YESNO_ACTIVE]

    def answer_yes(self, screenshot: Path) -> None:
        """Move the focus from No to Yes as the remote's left key does, show it, press OK."""
        focused = "System.CurrentControlId"
        if self.info_labels([focused])[focused] != YES_BUTTON:
            self.call("Input.Left")
        wait_for(
            lambda: self.info_labels([focused])[focused] == YES_BUTTON,
            timeout=5,
            message="Yes not focused",
        )
        assert self.screenshot(screenshot).distinct_colours > 8
        self.call("Input.Select")

    def dismiss_dialogs(self, settle: float = 1.5) -> int:
        """Press Back on modal dialogs until none has shown for ``settle`` seconds.

        Kodi asks "Would you like to enable this add-on?" at the first start after add-on
        folders were copied (observed already open when JSON-RPC becomes ready), and the
        question stays even after the add-on was enabled over JSON-RPC. Back answers "No",
        which leaves an already enabled add-on enabled.
        """
        closed = 0
        quiet_since = time.monotonic()
        while time.monotonic() - quiet_since < settle:
            if self.modal_dialog_open():
                self.call("Input.Back")
                closed += 1
                quiet_since = time.monotonic()
            time.sleep(0.1)
        return closed

    def configure_addon(self, addon_id: str, values: Mapping[str, object]) -> Path:
        """Quit Kodi, write the add-on's settings.xml, start again if it was running."""
        was_running = self.running
        self.quit_kodi()
        path = self.write_addon_settings(addon_id, values)
        if was_running:
            self.start()
        return path

    def write_addon_settings(self, addon_id: str, values: Mapping[str, object]) -> Path:
        """Write the add-on's settings.xml (v2 format); Kodi must be stopped (it caches them)."""
        if self.running:
            raise RuntimeError("write_addon_settings needs Kodi stopped; it caches settings")
        return addon_install.write_addon_settings(self.userdata, addon_id, values)

    def execute_addon(self, addon_id: str, params: Sequence[str] = ()) -> None:
        """Addons.ExecuteAddon; returns at once (``wait`` does not wait): poll a signal after."""
        result = self.call(
            "Addons.ExecuteAddon", {"addonid": addon_id, "params": list(params), "wait": False}
        )
        if result != "OK":
            raise KodiRpcError(0, f"ExecuteAddon answered {result!r}")

    def window_property(self, key: str) -> str:
        """Window(Home).Property(key): a cheap completion signal an add-on can set."""
        label = f"Window(Home).Property({key})"
        return self.info_labels([label])[label]

    # -- evidence -------------------------------------------------------------------------
    def screenshot(self, path: Path, settle_timeout: float = 10.0) -> evidence.Screenshot:
        """PNG of the whole Xvfb screen, taken once the picture stopped changing."""
        return evidence.capture_display(self.display, Path(path), settle_timeout)

    def read_log(self, include_previous_runs: bool = False) -> str:
        """kodi.log of the current run, optionally preceded by all earlier runs' logs."""
        current = self._kodi is not None and self.log_path.exists()  # not yet archived
        text = self.log_path.read_text(errors="replace") if current else ""
        if include_previous_runs and self.session_log_path.exists():
            text = self.session_log_path.read_text(errors="replace") + text
        return text

    def log_mark(self) -> int:
        """Position in the all-runs log; pass to log_since() to get what was logged after."""
        return len(self.read_log(include_previous_runs=True))

    def log_since(self, mark: int) -> str:
        return self.read_log(include_previous_runs=True)[mark:]

    def log_tracebacks(self, addon_id: str | None = None, since: int = 0) -> list[str]:
        """Python tracebacks / PythonToCppException reports in the log (of all runs)."""
        return evidence.python_errors(self.log_since(since), addon_id)


@atexit.register
def _cleanup_live_instances() -> None:
    for instance in list(_LIVE):
        instance.kill_all()
