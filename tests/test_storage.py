"""Atomic writes: the file is whole or untouched, and failures are one OutputError line."""

from __future__ import annotations

import stat

import pytest

from calaudit.errors import ExitStatus, OutputError
from calaudit.storage import atomic_write


def leftovers(directory):
    return sorted(p.name for p in directory.iterdir() if p.name.endswith(".tmp"))


def test_writes_the_bytes_with_the_mode_and_replaces_an_old_file(tmp_path):
    path = tmp_path / "report.md"
    path.write_text("old")
    atomic_write(path, b"new", mode=0o600)
    assert path.read_bytes() == b"new"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    atomic_write(path, b"newer")
    assert path.read_bytes() == b"newer"
    assert stat.S_IMODE(path.stat().st_mode) == 0o644
    assert leftovers(tmp_path) == []


def test_a_missing_folder_is_an_output_error_naming_the_path(tmp_path):
    path = tmp_path / "no-such-folder" / "report.md"
    with pytest.raises(OutputError, match=r"report\.md: cannot write here: No such file or directory") as info:
        atomic_write(path, b"x")
    assert info.value.exit_status == ExitStatus.USAGE


def test_a_failed_rename_removes_the_temporary_file_and_keeps_what_was_there(tmp_path):
    target = tmp_path / "taken"
    target.mkdir()  # a directory cannot be replaced by a file
    (target / "keep").write_text("kept")
    with pytest.raises(OutputError, match=r"taken: cannot write: Is a directory"):
        atomic_write(target, b"x")
    assert leftovers(tmp_path) == []
    assert (target / "keep").read_text() == "kept"


def test_exclusive_never_replaces_an_existing_file(tmp_path):
    path = tmp_path / "rules.yaml"
    path.write_text("mine")
    with pytest.raises(OutputError, match="already exists; not overwriting it"):
        atomic_write(path, b"template", exclusive=True)
    assert path.read_text() == "mine"
    assert leftovers(tmp_path) == []


def test_exclusive_loses_a_race_without_replacing_the_winner(tmp_path):
    # A dangling symlink is not "existing" to the first check, but the name is taken
    # when the file is linked into place: the same as another process winning a race.
    path = tmp_path / "rules.yaml"
    path.symlink_to(tmp_path / "elsewhere")
    with pytest.raises(OutputError, match=r"rules\.yaml: already exists; not overwriting it$"):
        atomic_write(path, b"template", exclusive=True)
    assert path.is_symlink() and not (tmp_path / "elsewhere").exists()
    assert leftovers(tmp_path) == []


def test_exclusive_writes_a_new_file(tmp_path):
    path = tmp_path / "rules.yaml"
    atomic_write(path, b"template", exclusive=True)
    assert path.read_bytes() == b"template"
    assert leftovers(tmp_path) == []
