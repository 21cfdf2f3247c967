"""Output that goes nowhere: a reader that went away (``| true``, ``| head``) loses the output,
never the work nor the exit code; a terminal that wants no escape sequences gets none.

Real processes: stdout is a pipe whose reading end is closed before opconf starts, so every
write fails with EPIPE, as behind ``| true``.
"""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
import time
from pathlib import Path

import pytest

from opconf import exitcodes

try:
    from tests.plan import helpers as h
except ImportError:
    from plan import helpers as h  # type: ignore[no-redef]


def _into_a_closed_pipe(cwd: Path, *args: str) -> tuple[int, str]:
    """Run ``opconf ARGS`` with stdout into a pipe nobody reads; exit code, stderr."""
    reading, writing = os.pipe()
    os.close(reading)
    try:
        process = subprocess.run(
            [sys.executable, "-m", "opconf", *args],
            cwd=cwd,
            env=h.subprocess_env(),
            stdin=subprocess.DEVNULL,
            stdout=writing,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(writing)
    return process.returncode, process.stderr


def test_apply_into_a_broken_pipe_still_applies(env: h.Env) -> None:
    env.write(h.small_config())
    assert _into_a_closed_pipe(env.root, "apply", "--auto-approve", "--store", env.url) == (
        exitcodes.OK,
        "",
    )
    assert set(env.state()) == {(d["kind"], d["key"]) for d in h.small_config()}
    assert env.run("plan").out.splitlines()[-1] == h.NO_CHANGES


def test_detailed_exitcode_survives_a_broken_pipe(env: h.Env) -> None:
    env.write(h.small_config())
    code = _into_a_closed_pipe(env.root, "plan", "--detailed-exitcode", "--store", env.url)
    assert code == (exitcodes.CHANGES, "")


def test_invalid_config_into_a_broken_pipe_still_fails(tmp_path: Path) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "bad.yaml").write_text("apiVersion: opconf/v1\nkind: Product\n")
    assert _into_a_closed_pipe(tmp_path, "validate") == (exitcodes.PROBLEMS, "")


def test_help_into_a_broken_pipe(tmp_path: Path) -> None:
    assert _into_a_closed_pipe(tmp_path, "--help") == (exitcodes.OK, "")


def _progress_output(env: h.Env, **environ: str) -> bytes:
    """``apply --auto-approve`` with stderr on a pseudo-terminal; what the terminal got."""
    variables = {k: v for k, v in h.subprocess_env().items() if k not in ("NO_COLOR", "TERM")}
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "opconf", "apply", "--auto-approve", "--store", env.url],
        cwd=env.root,
        env={**variables, **environ},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=terminal,
    )
    os.close(terminal)
    output, deadline = b"", time.monotonic() + 120
    try:
        while time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            chunk = b""
            if ready:
                try:
                    chunk = os.read(controller, 65536)
                except OSError:  # EIO: the process closed the terminal
                    break
                output += chunk
            if (not ready or not chunk) and process.poll() is not None:
                break
        assert process.wait(timeout=10) == exitcodes.OK
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)
    return output


@pytest.mark.parametrize("environ", [{"NO_COLOR": "1"}, {"TERM": "dumb"}])
def test_progress_without_escape_sequences(env: h.Env, environ: dict[str, str]) -> None:
    env.write(h.small_config())
    output = _progress_output(env, **environ)
    assert output == (
        b"\r[1/3] create Product checking"
        b"\r[2/3] create CoverageGroup branch_team"
        b"\r[3/3] create OpportunityTemplate account_opening\r\n"
    )


def test_progress_on_a_colour_terminal_overwrites_its_line(env: h.Env) -> None:
    env.write(h.small_config())
    output = _progress_output(env, TERM="xterm")
    assert output.count(b"\r\x1b[K[") == 3
