"""The project file (``opconf.yaml``) and store selection (SPEC §1).

The file is validated like a document (:mod:`opconf.filecheck`) against the schema generated
from :class:`opconf.project_models.ProjectFile`: every problem is reported, located.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from opconf.diagnostics import Diagnostic, did_you_mean, plural
from opconf.errors import InvalidFileError, UsageError
from opconf.fsio import exists
from opconf.kinds import PROJECT_SCHEMA

if TYPE_CHECKING:
    from opconf.drift.ignore import IgnoreRule
    from opconf.filecheck import CheckedFile
    from opconf.freeze import Window
    from opconf.load.yamlread import Document
    from opconf.validate.finding import Finding

PROJECT_FILE = "opconf.yaml"
REFS_FILE = "opconf.refs.yaml"
DEFAULT_STORE = "sqlite:///.opconf/store.db"
STORE_VARIABLE = "OPCONF_STORE"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


@dataclass(frozen=True)
class Project:
    """Where the documents are and which stores exist; paths are absolute."""

    root: Path
    config: Path
    targets: dict[str, str] = field(default_factory=dict)
    mappings: dict[str, Path] = field(default_factory=dict)  # target → its StoreMapping file
    default_target: str | None = None
    prune: bool = False
    file: Path | None = None
    freeze: tuple[Window, ...] = ()
    drift_ignore: tuple[IgnoreRule, ...] = ()

    @property
    def refs_file(self) -> Path:
        return self.root / REFS_FILE


def load_project(path: str | None = None) -> Project:
    """Read ``path`` (or ``./opconf.yaml`` when present); defaults otherwise.

    A project file with errors is an :class:`InvalidFileError` listing all of them.
    """
    project, problems = inspect_project(path)
    errors = [d for d in problems if d.severity == "error"]
    if errors:
        raise InvalidFileError(
            f"{errors[0].file} is invalid ({plural(len(errors), 'error')}); nothing was done",
            problems,
            hint="fix the lines above (`opconf validate` reports them too)",
        )
    return project


def inspect_project(path: str | None = None) -> tuple[Project, tuple[Diagnostic, ...]]:
    """The project and every problem of its file. A field with a problem keeps its default,
    so ``validate`` can report the problems and still check the documents."""
    file = Path(path) if path else Path(PROJECT_FILE)
    if not exists(file):  # anything else there is read, or refused, as a file
        if path:
            raise UsageError(f"project file {path} not found")
        root = Path.cwd()
        return Project(root=root, config=root / "config"), ()
    from opconf.filecheck import check_file

    checked = check_file(file, PROJECT_SCHEMA, _project_rules)
    project = _project(file, checked)
    return project, checked.diagnostics + _mapping_diagnostics(project)


def _mappings(root: Path, targets: dict[str, dict[str, str]]) -> dict[str, Path]:
    return {name: root / t["mapping"] for name, t in targets.items() if "mapping" in t}


def _mapping_diagnostics(project: Project) -> tuple[Diagnostic, ...]:
    """Every target's mapping file checked against its schema, located (a missing file too)."""
    from opconf.filecheck import check_file
    from opconf.kinds import MAPPING_SCHEMA

    found: list[Diagnostic] = []
    for path in sorted(set(project.mappings.values())):
        found.extend(check_file(path, MAPPING_SCHEMA).diagnostics)
    return tuple(found)


def _project(file: Path, checked: CheckedFile) -> Project:
    data = {name: value for name, value in checked.data.items() if checked.sound(name)}
    root = file.resolve().parent
    return Project(
        root=root,
        config=root / data.get("config", "config"),
        targets={name: target["store"] for name, target in data.get("targets", {}).items()},
        mappings=_mappings(root, data.get("targets", {})),
        default_target=data.get("defaultTarget"),
        prune=data.get("prune", False),
        file=file,
        freeze=_windows(data.get("freeze", [])),
        drift_ignore=_ignore_rules(data.get("drift", {}).get("ignore", [])),
    )


def _ignore_rules(entries: list[dict[str, object]]) -> tuple[IgnoreRule, ...]:
    if not entries:
        return ()
    from opconf.drift.ignore import problems, rule_of

    return tuple(rule_of(entry) for entry in entries if not any(problems(entry)))


def _windows(entries: list[dict[str, object]]) -> tuple[Window, ...]:
    if not entries:
        return ()
    from opconf.freeze import window_of

    return tuple(window_of(entry) for entry in entries)


def _project_rules(doc: Document) -> Iterator[Finding]:
    yield from _default_target_rule(doc)
    yield from _freeze_rule(doc)
    yield from _drift_rule(doc)


def _drift_rule(doc: Document) -> Iterator[Finding]:
    """OPC285: a ``drift.ignore`` entry names objects as Kind/glob and ends on a real day."""
    section = doc.data.get("drift")
    entries = section.get("ignore") if isinstance(section, dict) else None
    if not isinstance(entries, list):
        return
    from opconf.drift.ignore import problems
    from opconf.validate.finding import Finding

    for i, entry in enumerate(entries):
        for name, why in problems(entry) if isinstance(entry, dict) else ():
            yield Finding("OPC285", why, doc, ("drift", "ignore", i, name))


def _freeze_rule(doc: Document) -> Iterator[Finding]:
    """OPC281-OPC284: what the schema cannot see in a well-typed ``freeze:`` window."""
    entries = doc.data.get("freeze")
    if not isinstance(entries, list) or not entries:
        return
    from pydantic import ValidationError

    from opconf.freeze.window import window_problems
    from opconf.project_models import FreezeWindow
    from opconf.validate.finding import Finding

    for i, entry in enumerate(entries):
        try:
            FreezeWindow.model_validate(entry, strict=True)
        except ValidationError:  # the schema layer reports it
            continue
        for problem in window_problems(entry):
            yield Finding(problem.code, str(problem), doc, ("freeze", i, problem.field))


def _default_target_rule(doc: Document) -> Iterator[Finding]:
    """OPC280: ``defaultTarget`` names one of the targets (well-typed values only)."""
    from opconf.validate.finding import Finding

    default, targets = doc.data.get("defaultTarget"), doc.data.get("targets", {})
    if isinstance(default, str) and isinstance(targets, dict) and default not in targets:
        names = sorted(targets)
        known = f" (targets: {', '.join(names)})" if names else " (no targets are defined)"
        hint = did_you_mean(default, names) or known
        message = f"defaultTarget '{default}' is not one of the targets{hint}"
        yield Finding("OPC280", message, doc, ("defaultTarget",))


def expand(value: str, where: str) -> str:
    """Expand ``${VAR}`` from the environment; an unset or empty variable is an error."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        value = os.environ.get(name)
        if value is None or not value.strip():
            state = "is not set" if value is None else "is empty"
            raise UsageError(
                f"{where}: environment variable {name} {state}",
                hint=f"set {name} to the store URL (in CI: check that the secret exists)",
            )
        return value

    return _VAR.sub(sub, value)


def resolve_store(project: Project, store: str | None, target: str | None) -> str:
    """The store URL, strongest first: --store, --target, OPCONF_STORE, defaultTarget, default.

    A relative SQLite path is relative to the project's folder. An empty ``--store`` or
    ``OPCONF_STORE`` is an error, never a silent fall-back to the next source.
    """
    if store is not None:
        url = store
        if not url.strip():
            raise UsageError("--store is empty", hint="give a store URL, or leave out --store")
    elif target is not None:
        if target not in project.targets:
            known = ", ".join(sorted(project.targets)) or "none defined"
            raise UsageError(f"unknown target '{target}'", hint=f"targets: {known}")
        url = expand(project.targets[target], f"target {target}")
    elif STORE_VARIABLE in os.environ:
        url = os.environ[STORE_VARIABLE]
        if not url.strip():
            raise UsageError(
                f"environment variable {STORE_VARIABLE} is empty",
                hint="set it to a store URL, or unset it to use the default target",
            )
    elif project.default_target:
        url = expand(project.targets[project.default_target], f"target {project.default_target}")
    else:
        url = DEFAULT_STORE
    return _anchor_sqlite(url, project.root)


def resolve_mapping(project: Project, store: str | None, target: str | None) -> Path | None:
    """The StoreMapping file of the target :func:`resolve_store` chose; None for a URL given
    by --store or OPCONF_STORE (opconf's own layout)."""
    if store is not None:
        return None
    if target is None and (STORE_VARIABLE in os.environ or not project.default_target):
        return None
    return project.mappings.get(target or project.default_target or "")


def _anchor_sqlite(url: str, root: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(root / url[len(prefix) :])
    return url
