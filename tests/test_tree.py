"""The tracked tree is what a clean clone gets: nothing in it points outside the checkout.

A symlink committed from a worktree (``.venv -> /elsewhere/.venv``) resolves on the machine
that made it and dangles on every clean clone, where ``make`` then cannot create its venv.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]

pytestmark = pytest.mark.skipif(
    shutil.which("git") is None or not (ROOT / ".git").exists(),
    reason="not a git checkout",
)


def _git(*args: str) -> list[str]:
    out = subprocess.run(
        ["git", "-C", str(ROOT), *args], check=True, capture_output=True, text=True
    ).stdout
    return [line for line in out.splitlines() if line]


def test_no_symlink_is_tracked() -> None:
    # Mode 120000 is git's symlink.
    links = [line.split("\t", 1)[1] for line in _git("ls-files", "-s") if line.startswith("120000")]
    assert links == []


def test_nothing_ignored_is_tracked() -> None:
    assert _git("ls-files", "--cached", "--ignored", "--exclude-standard") == []
