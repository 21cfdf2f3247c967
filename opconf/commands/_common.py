"""Options and helpers shared by the commands that talk to a store."""

from __future__ import annotations

import argparse
import math
import sys
from typing import TYPE_CHECKING

from opconf.project import Project, load_project, resolve_store

if TYPE_CHECKING:
    from opconf.store import Store


PAST = {
    "create": "created",
    "update": "updated",
    "rename": "renamed",
    "delete": "deleted",
    "adopt": "adopted",
    "release": "released",
}


def seconds(text: str) -> float:
    """An argparse type: a finite number of seconds, at least 0 (``nan`` or ``inf`` would
    make a lock wait loop forever)."""
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"'{text}' is not a number of seconds (finite, >= 0)")
    return value


def add_store_options(p: argparse.ArgumentParser) -> None:
    group = p.add_argument_group("store selection (strongest first)")
    group.add_argument(
        "--store", metavar="URL", help="store URL (sqlite:///file or postgresql://…)"
    )
    group.add_argument("--target", metavar="NAME", help="a target named in opconf.yaml")


def open_store(args: argparse.Namespace) -> tuple[Project, Store]:
    from opconf.store import Store

    project = load_project(args.project)
    return project, Store(resolve_store(project, args.store, args.target))


def confirm(question: str) -> bool:
    """Ask on the terminal; anything but y/yes is no."""
    sys.stdout.write(f"{question} [y/N] ")
    sys.stdout.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


def interactive() -> bool:
    return sys.stdin.isatty() and sys.stdout.isatty()
