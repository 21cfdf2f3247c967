"""The project file (``opconf.yaml``); which store a command uses is :mod:`opconf.targets`.

The file is validated like a document (:mod:`opconf.filecheck`) against the schema generated
from :class:`opconf.project_models.ProjectFile`: every problem is reported, located.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
    from opconf.validate.policy import Policy

PROJECT_FILE = "opconf.yaml"
REFS_FILE = "opconf.refs.yaml"


@dataclass(frozen=True)
class Project:
    """Where the documents are and which stores exist; paths are absolute."""

    root: Path
    config: Path
    targets: dict[str, str] = field(default_factory=dict)
    confirm: dict[str, str] = field(default_factory=dict)  # target → "type-name" | "yes-no"
    mappings: dict[str, Path] = field(default_factory=dict)  # target → its StoreMapping file
    default_target: str | None = None
    prune: bool = False
    require_clean_tree: bool = False
    file: Path | None = None
    freeze: tuple[Window, ...] = ()
    freeze_declared: bool = False  # opconf.yaml has a freeze: key (it states the windows)
    drift_ignore: tuple[IgnoreRule, ...] = ()
    policy: Policy | None = None  # rules: and waivers: (None: the file sets neither)

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
    if path and not exists(Path(path)):  # anything else there is read, or refused, as a file
        raise UsageError(f"project file {path} not found")
    root, file = (Path.cwd(), Path(path)) if path else find_project(Path.cwd())
    if file is None:
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


def find_project(start: Path) -> tuple[Path, Path | None]:
    """The project's folder for ``start`` and its project file, if any.

    The nearest folder at or above ``start`` holding ``opconf.yaml`` (as git finds ``.git``)
    or, without one, a ``config/`` folder; ``start`` itself when there is neither. So opconf
    run in ``config/templates`` works as at the root, and never puts a store in ``config/``.
    The file is named relative to ``start`` (``opconf.yaml``, ``../../opconf.yaml``).
    """
    for up, folder in enumerate((start, *start.parents)):
        if exists(folder / PROJECT_FILE):
            return folder, Path(*[".."] * up, PROJECT_FILE)
        if (folder / "config").is_dir():
            return folder, None
    return start, None


def missing_config(config: Path) -> UsageError:
    """The error for a project whose documents folder does not exist, saying whether an
    ``opconf.yaml`` was found (and what to do)."""
    file = find_project(Path.cwd())[1]
    if file is None:
        return UsageError(
            f"path {config} does not exist (no opconf.yaml here or in any folder above)",
            hint="start a project with `opconf init`, or run opconf in the project's folder",
        )
    return UsageError(
        f"path {config} does not exist", hint=f"create it, or set `config:` in {file}"
    )


def _project(file: Path, checked: CheckedFile) -> Project:
    data = {name: value for name, value in checked.data.items() if checked.sound(name)}
    root = file.resolve().parent
    return Project(
        root=root,
        config=root / data.get("config", "config"),
        targets={name: target["store"] for name, target in data.get("targets", {}).items()},
        confirm={
            name: target["confirm"]
            for name, target in data.get("targets", {}).items()
            if target.get("confirm")
        },
        mappings=_mappings(root, data.get("targets", {})),
        default_target=data.get("defaultTarget"),
        prune=data.get("prune", False),
        require_clean_tree=data.get("requireCleanTree", False),
        file=file,
        freeze=_windows(data.get("freeze", [])),
        freeze_declared="freeze" in checked.data,
        drift_ignore=_ignore_rules(data.get("drift", {}).get("ignore", [])),
        policy=_policy(data, file),
    )


def _policy(data: dict[str, Any], file: Path) -> Policy | None:
    if not data.get("rules") and not data.get("waivers"):
        return None
    from opconf.load.discover import display_names
    from opconf.validate.policy import policy_of

    return policy_of(data, (display_names([file])[file], file))


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
    yield from _policy_rule(doc)


def _policy_rule(doc: Document) -> Iterator[Finding]:
    """OPC286: ``rules:`` and ``waivers:`` name rules a project may change, objects as
    Kind/glob, and real days (well-typed values only)."""
    from opconf.validate.finding import Finding
    from opconf.validate.policy import entry_problems, rules_problems

    rules, waivers = doc.data.get("rules"), doc.data.get("waivers")
    for path, why in rules_problems(rules) if isinstance(rules, dict) else ():
        yield Finding("OPC286", why, doc, path, at_key=True)
    for i, entry in enumerate(waivers if isinstance(waivers, list) else ()):
        for path, why in entry_problems(entry) if isinstance(entry, dict) else ():
            yield Finding("OPC286", why, doc, ("waivers", i, *path))


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
    """OPC281-OPC284, OPC289: what the schema cannot see in a well-typed ``freeze:`` window."""
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
            at = () if problem.index is None else (problem.index,)
            yield Finding(problem.code, str(problem), doc, ("freeze", i, problem.field, *at))


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
