"""``opconf schema [--check]``: write or verify the JSON Schemas generated from the models."""

from __future__ import annotations

import argparse
from pathlib import Path

from opconf import exitcodes

PACKAGED = Path(__file__).resolve().parent.parent / "schema" / "files"


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("schema", help="write (or --check) schemas/*.schema.json from the models")
    p.add_argument("--check", action="store_true", help="fail when the files differ; write nothing")
    p.add_argument(
        "--dir", type=Path, default=Path("schemas"), help="output folder (default: schemas/)"
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.schema.generate import drifted, expected_files, write

    files = expected_files()
    # The package carries its own copy (validation must work when installed from a wheel).
    folders = [args.dir, PACKAGED]
    if args.check:
        stale = [str(folder / name) for folder in folders for name in drifted(folder, files)]
        for name in stale:
            print(f"out of date: {name}")
        if stale:
            print("Schemas differ from the models: run `opconf schema` and commit the result.")
            return exitcodes.PROBLEMS
        print(f"{len(files)} schemas up to date in {args.dir}/.")
        return exitcodes.OK
    changed = [str(folder / name) for folder in folders for name in write(folder, files)]
    for name in changed:
        print(f"wrote {name}")
    print(f"{len(changed)} schema files written, {len(files) * 2 - len(changed)} unchanged.")
    return exitcodes.OK
