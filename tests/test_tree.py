"""The work tree's state a revision records (opconf/tree.py): clean, dirty, renamed, none."""

from __future__ import annotations

import subprocess
from pathlib import Path

from opconf.tree import TreeState, tree_state


def _git(folder: Path, *args: str) -> str:
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.com", *args]
    return subprocess.run(git, cwd=folder, capture_output=True, text=True, check=True).stdout


def _repo(tmp_path: Path) -> Path:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "a.yaml").write_text("a: 1\n", encoding="utf-8")
    (tmp_path / "README").write_text("hi\n", encoding="utf-8")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "c")
    return tmp_path / "config"


def test_outside_a_work_tree_nothing_is_known(tmp_path: Path) -> None:
    assert tree_state(tmp_path) == TreeState(None)


def test_a_clean_tree_is_its_commit(tmp_path: Path) -> None:
    config = _repo(tmp_path)
    head = _git(tmp_path, "rev-parse", "HEAD").strip()
    assert tree_state(config) == TreeState(head)
    assert TreeState(head).record() == {}


def test_changes_anywhere_tracked_and_new_files_in_the_config_are_dirty(tmp_path: Path) -> None:
    config = _repo(tmp_path)
    (tmp_path / "README").write_text("changed\n", encoding="utf-8")
    (config / "b.yaml").write_text("b: 1\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not applied\n", encoding="utf-8")  # untracked, outside
    state = tree_state(config)
    assert state.paths == ("README", "config/b.yaml")
    assert state.describe() == "2 uncommitted changes (README, config/b.yaml)"
    first = state.digest
    (config / "b.yaml").write_text("b: 2\n", encoding="utf-8")
    assert tree_state(config).digest != first  # the content counts, not only the names


def test_a_staged_rename_is_one_change(tmp_path: Path) -> None:
    config = _repo(tmp_path)
    _git(tmp_path, "mv", "config/a.yaml", "config/c.yaml")
    assert tree_state(config).paths == ("config/c.yaml",)
