"""``opconf init [FOLDER]``: start a project."""

from __future__ import annotations

import argparse
from pathlib import Path

from opconf import exitcodes

DESCRIPTION = """\
Start an opconf project in FOLDER: opconf.yaml (a local SQLite target, commented), config/
with one example of each kind (a product, a coverage group, an opportunity template), the
JSON Schemas under schemas/ (each example names its schema, so editors complete fields) and
.gitignore with .opconf/. Existing files are never overwritten: init refuses instead.

example:
  opconf init crm-config && cd crm-config
  opconf validate && opconf store init --demo && opconf plan"""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser(
        "init",
        help="start a project: opconf.yaml, example documents, schemas",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=Path("."),
        metavar="FOLDER",
        help="where to create the project (default: the current folder; made if missing)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.scaffold import scaffold

    written = scaffold(args.folder)
    where = "this folder" if args.folder == Path(".") else str(args.folder)
    print(f"Started an opconf project in {where}: {len(written)} files.")
    print("Next: `opconf validate`, then `opconf store init --demo` and `opconf plan`.")
    return exitcodes.OK
