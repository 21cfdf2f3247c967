"""``opconf schema [--check]``: write or verify the JSON Schemas generated from the models.

It writes the project's ``schemas/`` folder (beside the project file), or ``--dir``: never the
installed package. The package's own copies (``opconf/schema/files/``, what validation reads
when installed from a wheel) are links to the repository's ``schemas/`` in opconf's source, so
a wheel ships exactly the committed files and nothing is ever written into site-packages.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from opconf import exitcodes


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="write (or --check) schemas/*.schema.json from the models")
    p.add_argument("--check", action="store_true", help="fail when the files differ; write nothing")
    p.add_argument(
        "--dir", type=Path, help="output folder (default: schemas/ beside the project file)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.project import load_project
    from opconf.schema.generate import drifted, expected_files, write

    files = expected_files()
    folder: Path = args.dir or load_project(args.project).root / "schemas"
    shown = _display(folder)
    if args.check:
        stale = drifted(folder, files)
        for name in stale:
            print(f"out of date: {shown}/{name}")
        if stale:
            print("Schemas differ from the models: run `opconf schema` and commit the result.")
            return exitcodes.PROBLEMS
        print(f"{len(files)} schemas up to date in {shown}/.")
        return exitcodes.OK
    changed = write(folder, files)
    for name in changed:
        print(f"wrote {shown}/{name}")
    print(f"{len(changed)} schema files written, {len(files) - len(changed)} unchanged.")
    return exitcodes.OK


def _display(folder: Path) -> str:
    from opconf.load.discover import display_names

    return display_names([folder])[folder]
