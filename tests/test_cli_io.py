"""The operating system through the real entry point: a refused write or read is one line
naming the path and the reason, exit 73 (cannot create) or 74 (I/O); never a traceback.

The tests run as root, so permissions do not stop a write: a path below a regular file
(ENOTDIR), /sys (EACCES even for root), /proc (ENOENT) and /dev/full (ENOSPC) fail for real.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.errors import FileError
from opconf.fsio import ReadError, TooLarge, read_bytes, write_text
from opconf.schema.generate import expected_files

try:
    from tests.plan import helpers as h
except ImportError:
    from plan import helpers as h  # type: ignore[no-redef]

LONG = "a" * 300  # longer than any file system's name limit (255 bytes)
TOO_LONG = "hint: a component of the path is longer than the file system allows\n"
NOT_A_FOLDER = "hint: a component of the path is a file, not a folder\n"
NOT_REGULAR = "hint: opconf reads only regular files\n"


# --- writing ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("out", "code", "reason", "hint"),
    [
        ("opconf.yaml/refs.yaml", exitcodes.CANTCREAT, "Not a directory", NOT_A_FOLDER),
        (
            "/sys/opconf.refs.yaml",
            exitcodes.CANTCREAT,
            "Permission denied",
            "hint: check the permissions of the path and its folders\n",
        ),
        ("/dev/full", exitcodes.IOERR, "No space left on device", "hint: free some disk space\n"),
    ],
)
def test_refs_pull_to_an_unwritable_path(
    env: h.Env, out: str, code: int, reason: str, hint: str
) -> None:
    (env.root / "opconf.yaml").write_text("config: config/\n")
    result = env.run("refs", "pull", "--out", out)
    assert result == (code, "", f"error: cannot write {out}: {reason}\n{hint}")


def test_refs_pull_writes_atomically_and_leaves_no_temporary_file(env: h.Env) -> None:
    assert env.run("refs", "pull").code == exitcodes.OK
    assert sorted(p.name for p in env.root.iterdir()) == ["opconf.refs.yaml"]


def test_write_text_replaces_a_file_keeping_its_mode(tmp_path: Path) -> None:
    target = tmp_path / "kept.yaml"
    target.write_text("old\n")
    os.chmod(target, 0o640)
    write_text(target, "new\n")
    assert (target.read_text(), oct(target.stat().st_mode & 0o777)) == ("new\n", "0o640")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["kept.yaml"]


def test_a_failed_write_leaves_nothing_behind(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(FileError) as caught:
        write_text(tmp_path / "folder", "x\n")
    assert (caught.value.exit_code, caught.value.message) == (
        exitcodes.CANTCREAT,
        f"cannot write {tmp_path / 'folder'}: Is a directory",
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["folder"]
    assert list((tmp_path / "folder").iterdir()) == []


def test_schema_into_an_unwritable_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "schemas").write_text("a file where the folder should be\n")
    assert _main("schema") == (
        exitcodes.CANTCREAT,
        "",
        f"error: cannot create {tmp_path / 'schemas'}: File exists\n"
        "hint: something else of that name is in the way\n",
    )
    assert _main("schema", "--dir", "/proc/opconf-schemas") == (
        exitcodes.CANTCREAT,
        "",
        "error: cannot create /proc/opconf-schemas: No such file or directory\n"
        "hint: check that the path and its folders exist\n",
    )


def test_schema_writes_the_project_folder_never_the_package(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Installed from a wheel, ``opconf schema`` writes the user's project, not site-packages;
    the package's copies are what validation reads, and stay as they are."""
    import opconf.schema

    packaged = Path(opconf.schema.__file__).parent / "files"
    before = {p.name: p.stat().st_mtime_ns for p in packaged.iterdir()}
    project = tmp_path / "project"
    project.mkdir()
    (project / "opconf.yaml").write_text("config: config/\n")
    monkeypatch.chdir(tmp_path)
    code, out, err = _main("--project", "project/opconf.yaml", "schema")
    assert (code, err) == (exitcodes.OK, "")
    assert out.splitlines()[-1] == "9 schema files written, 0 unchanged."
    assert sorted(p.name for p in (project / "schemas").iterdir()) == sorted(expected_files())
    assert {p.name: p.stat().st_mtime_ns for p in packaged.iterdir()} == before
    assert _main("--project", "project/opconf.yaml", "schema", "--check") == (
        exitcodes.OK,
        "9 schemas up to date in project/schemas/.\n",
        "",
    )


def test_packaged_schemas_are_the_committed_ones() -> None:
    """A wheel ships ``opconf/schema/files``: in the source it links to ``schemas/``, so the
    two can never differ and no command has to write into the package."""
    packaged = h.ROOT / "opconf" / "schema" / "files"
    for path in packaged.iterdir():
        assert path.is_symlink(), path
        assert path.resolve() == (h.ROOT / "schemas" / path.name).resolve()


# --- reading ----------------------------------------------------------------------------------


def test_validate_reads_no_fifo_and_no_device(tmp_path: Path) -> None:
    """A real process: a FIFO named *.yaml used to hang validate, /dev/zero to read forever."""
    config = tmp_path / "config"
    config.mkdir()
    os.mkfifo(config / "pipe.yaml")
    (config / "zero.yaml").symlink_to("/dev/zero")
    (config / "ok.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: ok\nname: OK\ntype: deposit\n"
    )
    process = h.opconf_process(tmp_path, "validate")
    out, err = process.communicate(timeout=60)
    assert (process.returncode, err) == (exitcodes.PROBLEMS, "")
    assert out.splitlines()[:2] == [
        "config/pipe.yaml:1:1: error OPC000 cannot read file: not a regular file (a named pipe)",
        "config/zero.yaml:1:1: error OPC000 cannot read file: not a regular file "
        "(a character device)",
    ]


def test_fmt_reads_no_fifo_and_no_device(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    os.mkfifo(tmp_path / "config" / "pipe.yaml")
    (tmp_path / "config" / "zero.yaml").symlink_to("/dev/zero")
    process = h.opconf_process(tmp_path, "fmt", "--check")
    out, err = process.communicate(timeout=60)
    assert (process.returncode, out) == (
        exitcodes.PROBLEMS,
        "0 files already formatted, 2 files could not be formatted\n",
    )
    assert err == (
        "config/pipe.yaml:1:1: cannot format: cannot read: not a regular file (a named pipe)\n"
        "config/zero.yaml:1:1: cannot format: cannot read: not a regular file "
        "(a character device)\n"
    )


def test_saved_plan_that_is_not_a_regular_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    os.mkfifo(tmp_path / "plan.json")
    (tmp_path / "zero.json").symlink_to("/dev/zero")
    monkeypatch.chdir(tmp_path)
    assert _main("show", "plan.json") == (
        exitcodes.IOERR,
        "",
        "error: cannot read plan.json: not a regular file (a named pipe)\n" + NOT_REGULAR,
    )
    assert _main("show", "zero.json") == (
        exitcodes.IOERR,
        "",
        "error: cannot read zero.json: not a regular file (a character device)\n" + NOT_REGULAR,
    )


def test_refs_file_that_is_a_device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "a.yaml").write_text("apiVersion: opconf/v1\n")
    (tmp_path / "refs.yaml").symlink_to("/dev/zero")
    code, out, err = _main("validate", "--refs", "refs.yaml")
    assert (code, err) == (exitcodes.PROBLEMS, "")  # reported like any document's problem
    assert (
        "refs.yaml:1:1: error OPC000 cannot read file: not a regular file (a character device)"
    ) in out.splitlines()


def test_the_size_cap_holds_on_the_bytes_read_not_on_stat() -> None:
    """/proc files claim a size of 0 and hold more."""
    assert os.stat("/proc/self/maps").st_size == 0
    with pytest.raises(TooLarge) as caught:
        read_bytes(Path("/proc/self/maps"), 10)
    assert caught.value.size == 11
    assert len(read_bytes(Path("/proc/self/maps"), 1 << 20)) > 10


def test_read_bytes_refuses_a_folder(tmp_path: Path) -> None:
    with pytest.raises(ReadError, match=r"not a regular file \(a folder\)"):
        read_bytes(tmp_path, 10)


# --- names too long, bad option values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("validate", f"{LONG}.yaml"), f"cannot read {LONG}.yaml: File name too long"),
        (("fmt", LONG), f"cannot read {LONG}: File name too long"),
        (("--project", LONG, "validate"), f"cannot read {LONG}: File name too long"),
    ],
)
def test_a_name_too_long_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: tuple[str, ...], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "a.yaml").write_text("apiVersion: opconf/v1\n")
    assert _main(*args) == (exitcodes.IOERR, "", f"error: {message}\n{TOO_LONG}")


def test_a_refs_file_name_too_long_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "a.yaml").write_text("apiVersion: opconf/v1\n")
    assert _main("validate", "--refs", LONG) == (
        exitcodes.IOERR,
        "",
        f"error: cannot read {LONG}: File name too long\n" + TOO_LONG,
    )


def test_a_sqlite_store_name_too_long_is_one_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/{LONG}.db"
    code, _, err = _main("history", "--store", url)
    assert (code, err) == (
        exitcodes.STORE,
        f"error: cannot use the store file of {url}: File name too long\n"
        "hint: shorten the store URL's file path (at most 255 bytes per name)\n",
    )


@pytest.mark.parametrize("value", ["nan", "inf", "-inf", "-1", "soon"])
def test_lock_timeout_must_be_finite_and_not_negative(value: str) -> None:
    code, out, err = _main("apply", f"--lock-timeout={value}")
    assert (code, out) == (exitcodes.USAGE, "")
    assert err.endswith(
        f"error: argument --lock-timeout: '{value}' is not a number of seconds (finite, >= 0)\n"
    )


def _main(*argv: str) -> tuple[int, str, str]:
    """The real entry point in a subprocess-free way: exit code, stdout, stderr."""
    import contextlib
    import io

    from opconf.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()
