"""A throwaway MariaDB server for the household tests: Kodi boxes sharing one video library.

Debian's ``mariadbd`` runs with ``--no-defaults`` on 127.0.0.1, a free port, its own socket and
a datadir on tmpfs, so a system MariaDB (port 3306, /run/mysqld) and other test runs are never
touched, and nothing is left behind. Kodi gets its own account (``kodi`` with a random password
and ``GRANT ALL``, as the Kodi wiki tells users) and creates ``MyVideos121`` itself. The tests
talk to the server as root through the socket with the ``mariadb`` command-line client (no
Python driver needed); SQL goes in on stdin, never on a command line, and any password the
server knows is masked in error messages.
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

from tests.e2e import library_gen
from tests.e2e.host import free_port, tail, terminate, tmpfs_workdir
from tests.e2e.video_db import ID_COLUMNS, WRITES_TABLE, MySqlSettings

MARIADBD = Path("/usr/sbin/mariadbd")
INSTALL_DB = "mariadb-install-db"
CLIENT = "mariadb"
DUMP = "mariadb-dump"
KODI_VIDEO_DB = "MyVideos121"  # Kodi 20's video schema; Kodi names the database itself


def mariadb_missing() -> list[str]:
    """The MariaDB programs these tests need that are not installed."""
    missing = [] if MARIADBD.is_file() else [str(MARIADBD)]
    return missing + [tool for tool in (INSTALL_DB, CLIENT, DUMP) if shutil.which(tool) is None]


class MariaDbError(RuntimeError):
    """The server did not start or a statement failed (secrets masked in the message)."""


def sql_literal(value: object) -> str:
    """A value as a MariaDB literal: the harness builds its few statements itself."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


def _unescape(field: str) -> str | None:
    """One field of ``--batch`` output: NULL, or text with \\t \\n \\\\ \\0 escaped."""
    if field == "NULL":
        return None
    if "\\" not in field:
        return field
    out, chars = [], iter(field)
    for char in chars:
        if char == "\\":
            nxt = next(chars, "")
            out.append({"t": "\t", "n": "\n", "0": "\0", "\\": "\\"}.get(nxt, nxt))
        else:
            out.append(char)
    return "".join(out)


class MariaDbServer:
    """``mariadbd`` on 127.0.0.1:<free port> with a throwaway datadir; a context manager."""

    def __init__(self, workdir: Path | None = None, *, start_timeout: float = 30.0) -> None:
        self.workdir = Path(workdir) if workdir is not None else tmpfs_workdir("mariadb-hh-")
        self.datadir = self.workdir / "data"
        self.socket = self.workdir / "mysqld.sock"
        self.error_log = self.workdir / "error.log"
        self.client_config = self.workdir / "client.cnf"
        self.port = free_port()
        self.start_timeout = start_timeout
        self.start_seconds: float | None = None
        self._proc: subprocess.Popen[bytes] | None = None
        self._secrets: set[str] = set()

    # -- lifecycle --------------------------------------------------------------------------
    def _user_option(self) -> list[str]:
        """mariadbd refuses to run as root unless told to; as anyone else it runs as them."""
        return ["--user=root"] if os.geteuid() == 0 else []

    def _server_options(self) -> list[str]:
        return [
            "--no-defaults",  # never /etc/mysql: a system server's config stays out
            f"--datadir={self.datadir}",
            f"--socket={self.socket}",
            f"--port={self.port}",
            "--bind-address=127.0.0.1",
            "--skip-name-resolve",
            f"--pid-file={self.workdir / 'mysqld.pid'}",
            f"--log-error={self.error_log}",
            f"--tmpdir={self.workdir / 'tmp'}",
            # Debian's packaged server config sets these; Kodi users have them
            "--character-set-server=utf8mb4",
            "--collation-server=utf8mb4_general_ci",
            # a throwaway server: durability buys nothing, speed does
            "--innodb-buffer-pool-size=64M",
            "--innodb-log-file-size=16M",
            "--innodb-flush-log-at-trx-commit=0",
            "--innodb-doublewrite=0",
            "--skip-log-bin",
            *self._user_option(),
        ]

    def start(self) -> MariaDbServer:
        """Create the datadir, start the server, wait until it answers; lock root to the socket."""
        began = time.monotonic()
        (self.workdir / "tmp").mkdir(parents=True, exist_ok=True)
        install = subprocess.run(
            [INSTALL_DB, "--no-defaults", f"--datadir={self.datadir}", "--skip-test-db",
             "--auth-root-authentication-method=normal", *self._user_option()],
            capture_output=True, text=True, check=False, timeout=120,
        )  # fmt: skip
        if install.returncode != 0:
            raise MariaDbError(f"{INSTALL_DB} failed:\n{install.stdout[-2000:]}{install.stderr}")
        self.client_config.write_text(
            f"[client]\nuser=root\nsocket={self.socket}\nprotocol=socket\n", encoding="utf-8"
        )
        self.client_config.chmod(0o600)
        log = open(self.workdir / "mariadbd.stdout.log", "ab")  # noqa: SIM115 - owned by Popen
        self._proc = subprocess.Popen(
            [str(MARIADBD), *self._server_options()],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        log.close()
        self._wait_ready()
        # install-db also made root@127.0.0.1, root@::1 and root@<host> without a password:
        # reachable over TCP by anyone on the machine. Only the socket (in our 0700 folder) stays.
        others = self.query(
            "SELECT host FROM mysql.user WHERE user = 'root' AND host <> 'localhost'"
        )
        for (host,) in others:
            self.execute(f"DROP USER 'root'@{sql_literal(host)}")
        self.start_seconds = time.monotonic() - began
        return self

    def _wait_ready(self) -> None:
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self._proc is None or self._proc.poll() is not None:
                self.stop()
                raise MariaDbError(f"mariadbd exited during start:\n{tail(self.error_log)}")
            if self.socket.exists():
                probe = self._client(["--connect-timeout=2"], "SELECT 1", check=False)
                if probe.returncode == 0:
                    return
            time.sleep(0.05)
        self.stop()
        raise MariaDbError(f"mariadbd not ready in {self.start_timeout}s:\n{tail(self.error_log)}")

    @property
    def running(self) -> bool:
        return self._proc is not None and self._proc.poll() is None

    def stop(self, *, keep: bool = False) -> None:
        """Shut the server down (SIGTERM is its clean shutdown) and remove its folder."""
        if self._proc is not None:
            terminate(self._proc, 20)
            self._proc = None
        if not keep:
            shutil.rmtree(self.workdir, ignore_errors=True)

    def __enter__(self) -> MariaDbServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop(keep=os.environ.get("KODI_E2E_KEEP") == "1")

    # -- SQL ---------------------------------------------------------------------------------
    def _mask(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "***")
        return text

    def _client(
        self, options: Sequence[str], sql: str, *, check: bool = True, program: str = CLIENT
    ) -> subprocess.CompletedProcess[bytes]:
        command = [program, f"--defaults-file={self.client_config}", *options]
        result = subprocess.run(
            command, input=sql.encode("utf-8"), capture_output=True, check=False, timeout=120
        )
        if check and result.returncode != 0:
            error = self._mask(result.stderr.decode("utf-8", "replace").strip())
            raise MariaDbError(f"{program} failed ({result.returncode}): {error}")
        return result

    def query(self, sql: str, database: str | None = None) -> list[list[str | None]]:
        """Rows of the last result set of ``sql`` (one or more statements), NULL as None."""
        options = ["--batch", "--skip-column-names", "--default-character-set=utf8mb4"]
        if database is not None:
            options.append(f"--database={database}")
        out = self._client(options, sql).stdout.decode("utf-8")
        return [[_unescape(f) for f in line.split("\t")] for line in out.splitlines()]

    def execute(self, sql: str, database: str | None = None) -> None:
        """Run statements; raise MariaDbError on the first failure."""
        self.query(sql, database)

    def databases(self) -> list[str]:
        return [str(row[0]) for row in self.query("SHOW DATABASES")]

    def create_kodi_user(self, user: str = "kodi", name: str | None = None) -> MySqlSettings:
        """A Kodi account with a random password and ``GRANT ALL ON *.*`` (the Kodi wiki's
        ``'kodi'@'%'``; here '127.0.0.1', the only address the server listens on)."""
        password = secrets.token_hex(16)
        self._secrets.add(password)
        account = f"{sql_literal(user)}@'127.0.0.1'"
        self.execute(
            f"CREATE USER {account} IDENTIFIED BY {sql_literal(password)};"
            f" GRANT ALL ON *.* TO {account}; FLUSH PRIVILEGES;"
        )
        return MySqlSettings("127.0.0.1", self.port, user, password, name)

    def dump(self, database: str) -> bytes:
        """The whole database (tables, views, triggers) as SQL, to restore() later."""
        options = ["--single-transaction", "--triggers", "--routines", "--skip-comments",
                   "--add-drop-database", "--databases", database]  # fmt: skip
        return self._client(options, "", program=DUMP).stdout

    def restore(self, dump: bytes) -> None:
        """Put a dump() back (it drops and recreates its database); no client may be writing."""
        self._client([], dump.decode("utf-8"))


class MariaDbVideoStore:
    """Kodi's shared video library on the server: the harness's ``VideoStore`` for it, plus the
    ground truth of each item's userrating straight from SQL."""

    def __init__(self, server: MariaDbServer, database: str = KODI_VIDEO_DB) -> None:
        self.server = server
        self.database = database

    def exists(self) -> bool:
        """Kodi creates the database at its first start with the mysql settings."""
        return self.database in self.server.databases()

    def query(self, sql: str) -> list[list[str | None]]:
        return self.server.query(sql, self.database)

    def register_sources(self, sources: Mapping[Path, str]) -> None:
        columns = ", ".join(library_gen.PATH_COLUMNS)
        statements = []
        for row in library_gen.path_rows(dict(sources)):
            values = ", ".join(sql_literal(v) for v in row.values(library_gen.now_text()))
            statements.append(f"DELETE FROM path WHERE strPath = {sql_literal(row.path)};")
            statements.append(f"INSERT INTO path ({columns}) VALUES ({values});")
        self.server.execute("\n".join(statements), self.database)

    def install_write_counter(self) -> None:
        """An ``AFTER UPDATE`` trigger per table logging (table, id, old and new userrating).

        The row of SetTVShowDetails' blanking pass (``c00`` set to NULL before the rewrite, see
        tests/e2e/video_db.py) is logged flagged ``blanked`` and left out of counts and logs,
        so one write == one Set…Details call; blanking_passes() shows they happen.
        """
        statements = [
            f"CREATE TABLE IF NOT EXISTS {WRITES_TABLE} (id INT AUTO_INCREMENT PRIMARY KEY,"
            " tbl VARCHAR(16), item_id INT, old_userrating INT, new_userrating INT,"
            " blanked TINYINT, at TIMESTAMP(3) DEFAULT CURRENT_TIMESTAMP(3));"
        ]
        for table, id_column in ID_COLUMNS.items():
            statements.append(f"DROP TRIGGER IF EXISTS e2e_count_{table};")
            statements.append(
                f"CREATE TRIGGER e2e_count_{table} AFTER UPDATE ON {table} FOR EACH ROW"
                f" INSERT INTO {WRITES_TABLE} (tbl, item_id, old_userrating, new_userrating,"
                f" blanked) VALUES ('{table}', NEW.{id_column}, OLD.userrating,"
                " NEW.userrating, NEW.c00 IS NULL);"
            )
        self.server.execute("\n".join(statements), self.database)

    def write_count(self, table: str | None = None) -> int:
        where = f" AND tbl = {sql_literal(table)}" if table else ""
        rows = self.query(f"SELECT COUNT(*) FROM {WRITES_TABLE} WHERE blanked = 0{where}")
        return int(rows[0][0] or 0)

    def write_log(self) -> list[tuple[str, int, int | None, int | None]]:
        rows = self.query(
            f"SELECT tbl, item_id, old_userrating, new_userrating FROM {WRITES_TABLE}"
            " WHERE blanked = 0 ORDER BY id"
        )
        return [
            (str(t), int(str(i)), None if o is None else int(o), None if n is None else int(n))
            for t, i, o, n in rows
        ]

    def blanking_passes(self, table: str = "tvshow") -> int:
        """Rows written with ``c00`` NULL (Kodi's blank-then-rewrite), not counted as writes."""
        rows = self.query(
            f"SELECT COUNT(*) FROM {WRITES_TABLE} WHERE blanked = 1 AND tbl = {sql_literal(table)}"
        )
        return int(rows[0][0] or 0)

    def reset_write_counter(self) -> None:
        self.server.execute(f"DELETE FROM {WRITES_TABLE}", self.database)

    def userratings(self) -> dict[tuple[str, str], int]:
        """(kind, title) -> userrating (0 when unset) of every movie and TV show, from SQL."""
        rows = self.query(
            "SELECT 'movie', c00, userrating FROM movie"
            " UNION ALL SELECT 'tvshow', c00, userrating FROM tvshow"
        )
        return {(str(kind), str(title)): int(value or 0) for kind, title, value in rows}

    def titles(self) -> dict[tuple[str, int], str]:
        """(table, id) -> title of every movie and TV show: the write log names rows by id."""
        rows = self.query(
            "SELECT 'movie', idMovie, c00 FROM movie"
            " UNION ALL SELECT 'tvshow', idShow, c00 FROM tvshow"
        )
        return {(str(table), int(str(item_id))): str(title) for table, item_id, title in rows}

    def dump(self) -> bytes:
        return self.server.dump(self.database)

    def restore(self, dump: bytes) -> None:
        self.server.restore(dump)
