"""Static checks for state that Kodi's Python sub-interpreters share and break.

Kodi runs every script and service in a sub-interpreter of one process. On Kodi 19 (Python 3.9)
the ``_datetime`` extension's type objects are shared, and each sub-interpreter that imports it
sets their class attributes anew; a later run can then read ``datetime.min`` as a timedelta or a
bytes object (xbmc/xbmc #17311; reproduced by tests/e2e/test_subinterpreters.py on real Kodi
19.1, where ``planning._NEVER = datetime.min.replace(...)`` died at import). So the add-on's code
never reads those attributes: not at import time, and not later either (a run that reads one
right after another run started can get a stale object too). Build the values instead
(``timezone(timedelta(0))``, ``datetime(1, 1, 1)``) where they are needed.

``strptime`` is kept out for a related, long-known Kodi problem: ``_strptime`` is imported
lazily on the first call and fails in sub-interpreters ("'NoneType' object is not callable").
"""

from __future__ import annotations

import ast
import pathlib

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
# What Kodi imports: the add-on's package and its two entry points.
SOURCES = [*sorted((ROOT / "lib").rglob("*.py")), ROOT / "default.py", ROOT / "service.py"]

DATETIME_CLASSES = {"datetime", "date", "time", "timedelta", "timezone"}
# Class attributes that _datetime's module init stores on the shared static types.
FRAGILE = {"min", "max", "resolution", "utc"}
FORBIDDEN_CALLS = {"strptime"}


def _aliases(tree: ast.Module) -> tuple[dict[str, str], set[str]]:
    """Local names bound to datetime's classes (name -> class) and to the module itself."""
    classes: dict[str, str] = {}
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "datetime":
            for alias in node.names:
                if alias.name in DATETIME_CLASSES:
                    classes[alias.asname or alias.name] = alias.name
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name == "datetime":
                    modules.add(alias.asname or alias.name)
    return classes, modules


def _owner_class(node: ast.expr, classes: dict[str, str], modules: set[str]) -> str | None:
    """The datetime class an expression names (``datetime``, ``dt.timezone``), if any."""
    if isinstance(node, ast.Name) and node.id in classes:
        return classes[node.id]
    if (
        isinstance(node, ast.Attribute)
        and node.attr in DATETIME_CLASSES
        and isinstance(node.value, ast.Name)
        and node.value.id in modules
    ):
        return node.attr
    return None


def _module_level_nodes(tree: ast.Module) -> set[int]:
    """ids of the nodes that run at import time: everything outside function bodies (class
    bodies and default values run at import too)."""
    deferred: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            body = node.body if isinstance(node.body, list) else [node.body]
            for statement in body:
                deferred.update(id(child) for child in ast.walk(statement))
    return {id(node) for node in ast.walk(tree)} - deferred


def fragile_uses(source: str, filename: str = "<source>") -> list[str]:
    """Each read of a fragile datetime class attribute or a strptime call, as
    ``file:line: what (import time|in a function)``."""
    tree = ast.parse(source, filename)
    classes, modules = _aliases(tree)
    import_time = _module_level_nodes(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Attribute):
            continue
        owner = _owner_class(node.value, classes, modules)
        what = None
        if owner is not None and node.attr in FRAGILE:
            what = f"{owner}.{node.attr}"
        elif node.attr in FORBIDDEN_CALLS:
            what = f".{node.attr}"
        if what:
            when = "import time" if id(node) in import_time else "in a function"
            found.append(f"{filename}:{node.lineno}: {what} ({when})")
    return found


def test_the_add_on_reads_no_shared_datetime_class_attributes() -> None:
    found = []
    for path in SOURCES:
        found += fragile_uses(path.read_text(encoding="utf-8"), str(path.relative_to(ROOT)))
    assert not found, "sub-interpreter-fragile datetime state:\n" + "\n".join(found)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "from datetime import datetime, timezone\n"
            "_NEVER = datetime.min.replace(tzinfo=timezone.utc)\n",
            [
                "<source>:2: datetime.min (import time)",
                "<source>:2: timezone.utc (import time)",
            ],
        ),
        (
            "import datetime as dt\ndef now():\n    return dt.datetime.now(dt.timezone.utc)\n",
            ["<source>:3: timezone.utc (in a function)"],
        ),
        (
            "from datetime import timedelta as td\nclass A:\n    LIMIT = td.max\n",
            ["<source>:3: timedelta.max (import time)"],
        ),
        (
            "from datetime import datetime\ndef f(x=datetime.max):\n    return x\n",
            ["<source>:2: datetime.max (import time)"],
        ),
        ("import time\nt = time.strptime('2024', '%Y')\n", ["<source>:2: .strptime (import time)"]),
        (
            "from datetime import datetime, timedelta, timezone\n"
            "def utc():\n    return timezone(timedelta(0))\n"
            "EPOCH_YEAR = datetime(1970, 1, 1).year\n",
            [],
        ),
        # Names that merely look alike are not datetime's: a local object's .max is fine.
        ("limits = {}\nclass L:\n    max = 3\nx = L.max\n", []),
    ],
)
def test_the_checker_finds_what_it_should(source: str, expected: list[str]) -> None:
    assert sorted(fragile_uses(source)) == sorted(expected)
