"""`simkl-ratings-sync`: arguments, configuration and dispatch; exit codes in exit_codes.py.

Options that say where Kodi and Simkl are may stand before or after the command. Every command
runs in-process from `main()` (tests call it with their own streams and environment); `entry()`
is the installed command: private file modes, and Ctrl-C / SIGTERM ask the run to stop
between steps, keeping what it wrote (a second Ctrl-C stops at once).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
from typing import Any, Mapping, Sequence, TextIO

from ..core.errors import ConfigError
from ..core.redact import redact
from ..core.simkl.client import RetryPolicy
from . import output, signin, status, sync
from .config import (
    CONFIG_ENV,
    POLICY_WORDS,
    config_file_is_private,
    read_config_file,
    resolve,
)
from .context import Interrupt, RunnerContext, package_version
from .exit_codes import ExitCode
from .paths import Paths

PROG = "simkl-ratings-sync"
_CONNECTION_OPTIONS = ("kodi_url", "kodi_user", "kodi_password", "client_id", "api_url")
SILENT = logging.CRITICAL + 1  # no engine log line reaches stderr without -v
_SYNC_OPTIONS = ("types", "policy", "title_fallback", "batch_size", "two_way", "shared_library")

EPILOG = """\
exit codes: 0 ok, 1 internal error, 2 usage or configuration, 3 not signed in,
4 Simkl error, 5 Kodi unreachable or refused the login, 6 some writes failed,
7 another sync is running, 8 that Kodi's add-on syncs its library itself, 9 something waits
for your answer (run `sync` in a terminal), 130 interrupted.
Environment: SIMKL_RATINGS_KODI_URL, _KODI_USER, _KODI_PASSWORD, _CLIENT_ID, _API_URL,
_TYPES, _POLICY, _TITLE_FALLBACK, _BATCH_SIZE, _TWO_WAY, _SHARED_LIBRARY, _CONFIG (all
prefixed SIMKL_RATINGS_).
"""


class _Parser(argparse.ArgumentParser):
    """argparse that reports a usage error as exit code 2 on the given stream."""

    out: TextIO = sys.stdout
    err: TextIO = sys.stderr

    def _print_message(self, message: str, file: Any = None) -> None:
        """Help and --version to `out`, usage errors to `err` (the caller's streams)."""
        if message:
            (self.err if file is sys.stderr else self.out).write(message)

    def exit(self, status: int = 0, message: str | None = None) -> Any:
        if message:
            self.err.write(message)
        raise _ParserExit(status)


class _ParserExit(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status


def _common(suppress: bool) -> argparse.ArgumentParser:
    """Options accepted before and after the command (SUPPRESS keeps a subparser's default
    from overwriting a value given before the command)."""
    default = argparse.SUPPRESS if suppress else None
    common = argparse.ArgumentParser(add_help=False)
    group = common.add_argument_group("where Kodi and Simkl are")
    group.add_argument(
        "--config",
        metavar="FILE",
        default=default,
        help="config file (default: config.ini in the config folder)",
    )
    group.add_argument(
        "--kodi-url",
        metavar="URL",
        default=default,
        help="Kodi's web server, e.g. http://192.168.1.20:8080",
    )
    group.add_argument("--kodi-user", metavar="USER", default=default, help="default: kodi")
    group.add_argument(
        "--kodi-password",
        metavar="PASSWORD",
        default=default,
        help="visible to other users in `ps`: prefer the environment or config file",
    )
    group.add_argument(
        "--client-id", metavar="ID", default=default, help="your Simkl app's client id"
    )
    group.add_argument("--api-url", metavar="URL", default=default, help=argparse.SUPPRESS)
    common.add_argument(
        "--json",
        action="store_true",
        default=default or False,
        help="print the result as JSON on stdout",
    )
    common.add_argument(
        "-v",
        "--verbose",
        action="count",
        default=default or 0,
        help="log what happens on stderr (-vv for details)",
    )
    return common


def _sync_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--types", metavar="LIST", help="movies,shows,anime (default: all)")
    parser.add_argument(
        "--policy",
        choices=sorted(POLICY_WORDS),
        help="when Kodi already has another rating (default: simkl-wins)",
    )
    _switch(parser, "title_fallback", "match by title and year when no id matches")
    parser.add_argument("--batch-size", metavar="N", help="ratings per JSON-RPC batch (1-1000)")
    _switch(parser, "two_way", "also send ratings changed in Kodi to Simkl")
    _switch(
        parser,
        "shared_library",
        "Kodi's library is shared by several devices (MySQL/MariaDB)",
        negatable=False,
    )


def _switch(parser: argparse.ArgumentParser, name: str, text: str, *, negatable: bool = True):
    """`--name` (and `--no-name`) for a boolean option; unset (None) leaves it to the
    environment and the config file."""
    flag = "--" + name.replace("_", "-")
    parser.add_argument(flag, dest=name, action="store_true", default=None, help=text)
    if negatable:
        parser.add_argument("--no-" + flag[2:], dest=name, action="store_false")


def build_parser(out: TextIO, err: TextIO) -> argparse.ArgumentParser:
    _Parser.out, _Parser.err = out, err
    parser = _Parser(
        prog=PROG,
        description="Copy your Simkl ratings to Kodi's 'My rating', over Kodi's JSON-RPC (HTTP).",
        epilog=EPILOG,
        parents=[_common(False)],
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {package_version()}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    common = _common(True)
    login = commands.add_parser("login", parents=[common], help="sign in to Simkl with a code")
    qr = login.add_mutually_exclusive_group()
    qr.add_argument(
        "--qr",
        dest="qr",
        action="store_true",
        default=None,
        help="draw the QR code even when stdout is not a terminal",
    )
    qr.add_argument("--no-qr", dest="qr", action="store_false", help="never draw the QR code")
    commands.add_parser("logout", parents=[common], help="sign out (revokes the sign-in at Simkl)")
    run = commands.add_parser("sync", parents=[common], help="copy the ratings into Kodi")
    _sync_options(run)
    run.add_argument(
        "--rebuild", action="store_true", help="download everything again instead of what changed"
    )
    preview = commands.add_parser("preview", parents=[common], help="show what sync would change")
    _sync_options(preview)
    state = commands.add_parser(
        "status", parents=[common], help="account, last sync, what is pending"
    )
    state.add_argument("--offline", action="store_true", help="ask neither Simkl nor Kodi")
    return parser


class _RedactingFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record))


def _setup_logging(verbosity: int, stream: TextIO) -> logging.Handler:
    """The engine's log on stderr only when asked (-v: what happens, -vv: details). Without
    it the runner says what matters itself, once: a cron job that went well prints nothing on
    stderr, and an error is one line, not the engine's line and the runner's."""
    logger = logging.getLogger("simkl_ratings")
    handler = logging.StreamHandler(stream)
    handler.setFormatter(_RedactingFormatter("%(levelname)s %(name)s: %(message)s"))
    level = SILENT if verbosity <= 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    handler.setLevel(level)
    logger.addHandler(handler)
    logger.setLevel(min(level, logger.level or SILENT))
    logger.propagate = False
    return handler


def main(
    argv: Sequence[str] | None = None,
    *,
    env: Mapping[str, str] | None = None,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    interrupt: Interrupt | None = None,
    retry: RetryPolicy | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run one command; its exit code. Questions are asked only when `stdin` (default: the
    process's) is a terminal and the output is not --json."""
    env = os.environ if env is None else env
    out = stdout or sys.stdout
    err = stderr or sys.stderr
    answers = stdin or sys.stdin
    try:
        args = build_parser(out, err).parse_args(argv)
    except _ParserExit as stop:
        return ExitCode.OK if stop.status == 0 else ExitCode.USAGE
    handler = _setup_logging(getattr(args, "verbose", 0) or 0, err)
    try:
        return _dispatch(args, env, out, err, interrupt=interrupt, retry=retry, stdin=answers)
    except ConfigError as exc:
        output.error(err, str(exc), ExitCode.USAGE)
        return ExitCode.USAGE
    except KeyboardInterrupt:
        output.say(err, "Interrupted.")
        return ExitCode.INTERRUPTED
    finally:
        logging.getLogger("simkl_ratings").removeHandler(handler)


def _dispatch(
    args: argparse.Namespace,
    env: Mapping[str, str],
    out: TextIO,
    err: TextIO,
    *,
    interrupt: Interrupt | None,
    retry: RetryPolicy | None,
    stdin: TextIO,
) -> int:
    paths = Paths.from_env(env)
    explicit = getattr(args, "config", None) or env.get(CONFIG_ENV)
    config_path = explicit or paths.config_file
    flags = {name: getattr(args, name, None) for name in _CONNECTION_OPTIONS + _SYNC_OPTIONS}
    config = resolve(flags, env, config_path, required=bool(explicit))
    in_file = "kodi_password" in read_config_file(config_path, required=False)
    if in_file and not config_file_is_private(config_path):
        output.say(err, f"warning: {config_path} can be read by other users: chmod 600 it")
    paths.ensure()
    ctx = RunnerContext(
        config,
        paths,
        stdout=out,
        stderr=err,
        interrupt=interrupt,
        retry=retry,
        json_output=bool(getattr(args, "json", False)),
        stdin=stdin,
    )
    command = args.command
    if command == "login":
        return signin.login(ctx, qr=args.qr, env=env)
    if command == "logout":
        return signin.logout(ctx)
    if command == "status":
        return status.status(ctx, offline=args.offline)
    return sync.run(
        ctx,
        dry_run=command == "preview",
        rebuild=bool(getattr(args, "rebuild", False)),
        as_json=ctx.json_output,
    )


def entry() -> None:
    """The installed command: files private to the user, Ctrl-C / SIGTERM stop gracefully."""
    os.umask(0o077)
    interrupt = Interrupt()

    def stop(signum: int, _frame: Any) -> None:
        if interrupt():
            raise KeyboardInterrupt
        interrupt.set()
        sys.stderr.write("\nStopping after the current step (Ctrl-C again to stop now)...\n")

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    sys.exit(main(interrupt=interrupt))
