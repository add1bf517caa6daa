"""Direct access to Kodi's video library for test-only bookkeeping: its own MyVideos<N>.db, or
a shared MySQL/MariaDB library (``MySqlSettings``; the server side lives in tests/household).

Kodi sends no notification for ``VideoLibrary.Set…Details`` and rewrites the row even when the
value is unchanged, so SQLite triggers are the ground truth for "how many writes happened".
Observed on Kodi 20.1: a movie or episode call is one ``UPDATE``; a ``SetTVShowDetails`` call is
two (the row is first blanked, ``c00`` = NULL, then rewritten). The triggers skip the blanking
update, so one recorded write == one Set…Details call on every table.
"""

from __future__ import annotations

import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from . import library_gen

ID_COLUMNS = {"movie": "idMovie", "tvshow": "idShow", "episode": "idEpisode"}
WRITES_TABLE = "e2e_writes"


def find_video_db(database_dir: Path) -> Path:
    """The MyVideos<N>.db Kodi created (121 on Kodi 20); the highest version if several."""
    found = sorted(
        database_dir.glob("MyVideos*.db"),
        key=lambda p: int("".join(c for c in p.stem if c.isdigit()) or 0),
    )
    if not found:
        raise FileNotFoundError(f"no MyVideos*.db in {database_dir}; start Kodi once")
    return found[-1]


def connect(db_path: Path) -> sqlite3.Connection:
    """Autocommit connection that waits (busy timeout) instead of failing while Kodi writes."""
    conn = sqlite3.connect(db_path, timeout=10, isolation_level=None)
    conn.execute("PRAGMA busy_timeout = 10000")
    return conn


def install_write_counter(db_path: Path, tables: tuple[str, ...] = tuple(ID_COLUMNS)) -> None:
    """Create ``e2e_writes`` and AFTER UPDATE triggers logging each real row write."""
    conn = connect(db_path)
    try:
        conn.execute(
            f"CREATE TABLE IF NOT EXISTS {WRITES_TABLE} (id INTEGER PRIMARY KEY, tbl TEXT,"
            " item_id INTEGER, old_userrating INTEGER, new_userrating INTEGER,"
            " at TEXT DEFAULT (strftime('%Y-%m-%d %H:%M:%f', 'now')))"
        )
        for table in tables:
            conn.execute(f"DROP TRIGGER IF EXISTS e2e_count_{table}")
            conn.execute(
                f"CREATE TRIGGER e2e_count_{table} AFTER UPDATE ON {table} FOR EACH ROW"
                " WHEN NEW.c00 IS NOT NULL"  # skip SetTVShowDetails' blanking pass
                f" BEGIN INSERT INTO {WRITES_TABLE} (tbl, item_id, old_userrating, new_userrating)"
                f" VALUES ('{table}', NEW.{ID_COLUMNS[table]}, OLD.userrating, NEW.userrating);"
                " END"
            )
    finally:
        conn.close()


def write_count(db_path: Path, table: str | None = None) -> int:
    """Writes recorded since the counter was installed or reset."""
    sql = f"SELECT COUNT(*) FROM {WRITES_TABLE}"
    args: tuple[str, ...] = ()
    if table is not None:
        sql += " WHERE tbl = ?"
        args = (table,)
    conn = connect(db_path)
    try:
        return int(conn.execute(sql, args).fetchone()[0])
    finally:
        conn.close()


def write_log(db_path: Path) -> list[tuple[str, int, int | None, int | None]]:
    """(table, item id, old userrating, new userrating) per write, oldest first."""
    conn = connect(db_path)
    try:
        sql = f"SELECT tbl, item_id, old_userrating, new_userrating FROM {WRITES_TABLE}"
        return list(conn.execute(sql + " ORDER BY id"))
    finally:
        conn.close()


def reset_write_counter(db_path: Path) -> None:
    """Forget recorded writes (the triggers stay)."""
    conn = connect(db_path)
    try:
        conn.execute(f"DELETE FROM {WRITES_TABLE}")
    finally:
        conn.close()


@dataclass(frozen=True)
class MySqlSettings:
    """A shared video library, as advancedsettings.xml's ``<videodatabase>`` names it: what
    users of several Kodi boxes on one MySQL/MariaDB server write there."""

    host: str
    port: int
    user: str
    password: str = field(repr=False)
    name: str | None = None  # None: Kodi's own "MyVideos" (+ schema version, 121 on Kodi 20)

    def xml(self) -> str:
        """The ``<videodatabase>`` element for advancedsettings.xml."""
        root = ET.Element("videodatabase")
        values = {"type": "mysql", "host": self.host, "port": self.port, "user": self.user}
        values["pass"] = self.password
        if self.name:
            values["name"] = self.name
        for tag, value in values.items():
            ET.SubElement(root, tag).text = str(value)
        return ET.tostring(root, encoding="unicode")


class VideoStore(Protocol):
    """Test-only reads and writes on Kodi's video tables, wherever Kodi keeps them: the harness
    fills the library and counts Set…Details writes through this, not through a file path."""

    def register_sources(self, sources: Mapping[Path, str]) -> None:
        """Source folder -> content type as ``metadata.local`` content paths (before a scan)."""

    def install_write_counter(self) -> None:
        """Triggers recording every Set…Details row write (see this module's docstring)."""

    def write_count(self, table: str | None = None) -> int:
        """Writes recorded since install or reset."""

    def write_log(self) -> list[tuple[str, int, int | None, int | None]]:
        """(table, item id, old userrating, new userrating) per write, oldest first."""

    def reset_write_counter(self) -> None:
        """Forget recorded writes (the triggers stay)."""


class SqliteVideoStore:
    """A Kodi's own MyVideos<N>.db in its profile (no shared library)."""

    def __init__(self, database_dir: Path) -> None:
        self.database_dir = database_dir

    @property
    def path(self) -> Path:
        """Looked up each time: Kodi creates the file at its first start."""
        return find_video_db(self.database_dir)

    def register_sources(self, sources: Mapping[Path, str]) -> None:
        library_gen.insert_path_rows(self.path, dict(sources))

    def install_write_counter(self) -> None:
        install_write_counter(self.path)

    def write_count(self, table: str | None = None) -> int:
        return write_count(self.path, table)

    def write_log(self) -> list[tuple[str, int, int | None, int | None]]:
        return write_log(self.path)

    def reset_write_counter(self) -> None:
        reset_write_counter(self.path)
