"""Ctrl-C and SIGTERM: during a write they roll it back and say so; once the commit has begun
they are noted, not raised, so the command finishes its work and reports it."""

from __future__ import annotations

import os
import signal
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy.engine import Connection

from opconf.store.write import Writer

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

ROLLED_BACK = "nothing was written, the transaction was rolled back"


def signalling(signum: int, then: Callable[..., Any]) -> Callable[..., Any]:
    """``then``, after this process has been sent ``signum`` (its handler runs at once)."""

    def call(*args: Any, **kwargs: Any) -> Any:
        os.kill(os.getpid(), signum)
        return then(*args, **kwargs)

    return call


@pytest.mark.parametrize(
    ("signum", "said", "code"),
    [
        (signal.SIGINT, "interrupted (Ctrl-C)", 130),
        (signal.SIGTERM, "terminated (SIGTERM)", 143),
    ],
)
def test_a_signal_during_the_write_rolls_it_back_and_says_so(
    env: h.Env, monkeypatch: pytest.MonkeyPatch, signum: int, said: str, code: int
) -> None:
    env.write(h.small_config())
    before = env.dump()
    monkeypatch.setattr(Writer, "create_many", signalling(signum, Writer.create_many))
    run = env.run("apply", "--auto-approve")
    assert (run.code, run.err) == (code, f"error: {said}: {ROLLED_BACK}\n")
    assert env.dump() == before
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # the command's handler is gone


def test_a_signal_outside_a_write_exits_with_its_code(
    env: h.Env, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    import opconf.commands.validate as validate_command
    from opconf import cli

    env.write(h.small_config())
    real = validate_command.run
    monkeypatch.setattr(validate_command, "run", signalling(signal.SIGTERM, real))
    cli._parser.cache_clear()  # the parser holds the command's run: build it again, and after
    request.addfinalizer(cli._parser.cache_clear)
    run = env.run("validate")
    assert (run.code, run.out, run.err) == (143, "", "terminated (SIGTERM)\n")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_during_the_commit_lets_the_apply_finish(
    env: h.Env, monkeypatch: pytest.MonkeyPatch, signum: int
) -> None:
    env.write(h.small_config())
    monkeypatch.setattr(Connection, "commit", signalling(signum, Connection.commit))
    run = env.run("apply", "--auto-approve")
    assert run.code == 0, run
    assert run.out.endswith("Apply complete: 3 created (revision 1).\n")
    name = "Ctrl-C" if signum == signal.SIGINT else "SIGTERM"
    assert run.err == f"note: {name} came after the commit, so the command finished its work\n"
    assert h.revision(env.url) == 1
