"""The command line: parse arguments, run one command, map errors to exit codes.

Each command lives in ``opconf/commands/<verb>.py`` with ``register(subparsers)`` adding its
parser (``set_defaults(run=...)``) and a ``run(args) -> int``. This module is the only place
that exits.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import gc
import importlib
import logging
import os
import signal
import sys
import traceback
from collections.abc import Iterator, Sequence
from typing import Any, NoReturn, TextIO, cast

from opconf import __version__, exitcodes, signals
from opconf.commands._common import closing_stores
from opconf.errors import InvalidFileError, OpconfError, file_error
from opconf.visible import visible

COMMANDS = (
    "validate",
    "fmt",
    "schema",
    "plan",
    "apply",
    "show",
    "store",
    "refs",
    "history",
    "rollback",
    "export",
    "catalogue",
    "freeze",
    "drift",
    "init",
    "lsp",
)


class _Parser(argparse.ArgumentParser):
    """argparse exits 2 on bad usage; 2 means "changes present" for plan, so use USAGE."""

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(exitcodes.USAGE, f"error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="opconf",
        description="Configuration as code for CRM opportunity configuration.",
    )
    parser.add_argument("--version", action="version", version=f"opconf {__version__}")
    parser.add_argument(
        "--project",
        metavar="FILE",
        help="project file (default: opconf.yaml in this folder or the nearest folder above)",
    )
    parser.add_argument("--traceback", action="store_true", help="show tracebacks of errors")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name in COMMANDS:
        importlib.import_module(f"opconf.commands.{name}").register(sub)
    from opconf.commands._help import complete

    complete(sub)
    return parser


def _report_bug(exc: BaseException) -> int:
    traceback.print_exception(exc)
    print(
        f"\nerror: unexpected {type(exc).__name__} — this is a bug in opconf {__version__}; "
        "please report it with the traceback above.",
        file=sys.stderr,
    )
    return exitcodes.INTERNAL


def entry() -> int:
    """The ``opconf`` executable (and ``python -m opconf``): one command, then exit.

    Such a short-lived process builds hundreds of thousands of small acyclic containers,
    which reference counting frees; the cyclic collector would only rescan them, again and
    again (measured: a 10,000-object plan spends a third of its time there). So it is off.
    """
    gc.disable()
    code = main()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # done: no traceback on the way out
    return code


class _Guarded:
    """A standard stream whose reader may go away (``| head``, ``| true``).

    The first broken pipe sends the rest of the output to /dev/null, so the command still
    finishes its work (an apply still applies) and keeps its real exit code: only the output
    is lost. Everything but writing is the wrapped stream's.
    """

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def write(self, text: str) -> int:
        try:
            return self.stream.write(text)
        except BrokenPipeError:
            self._divert()
            return len(text)

    def flush(self) -> None:
        try:
            self.stream.flush()
        except BrokenPipeError:
            self._divert()

    def _divert(self) -> None:
        try:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, self.stream.fileno())
            os.close(devnull)
            self.stream.flush()  # what the pipe refused now goes to /dev/null
        except (OSError, ValueError):
            pass  # no file descriptor (an in-memory stream): later writes land here again

    def __getattr__(self, name: str) -> Any:
        return getattr(self.stream, name)


@contextlib.contextmanager
def _guarded_output() -> Iterator[None]:
    saved = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = (cast(TextIO, _Guarded(s)) for s in saved)
    try:
        yield
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        sys.stdout, sys.stderr = saved


def _print_error(exc: OpconfError, show_traceback: bool) -> int:
    if show_traceback:
        traceback.print_exception(exc)
    if isinstance(exc, InvalidFileError):
        from opconf.report.text import line

        for d in exc.diagnostics:
            print(line(d), file=sys.stderr)
    print(f"error: {visible(exc.message)}", file=sys.stderr)  # messages carry user data
    if exc.hint:
        print(f"hint: {exc.hint}", file=sys.stderr)
    return exc.exit_code


@functools.cache
def _parser() -> argparse.ArgumentParser:
    """The parser, built once a process (~15 ms): ``main`` runs once a command, and many
    times in one process in the tests. Parsing leaves it as it was."""
    return build_parser()


def main(argv: Sequence[str] | None = None) -> int:
    with signals.handled() as noted, _guarded_output():
        parser = _parser()
        args = parser.parse_args(argv)
        code = _run(args)
    note = signals.late_note(noted)
    if note:
        print(note, file=sys.stderr)
    return code


def _run(args: argparse.Namespace) -> int:
    root = logging.getLogger()
    if not args.traceback and not root.handlers:
        # Database drivers log their own view of a failure (a lost connection, a pool reset)
        # on stderr; the one-line error below already says it.
        root.addHandler(logging.NullHandler())
    try:
        with closing_stores():
            code: int = args.run(args)
        return code
    except OpconfError as exc:
        return _print_error(exc, args.traceback)
    except KeyboardInterrupt as exc:  # outside a transaction: a write rolls back by itself
        print(signals.describe(exc), file=sys.stderr)
        return signals.exit_code(exc)
    except OSError as exc:
        # The operating system refused something (a path too long, a full disk) where no
        # command expected it: still the user's environment, not a bug in opconf.
        return _print_error(file_error(exc), args.traceback)
    except Exception as exc:
        return _report_bug(exc)
