"""``opconf export``: write the store's objects as documents (SPEC §7), for adopting a CRM.

One file per object under ``products/``, ``coverage-groups/`` and ``templates/`` of ``--out``
(default: the project's config folder), exactly as ``opconf fmt`` writes them. Never
overwrites a different file without ``--force``; ``--check`` writes nothing and exits 2 when
files would change.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.commands._common import add_select_option, add_store_options, open_store, selection
from opconf.fsio import write_text
from opconf.kinds import KINDS

if TYPE_CHECKING:
    from opconf.emit.export import Export
    from opconf.emit.files import Changes
    from opconf.emit.verdict import Failing
    from opconf.project import Project
    from opconf.store.model import StoreState

_PROGRESS_FROM = 500  # objects: smaller exports finish before a progress line helps


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add the ``export`` command."""
    p = sub.add_parser(
        "export",
        help="write the store's objects as documents (adopt an existing CRM)",
        description="Write the store's objects as documents, one file per object, exactly as "
        "`opconf fmt` writes them.",
    )
    p.add_argument("--out", type=Path, metavar="DIR", help="default: the project's config folder")
    p.add_argument(
        "--only-unmanaged",
        action="store_true",
        help="only objects opconf does not manage and the configuration does not name",
    )
    p.add_argument("--kind", metavar="K,...", help=f"only these kinds ({', '.join(KINDS)})")
    add_select_option(p, "the documents")
    p.add_argument(
        "--exclude",
        action="append",
        default=[],
        metavar="GLOB",
        help="leave out objects whose key (or Kind/key) matches GLOB; repeatable",
    )
    p.add_argument(
        "--with-dependencies",
        action="store_true",
        help="also export the products and groups that exported templates use",
    )
    p.add_argument(
        "--waive",
        action="store_true",
        help="add waivers to opconf.yaml for the rules exported objects break, so they "
        "validate as the CRM has them",
    )
    p.add_argument("--force", action="store_true", help="overwrite files that differ")
    p.add_argument(
        "--check", action="store_true", help="write nothing; exit 2 when files would change"
    )
    add_store_options(p)
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    """Export; 0 when done (or, with ``--check``, nothing would change), 2 when it would."""
    from opconf.emit import export as core
    from opconf.emit import files

    project, store = open_store(args)
    out = args.out or project.config
    request = core.Request(
        kinds=_kinds(args.kind),
        select=selection(args),
        exclude=tuple(args.exclude),
        only_unmanaged=args.only_unmanaged,
        with_dependencies=args.with_dependencies,
        schemas=Path(os.path.relpath(project.root / "schemas", out.resolve())).as_posix(),
    )
    state = store.read_state()
    result = core.export(state, request, lambda: core.configured_keys(project.config), _progress)
    for skipped in result.skipped:
        print(f"warning: skipped {skipped.kind} '{skipped.key}': {skipped.why}", file=sys.stderr)
    display = _display(out)
    failing = _failing(result, out, display, project, state)
    changes = files.compare(out, result.files)
    edit = _waive(project, failing) if args.waive and failing else None
    if args.check:
        code = _check(result, changes, display)
        if edit:
            print(f"would add waivers to {edit[0].name} for {_waivable(failing)}")
        _tell(failing, None, hint=not args.waive)
        return exitcodes.CHANGES if edit else code
    files.write(out, result.files, changes, args.force, display)
    if edit:
        write_text(*edit)
    print(summary(result, display, len(changes.unchanged)))
    _tell(failing, edit[0] if edit else None)
    return exitcodes.OK


def _failing(
    result: Export, out: Path, display: str, project: Project, state: StoreState
) -> list[Failing]:
    from opconf.emit.verdict import of_export
    from opconf.validate import today
    from opconf.validate.policy import Policy

    policy = project.policy or Policy()
    return of_export(result, out, display, project.config, state, policy, today())


def _waive(project: Project, failing: list[Failing]) -> tuple[Path, str] | None:
    """opconf.yaml (made when missing) with a waiver for each object, not written yet."""
    from opconf.emit.verdict import waivers
    from opconf.emit.waivers import with_waivers
    from opconf.fsio import exists, read_bytes
    from opconf.project import PROJECT_FILE
    from opconf.validate import today

    entries = waivers(failing, today())
    if not entries:
        return None
    path = project.file or project.root / PROJECT_FILE
    text = read_bytes(path, 1 << 20).decode("utf-8-sig") if exists(path) else ""
    return path, with_waivers(text, entries)


def _tell(failing: list[Failing], waived_in: Path | None, hint: bool = True) -> None:
    """Each exported object that breaks rules, with the codes (the waived ones said so)."""
    if not failing:
        return
    from opconf.diagnostics import plural

    kept = [f for f in failing if waived_in is None or f.waivable != f.codes]
    if waived_in is not None:
        print(f"Waived in {waived_in.name} for {_waivable(failing)} kept as the CRM has them.")
    if kept:
        verb = "breaks" if len(kept) == 1 else "break"
        head = f"{plural(len(kept), 'exported object')} {verb} rules (`opconf validate` says how):"
        lines = [f"  {f.kind} {f.key}: {', '.join(_unwaived(f, waived_in))}" for f in kept]
        print("\n".join(["warning: " + head, *lines]), file=sys.stderr)
        if waived_in is None and hint:
            print("hint: keep them as they are with --waive, or correct them", file=sys.stderr)


def _waivable(failing: list[Failing]) -> str:
    from opconf.diagnostics import plural

    return plural(sum(1 for f in failing if f.waivable), "object")


def _unwaived(f: Failing, waived_in: Path | None) -> tuple[str, ...]:
    return f.codes if waived_in is None else tuple(c for c in f.codes if c not in f.waivable)


def _check(result: Export, changes: Changes, display: str) -> int:
    """What would change: new files named, changed ones as a diff; exit 2 when any."""
    from opconf.fmt import unified_diff

    for rel in changes.new:
        print(f"would write {display}{rel}")
    for rel in changes.changed:
        print(f"would change {display}{rel}")
        sys.stdout.write(unified_diff(changes.old[rel], result.files[rel], display + rel))
    print(f"{_count(len(changes.to_write))} would change, {len(changes.unchanged)} unchanged.")
    return exitcodes.CHANGES if changes.to_write else exitcodes.OK


def summary(result: Export, display: str, unchanged: int) -> str:
    """``Exported 412 objects to config/: 230 products, 52 coverage groups, 130 templates.``"""
    from opconf.emit.export import NOUNS

    parts = [_plural(n, NOUNS[kind]) for kind, n in result.counts.items() if n]
    total = _plural(sum(result.counts.values()), "object")
    tail = f" ({unchanged} already up to date)" if unchanged else ""
    listed = f": {', '.join(parts)}" if parts else ""
    return f"Exported {total} to {display}{listed}{tail}."


def _kinds(text: str | None) -> frozenset[str]:
    from opconf.errors import UsageError

    if text is None:
        return frozenset(KINDS)
    by_name = {kind.lower(): kind for kind in KINDS}
    chosen = set()
    for name in filter(None, (part.strip() for part in text.split(","))):
        if name.lower() not in by_name:
            raise UsageError(f"unknown kind '{name}'", hint=f"kinds: {', '.join(KINDS)}")
        chosen.add(by_name[name.lower()])
    return frozenset(chosen)


def _progress(done: int, total: int) -> None:
    if total < _PROGRESS_FROM or not sys.stderr.isatty():
        return
    if done % 100 == 0 or done == total:
        end = "\r\033[K" if done == total else ""
        sys.stderr.write(f"\rExporting {done}/{total} objects{end}")
        sys.stderr.flush()


def _display(path: Path) -> str:
    """The folder as the user sees it, ending in ``/``: relative to here when inside."""
    try:
        shown = path.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        shown = str(path)
    return "./" if shown == "." else shown.rstrip("/") + "/"


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" if n == 1 else f"{n:,} {noun}s"


def _count(n: int) -> str:
    return "1 file" if n == 1 else f"{n:,} files"
