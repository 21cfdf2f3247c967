"""``opconf lsp``: the language server editors start (stdio)."""

from __future__ import annotations

import argparse

from opconf import exitcodes

DESCRIPTION = """\
Run the opconf language server on stdin and stdout (the Language Server Protocol), for an
editor to start: diagnostics identical to `opconf validate` as you type (every file of the
project, the reference snapshot included), completion of keys, hover, go to definition, find
references, rename of a key (adding previousKeys), quick fixes for "did you mean".
Set-up for VS Code, Neovim and Helix: docs/editors.md.

example (the command an editor runs, in the project's folder or below it):
  opconf lsp"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "lsp",
        help="run the language server for editors (stdio)",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--stdio",
        action="store_true",
        help="talk over stdin and stdout (the default and only transport; accepted because "
        "editors' clients pass it)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.lsp.server import serve

    serve()
    return exitcodes.OK
