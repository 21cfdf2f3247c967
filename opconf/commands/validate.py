"""``opconf validate [PATH...]``: check documents against the schemas and the rules."""

from __future__ import annotations

import argparse
import re
import sys
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from opconf import exitcodes
from opconf.fsio import exists

if TYPE_CHECKING:
    from opconf.project import Project


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("validate", help="check documents against the schemas and the rules")
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="files or folders")
    p.add_argument(
        "--format",
        choices=("text", "json", "github", "sarif", "gitlab", "markdown"),
        default="text",
        help="output format (default: text)",
    )
    p.add_argument("--strict", action="store_true", help="warnings fail validation too")
    p.add_argument("--refs", metavar="FILE", type=Path, help="reference data snapshot")
    p.add_argument(
        "--no-cache",
        action="store_true",
        help="read and check every file again, without the cache of unchanged files' results"
        " (.opconf/cache/, safe to delete)",
    )
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from opconf.errors import UsageError
    from opconf.filecache import FOLDER
    from opconf.filecheck import check_file
    from opconf.incremental import validate_cached
    from opconf.kinds import MAPPING_SCHEMA
    from opconf.project import PROJECT_FILE, inspect_project
    from opconf.references import inspect_references
    from opconf.report import REPORTERS
    from opconf.validate import ValidationResult
    from opconf.workspace import validate_in_project

    # The project file and the snapshot are reported like documents (CI annotates them too).
    project, problems = inspect_project(args.project)
    if args.refs and not exists(args.refs):
        raise UsageError(f"reference data file {args.refs} does not exist")
    refs, refs_problems = inspect_references(args.refs or project.refs_file)
    mappings = [p for p in args.paths if _is_mapping(p)]
    problems += tuple(d for p in mappings for d in check_file(p, MAPPING_SCHEMA).diagnostics)
    given = [p for p in args.paths if p not in mappings]
    paths = given or [project.config]
    if mappings and not given:
        result = ValidationResult(files=len(mappings))  # only store mappings were named
    elif problems and not all(path.exists() for path in paths):
        result = ValidationResult()  # a broken opconf.yaml hides where the documents are
    else:
        _check_config(project, args.paths)
        policy = project.policy
        if policy and not _whole(paths, project.config):  # a waiver of others waives nothing
            policy = replace(policy, whole=False)
        # Given files are reported on with every document of the project as context.
        note = not refs_problems
        # The cache lives in the project's folder: none without a project file.
        own = exists(project.root / PROJECT_FILE) and not args.no_cache
        cached = validate_cached(project.root / FOLDER) if own else None
        result = validate_in_project(paths, project.config, refs, note, policy, cached)
    result.include(problems + refs_problems)
    sys.stdout.write(REPORTERS[args.format](result, args.strict))
    return exitcodes.OK if result.valid(args.strict) else exitcodes.PROBLEMS


_MAPPING = re.compile(r"^kind:[ \t]*[\"']?StoreMapping\b", re.M)


def _is_mapping(path: Path) -> bool:
    """A file naming itself a store mapping (checked against the mapping's schema, as a
    target's ``mapping:`` is), not a document of the configuration."""
    try:  # a path that cannot be read is reported where the documents are read
        if not path.is_file():
            return False
        with path.open(encoding="utf-8", errors="replace") as f:
            return bool(_MAPPING.search(f.read(65536)))
    except OSError:
        return False


def _check_config(project: Project, paths: list[Path]) -> None:
    """Without paths, the documents are the project's: say where none was found."""
    if not paths and not exists(project.config):
        from opconf.project import missing_config

        raise missing_config(project.config)


def _whole(paths: list[Path], config: Path) -> bool:
    """Whether ``paths`` hold the whole configuration (its folder, or one above it)."""
    folder = config.resolve()
    return any(folder.is_relative_to(path.resolve()) for path in paths)
