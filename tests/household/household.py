"""A household: two Kodi boxes ("A", "B") sharing one video library on MariaDB, the Simkl
sandbox they sync with, and the command-line runner as a possible third member; plus the
measuring of scenario steps (library writes, Simkl requests per member, pushes).

Each member signs in with its own token, and the sandbox logs a short hash per token, so its
request log tells the members apart. A "scheduled sync" of a box is its service's run at Kodi
start (``sync_on_start``, a short ``startup_delay``): real service behaviour, no test hook.
"""

from __future__ import annotations

import json
import secrets
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from tests.e2e.addon_driver import ADDON_ID, CLIENT_ID, AddonDriver
from tests.e2e.fixture_support import reset_sandbox, runner_command, runner_env
from tests.e2e.host import mtime_ns, wait_for, wait_for_file_change
from tests.e2e.kodi_harness import KodiInstance, LibrarySpec
from tests.e2e.simkl_account import Account
from tests.sandbox.auth import token_fingerprint
from tests.sandbox.model import AccountModel
from tests.sandbox.simkl_sandbox import SimklSandbox

from .mariadb import MariaDbVideoStore

BOXES = ("A", "B")
RUNNER = "runner"
ROLE_UNDECIDED, ROLE_SYNCS, ROLE_OTHER_SYNCS = "0", "1", "2"  # household_role
STARTUP_DELAY = 2  # seconds: the service's run at Kodi start comes soon
EDIT_CHECK = 5  # seconds between two-way looks at the library (the add-on's minimum)
QUIET = 2.5  # no Simkl request for this long after the runs: whoever was going to ask has
EDIT_QUIET = EDIT_CHECK + 3  # after an edit's last request: every box's edit check had a turn
SERVICE_STARTED = f"[{ADDON_ID}] service started"

Ratings = dict[tuple[str, str], int]  # (kind, title) -> userrating, 0 = none
SimklRatings = dict[tuple[str, int], Any]  # (type, simkl id) -> user_rating on Simkl


@dataclass(frozen=True)
class Config:
    """Who syncs the shared library: each box's ``household_role``, and the runner or not."""

    name: str
    roles: Mapping[str, str]
    runner: bool = False

    @property
    def needs_feature(self) -> bool:
        """Any box told not to sync: only an add-on with ``household_role`` obeys that."""
        return any(role != ROLE_SYNCS for role in self.roles.values())

    def syncs(self, member: str) -> bool:
        return self.runner if member == RUNNER else self.roles[member] == ROLE_SYNCS

    @property
    def members(self) -> tuple[str, ...]:
        return (*BOXES, RUNNER) if self.runner else BOXES

    def __str__(self) -> str:
        return self.name


CONFIGS = (
    Config("without-feature", {"A": ROLE_SYNCS, "B": ROLE_SYNCS}),
    Config("with-feature", {"A": ROLE_SYNCS, "B": ROLE_OTHER_SYNCS}),
    Config("runner", {"A": ROLE_OTHER_SYNCS, "B": ROLE_OTHER_SYNCS}, runner=True),
)


def seed_runner_token(config_dir: Path, token: str) -> None:
    """The runner's stored sign-in, as `simkl-ratings-sync login` leaves it (0700/0600)."""
    config_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    path = config_dir / "credentials.json"
    record = {"access_token": token, "client_id": CLIENT_ID, "account_id": 4242}
    path.write_text(json.dumps(record), encoding="utf-8")
    path.chmod(0o600)


@dataclass
class Box:
    """One Kodi of the household with the add-on installed and its own Simkl token."""

    name: str
    kodi: KodiInstance
    token: str = field(repr=False)

    @property
    def addon(self) -> AddonDriver:
        return AddonDriver(self.kodi)

    @property
    def token_hash(self) -> str:
        return token_fingerprint(self.token)


@dataclass
class Runner:
    """`simkl-ratings-sync` as a household member: its own token and folders; it reaches the
    library through box A's web server (HTTP, basic auth)."""

    folder: Path
    token: str = field(repr=False)
    api_url: str
    kodi_url: str | None = None
    kodi_password: str | None = field(default=None, repr=False)

    @property
    def token_hash(self) -> str:
        return token_fingerprint(self.token)

    @property
    def app_folder(self) -> Path:
        return self.folder / "config" / "simkl-ratings-sync"

    def reset(self) -> None:
        """Fresh state (no cache, no report) with the stored sign-in."""
        for sub in ("config", "state", "home"):
            _remove_tree(self.folder / sub)
        seed_runner_token(self.app_folder, self.token)

    def sync(self, *, two_way: bool = False) -> dict[str, Any]:
        """One `--json sync` (``--two-way`` as its config), as a cron job would run it; the
        report it printed."""
        if self.kodi_url is None or self.kodi_password is None:
            raise RuntimeError("the runner needs box A's web server (Household.enable_runner)")
        env = runner_env(self.folder, self.kodi_url, self.kodi_password, self.api_url)
        env["SIMKL_RATINGS_TWO_WAY"] = "true" if two_way else "false"
        done = subprocess.run(
            [*runner_command(), "--json", "sync"],
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        if self.kodi_password in done.stdout + done.stderr:
            raise AssertionError("the runner printed Kodi's password")
        if done.returncode != 0:
            raise AssertionError(f"runner sync exited {done.returncode}: {done.stderr[-2000:]}")
        return json.loads(done.stdout)


def _remove_tree(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


def _copy_tree(source: Path, target: Path) -> None:
    _remove_tree(target)
    if source.exists():
        shutil.copytree(source, target)


def in_parallel(actions: Sequence[Callable[[], object]]) -> None:
    """Run the actions at once (two boxes switched on together); re-raise the first error."""
    errors: list[BaseException] = []

    def run(action: Callable[[], object]) -> None:
        try:
            action()
        except BaseException as exc:  # handed to the caller below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(a,)) for a in actions]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


@dataclass
class Snapshot:
    """The whole household at rest: the shared library, each box's add-on profile, the
    runner's folders and the Simkl account (its activities' timestamps too: a fresh account
    would look changed to every member and cost extra requests)."""

    dump: bytes
    profiles: dict[str, Path]
    runner: Path
    account: AccountModel


@dataclass
class Baseline:
    """A configuration's household after the first sync, and the library it should hold."""

    snapshot: Snapshot
    expected: Ratings


# -- figures --------------------------------------------------------------------------------
@dataclass
class StepFigures:
    """What one scenario step cost: library writes (triggers), Simkl requests per member,
    pushes, and how long the step took."""

    config: str
    scenario: str
    step: str
    writes: int
    requests: dict[str, int]
    posts: int  # POST /sync/ratings
    removes: int  # POST /sync/ratings/remove
    seconds: float
    write_log: list[tuple[str, int, int | None, int | None]] = field(default_factory=list)

    @property
    def pushes(self) -> int:
        return self.posts + self.removes


class FiguresBook:
    """Every step's figures of the session, written as JSON and a markdown table to quote."""

    def __init__(self) -> None:
        self.steps: list[StepFigures] = []

    def add(self, figures: StepFigures) -> None:
        self.steps.append(figures)

    def write(self, folder: Path, header: Mapping[str, object]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        data = {**header, "steps": [asdict(s) for s in self.steps]}
        (folder / "figures.json").write_text(json.dumps(data, indent=2), encoding="utf-8")
        (folder / "figures.md").write_text(self.markdown(header), encoding="utf-8")

    def markdown(self, header: Mapping[str, object]) -> str:
        lines = ["# Household figures", ""]
        lines += [f"- {key}: {value}" for key, value in header.items()]
        lines += [
            "",
            "| configuration | scenario | step | library writes | Simkl requests A / B / runner"
            " | POST /sync/ratings | POST …/remove | s |",
            "|---|---|---|---:|---|---:|---:|---:|",
        ]
        for s in self.steps:
            asked = " / ".join(str(s.requests.get(m, "-")) for m in (*BOXES, RUNNER))
            lines.append(
                f"| {s.config} | {s.scenario} | {s.step} | {s.writes} | {asked} | {s.posts}"
                f" | {s.removes} | {s.seconds:.1f} |"
            )
        return "\n".join(lines) + "\n"


def flip_backs(
    log: Iterable[tuple[str, int, int | None, int | None]],
    settled: Mapping[tuple[str, int], int] | None = None,
) -> list[str]:
    """Items whose value went back to one they had left (5 -> 7 -> 5): a sync undoing
    another's work. Going back to the value an item should end at (``settled``, by table and
    id) is a change the user made, like a rating removed after the first sync set it. None
    and 0 are both "no rating"."""
    history: dict[tuple[str, int], list[int]] = {}
    found = []
    for table, item_id, old, new in log:
        values = history.setdefault((table, item_id), [old or 0])
        value = new or 0
        if value == values[-1]:
            continue
        if value in values and value != (settled or {}).get((table, item_id)):
            found.append(f"{table} {item_id}: {' -> '.join(map(str, [*values, value]))}")
        values.append(value)
    return found


def simkl_ratings(sandbox: SimklSandbox) -> SimklRatings:
    """Every rating on the sandbox account, as the user would see it on simkl.com."""
    return {
        (type_, simkl_id): item.user_rating
        for type_, items in sandbox.model.items.items()
        for simkl_id, item in items.items()
    }


def _diff(got: Mapping[Any, Any], want: Mapping[Any, Any]) -> str:
    keys = sorted(set(got) | set(want), key=str)
    return "; ".join(
        f"{k}: {got.get(k)} != {want.get(k)}" for k in keys if got.get(k) != want.get(k)
    )


# -- the household --------------------------------------------------------------------------
class Household:
    """The boxes, the shared library, the sandbox and the runner, and what tests do to them."""

    def __init__(
        self,
        *,
        boxes: Mapping[str, Box],
        store: MariaDbVideoStore,
        sandbox: SimklSandbox,
        account: Account,
        spec: LibrarySpec,
        runner: Runner,
        pristine: bytes,
        workdir: Path,
        timings: Mapping[str, float],
    ) -> None:
        self.boxes = dict(boxes)
        self.workdir = workdir  # snapshots go here
        self.timings = timings  # set-up: MariaDB start, first Kodi start, scan, installs
        self.store = store
        self.sandbox = sandbox
        self.account = account
        self.spec = spec
        self.runner = runner
        self.pristine = pristine
        self.figures = FiguresBook()
        self.baselines: dict[str, Baseline] = {}
        self.runner_enabled = False

    # -- who is who --------------------------------------------------------------------------
    def member_of(self, token_hash: str | None) -> str:
        for box in self.boxes.values():
            if box.token_hash == token_hash:
                return box.name
        return RUNNER if token_hash == self.runner.token_hash else "unknown"

    def pristine_ratings(self) -> Ratings:
        """The library right after the scan: every movie and show without a rating."""
        ratings = {("movie", m.title): 0 for m in self.spec.movies}
        ratings.update({("tvshow", s.title): 0 for s in self.spec.shows})
        return ratings

    # -- Kodi on and off ---------------------------------------------------------------------
    def start(self, *names: str) -> None:
        """Switch these boxes on together."""
        in_parallel([self.boxes[n].kodi.start for n in names])

    def quit(self, *names: str) -> None:
        """Switch these boxes off together (all when none named)."""
        in_parallel([self.boxes[n].kodi.quit_kodi for n in names or BOXES])

    def running(self) -> list[Box]:
        return [box for box in self.boxes.values() if box.kodi.running]

    def enable_runner(self) -> None:
        """Box A's web server on (a restart; it binds every interface, so with a password)
        for the runner; it stays on for the session."""
        if self.runner_enabled:
            return
        kodi = self.boxes["A"].kodi
        password = secrets.token_urlsafe(16)
        self.runner.kodi_url = kodi.set_web_server(password)
        self.runner.kodi_password = password
        kodi.quit_kodi()
        self.runner_enabled = True

    # -- state -------------------------------------------------------------------------------
    def settings(
        self, config: Config, box: str, *, two_way: bool, sync_on_start: bool = True
    ) -> dict[str, str]:
        """A box's add-on settings: the sandbox as Simkl, a sync at Kodi start after a short
        delay, no interval sync; two-way with the shortest edit check when asked."""
        return {
            "api_url": self.sandbox.url,
            "client_id": CLIENT_ID,
            "debug": "true",
            "sync_on_start": "true" if sync_on_start else "false",
            "startup_delay": str(STARTUP_DELAY),
            "sync_interval": "0",
            "two_way": "true" if two_way else "false",
            "edit_check": str(EDIT_CHECK),
            "household_role": config.roles[box],
        }

    def reset(self, config: Config, *, two_way: bool, sync_on_start: bool = True) -> None:
        """Every box off; the library as scanned (no ratings), counters cleared, the sandbox
        at the original account; fresh add-on state with each box's own token and the
        configuration's settings; a fresh runner."""
        self.quit()
        self.store.restore(self.pristine)
        self.store.reset_write_counter()
        reset_sandbox(self.sandbox, self.account)
        self.sandbox.clear_requests()
        for name, box in self.boxes.items():
            box.addon.seed_token(box.token)
            settings = self.settings(config, name, two_way=two_way, sync_on_start=sync_on_start)
            box.kodi.write_addon_settings(ADDON_ID, settings)
        self.runner.reset()
        if config.runner:
            self.enable_runner()

    def snapshot(self) -> Snapshot:
        """Copy everything a later test restores (boxes off)."""
        self.quit()
        folder = self.workdir / "snapshots" / str(len(self.baselines))
        profiles = {}
        for name, box in self.boxes.items():
            profiles[name] = folder / name
            _copy_tree(box.addon.profile, profiles[name])
        runner = folder / RUNNER
        _copy_tree(self.runner.folder, runner)
        return Snapshot(self.store.dump(), profiles, runner, self.sandbox.account_state())

    def fresh(self, config: Config, name: str, *, two_way: bool = False) -> Scenario:
        """A scenario on the library as scanned, before any sync (boxes off)."""
        self.reset(config, two_way=two_way)
        run = Scenario(self, config, name, two_way=two_way)
        run.begin()
        return run

    def after_first_sync(self, config: Config, name: str) -> Scenario:
        """A scenario from the end of the first sync (boxes off): restored when an earlier
        test of this configuration saved it (save_baseline), else made now and recorded as
        this scenario's first step."""
        saved = self.baselines.get(config.name)
        if saved is None:
            run = self.fresh(config, name)
            run.first_sync()
            self.quit()
            return run
        self.restore(saved.snapshot)
        run = Scenario(self, config, name, two_way=False)
        run.expected = dict(saved.expected)
        run.begin()
        return run

    def save_baseline(self, run: Scenario) -> None:
        """Keep ``run``'s state (after its first sync, at rest) for later scenarios."""
        self.baselines[run.config.name] = Baseline(self.snapshot(), dict(run.expected))

    def restore(self, snapshot: Snapshot) -> None:
        """Back to a snapshot: boxes off, library, profiles, runner, Simkl account; the
        request log and the write counter cleared."""
        self.quit()
        self.store.restore(snapshot.dump)
        self.store.reset_write_counter()
        self.sandbox.restore_account_state(snapshot.account)
        self.sandbox.clear_requests()
        for name, box in self.boxes.items():
            _copy_tree(snapshot.profiles[name], box.addon.profile)
        _copy_tree(snapshot.runner, self.runner.folder)


# -- scenarios ------------------------------------------------------------------------------
class Scenario:
    """One scenario in one configuration: its expected library and Simkl account, the steps
    with their figures, and the checks after each step."""

    def __init__(self, household: Household, config: Config, name: str, *, two_way: bool):
        self.household = household
        self.config = config
        self.name = name
        self.two_way = two_way
        self.expected: Ratings = household.pristine_ratings()
        self.simkl_expected: SimklRatings = {}
        self.feature_targets = config.needs_feature
        self._edit_mark = 0

    @property
    def sandbox(self) -> SimklSandbox:
        return self.household.sandbox

    @property
    def store(self) -> MariaDbVideoStore:
        return self.household.store

    def begin(self) -> None:
        """From here on the scenario's expectations and write log count."""
        self.simkl_expected = simkl_ratings(self.sandbox)

    # -- what happens ------------------------------------------------------------------------
    def first_sync(self) -> None:
        """Both boxes start on the unrated library (the runner runs when it is a member):
        every rating on Simkl that matches an item lands in the library."""
        self.expected.update(self.household.account.expected)
        with self.step("first sync (both boxes start)"):
            self.switch_on(*BOXES, runner=self.config.runner)

    def choose(self, config: Config) -> None:
        """The user changes who syncs (each box's setting; boxes off, as Kodi caches them)."""
        self.household.quit()
        for name, box in self.household.boxes.items():
            settings = self.household.settings(config, name, two_way=self.two_way)
            box.kodi.write_addon_settings(ADDON_ID, settings)
        self.config = config
        self.feature_targets = config.needs_feature

    def rate_on_simkl(self, type_: str, simkl_id: int, kind: str, title: str, value: int) -> None:
        """The user rates on simkl.com; the library should follow."""
        self.sandbox.set_rating(type_, simkl_id, value)
        self.simkl_expected[(type_, simkl_id)] = value
        self.expected[(kind, title)] = value

    def unrate_on_simkl(self, type_: str, simkl_id: int, kind: str, title: str) -> None:
        """The user removes a rating on simkl.com; the library should lose it."""
        self.sandbox.remove_rating(type_, simkl_id)
        self.simkl_expected[(type_, simkl_id)] = None
        self.expected[(kind, title)] = 0

    def rate_in_kodi(self, box: str, type_: str, simkl_id: int, kind: str, title: str, value: int):
        """The user rates on a box (JSON-RPC Set…Details, as a remote app does); two-way
        should take it to the Simkl item."""
        self._edit_mark = len(self.sandbox.requests)  # await_edit_checks looks after this
        self.household.boxes[box].addon.set_rating(kind, title, value)
        self.expected[(kind, title)] = value
        self.simkl_expected[(type_, simkl_id)] = value

    def await_edit_checks(self) -> None:
        """After an edit in Kodi: a push if two-way boxes sync, then quiet long enough that
        every box's edit check has looked at the library since."""
        if any(self.config.syncs(box) for box in BOXES):
            wait_for(
                lambda: any(r.method == "POST" for r in self.sandbox.requests[self._edit_mark :]),
                timeout=3 * EDIT_CHECK + 10,
                message="a push after the edit",
            )
        self.wait_quiet(time.monotonic() + EDIT_QUIET, EDIT_QUIET)

    def switch_on(self, *names: str, runner: bool = False) -> None:
        """Boxes on together (each one's service runs at start), then the runner's run when
        it is a member; returns once every run is over and Simkl has heard nothing for a
        while."""
        boxes = [self.household.boxes[n] for n in names]
        reports = {b.name: mtime_ns(b.addon.report_path) for b in boxes}
        marks = {b.name: b.kodi.log_mark() for b in boxes}
        began = time.monotonic()
        self.household.start(*names)
        for box in boxes:  # every service says it started, whatever its role
            wait_for(
                lambda b=box: SERVICE_STARTED in b.kodi.log_since(marks[b.name]),
                timeout=30,
                message=f"box {box.name}'s service to start",
            )
        for box in boxes:
            if self.config.syncs(box.name):  # its run's report is the signal
                wait_for_file_change(box.addon.report_path, reports[box.name], timeout=90)
        if runner:
            self.household.runner.sync(two_way=self.two_way)
        self.wait_quiet(began + STARTUP_DELAY + QUIET, QUIET)

    def restart(self, *names: str, runner: bool = False) -> None:
        """A scheduled sync: the boxes restarted (and the runner run)."""
        self.household.quit(*names)
        self.switch_on(*names, runner=runner)

    def wait_quiet(self, not_before: float, quiet: float) -> None:
        """Until ``not_before`` and no Simkl request for ``quiet`` seconds."""

        def settled() -> bool:
            requests = self.sandbox.requests
            last = requests[-1].time if requests else 0.0
            calm = time.time() - last >= quiet
            return calm and time.monotonic() >= not_before

        wait_for(settled, timeout=120, interval=0.2, message="the household to fall quiet")

    # -- measuring and checking --------------------------------------------------------------
    @contextmanager
    def step(self, name: str, *, pushes: int = 0) -> Iterator[None]:
        """Measure what happens inside, record it, then check the step (see ``check``);
        ``pushes``: the rating changes that should reach Simkl (each once)."""
        writes_before = len(self.store.write_log())
        requests_before = len(self.sandbox.requests)
        library_before = self.store.userratings()
        began = time.monotonic()
        yield
        seconds = time.monotonic() - began
        log = self.store.write_log()[writes_before:]
        requests = self.sandbox.requests[requests_before:]
        asked = dict.fromkeys(self.config.members, 0)
        for record in requests:
            member = self.household.member_of(record.token_sha256)
            asked[member] = asked.get(member, 0) + 1
        posts = [r for r in requests if r.method == "POST"]
        figures = StepFigures(
            config=self.config.name,
            scenario=self.name,
            step=name,
            writes=len(log),
            requests=asked,
            posts=sum(r.path == "/sync/ratings" for r in posts),
            removes=sum(r.path == "/sync/ratings/remove" for r in posts),
            seconds=round(seconds, 2),
            write_log=log,
        )
        self.household.figures.add(figures)
        changed = sum(library_before.get(k) != v for k, v in self.expected.items())
        self.check(figures, changed, pushes)

    def check(self, figures: StepFigures, changed: int, pushes: int) -> None:
        """Data safety in every configuration (the library and Simkl as expected, both boxes
        reading the same, no value going back); where a box is told not to sync, the
        feature's targets too: one write per change, no request from a member that does not
        sync, each push once."""
        where = f"[{self.config}] {self.name} / {figures.step}"
        library = self.store.userratings()
        assert library == self.expected, (
            f"{where}: library (SQL) differs: {_diff(library, self.expected)}"
        )
        for box in self.household.running():
            seen = box.addon.ratings()
            assert seen == library, f"{where}: box {box.name} reads {_diff(seen, library)}"
        titles = self.store.titles()
        settled = {key: self.expected[(key[0], title)] for key, title in titles.items()}
        flips = flip_backs(self.store.write_log(), settled)
        assert not flips, f"{where}: a value went back: {flips}"
        simkl = simkl_ratings(self.sandbox)
        assert simkl == self.simkl_expected, (
            f"{where}: Simkl differs: {_diff(simkl, self.simkl_expected)}"
        )
        if not self.feature_targets:
            return  # today's behaviour: measured, double work expected
        assert figures.writes == changed, (
            f"{where}: {figures.writes} library writes for {changed} changes: {figures.write_log}"
        )
        idle = {m: n for m, n in figures.requests.items() if not self.config.syncs(m) and n}
        assert not idle, f"{where}: members that do not sync asked Simkl: {idle}"
        assert figures.pushes == pushes, (
            f"{where}: {figures.posts} POST /sync/ratings + {figures.removes} removes"
            f" for {pushes} pushes"
        )
