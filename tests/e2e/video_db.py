"""Direct access to Kodi's MyVideos<N>.db for test-only bookkeeping.

Kodi sends no notification for ``VideoLibrary.Set…Details`` and rewrites the row even when the
value is unchanged, so SQLite triggers are the ground truth for "how many writes happened".
Observed on Kodi 20.1: a movie or episode call is one ``UPDATE``; a ``SetTVShowDetails`` call is
two (the row is first blanked, ``c00`` = NULL, then rewritten). The triggers skip the blanking
update, so one recorded write == one Set…Details call on every table.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

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
