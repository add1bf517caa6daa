"""tools/ is not a package: make its scripts importable for the packaging tests. Also a
throwaway git copy of this tree, for tests that plant, commit or break files."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
TOOLS = str(ROOT / "tools")
if TOOLS not in sys.path:
    sys.path.insert(0, TOOLS)

GIT_ENV = {
    "GIT_AUTHOR_NAME": "packaging test",
    "GIT_AUTHOR_EMAIL": "packaging@example.invalid",
    "GIT_COMMITTER_NAME": "packaging test",
    "GIT_COMMITTER_EMAIL": "packaging@example.invalid",
}


def git(tree: Path, *args: str) -> str:
    """git in ``tree``, without the user's hooks or signing."""
    done = subprocess.run(
        ["git", "-c", "core.hooksPath=/dev/null", "-c", "commit.gpgsign=false", *args],
        cwd=tree,
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **GIT_ENV},
    )
    return done.stdout


def commit_all(tree: Path, message: str = "snapshot") -> None:
    git(tree, "add", "-A")
    git(tree, "commit", "-q", "--allow-empty", "-m", message)


@pytest.fixture(scope="session")
def committed_copy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """This tree's tracked files as the work tree has them (uncommitted edits too), committed
    in a repository of their own: what a clone of this change holds. Never planted in."""
    tree = tmp_path_factory.mktemp("committed") / "tree"
    for name in git(ROOT, "ls-files", "-z").split("\0"):
        source = ROOT / name
        if name and source.is_file() and not source.is_symlink():
            (tree / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tree / name)
    git(tree, "init", "-q")
    commit_all(tree)
    return tree


@pytest.fixture
def clone(committed_copy: Path, tmp_path: Path) -> Path:
    """A fresh clone of the committed copy, for one test to change as it likes."""
    target = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(committed_copy), str(target))
    return target
