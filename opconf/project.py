"""The project file (``opconf.yaml``) and store selection (SPEC §1)."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from opconf.errors import UsageError

PROJECT_FILE = "opconf.yaml"
REFS_FILE = "opconf.refs.yaml"
DEFAULT_STORE = "sqlite:///.opconf/store.db"
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_KNOWN_FIELDS = {"config", "targets", "defaultTarget", "prune"}


@dataclass(frozen=True)
class Project:
    """Where the documents are and which stores exist; paths are absolute."""

    root: Path
    config: Path
    targets: dict[str, str] = field(default_factory=dict)
    default_target: str | None = None
    prune: bool = False
    file: Path | None = None

    @property
    def refs_file(self) -> Path:
        return self.root / REFS_FILE


def load_project(path: str | None = None) -> Project:
    """Read ``path`` (or ``./opconf.yaml`` when present); defaults otherwise."""
    file = Path(path) if path else Path(PROJECT_FILE)
    if not file.is_file():
        if path:
            raise UsageError(f"project file {path} not found")
        root = Path.cwd()
        return Project(root=root, config=root / "config")
    from opconf.load.yamlread import read_mapping

    data = read_mapping(file)
    root = file.resolve().parent
    unknown = sorted(set(data) - _KNOWN_FIELDS)
    if unknown:
        raise UsageError(
            f"{file}: unknown field '{unknown[0]}'",
            hint=f"known fields: {', '.join(sorted(_KNOWN_FIELDS))}",
        )
    targets = data.get("targets") or {}
    if not isinstance(targets, dict) or not all(
        isinstance(t, dict) and isinstance(t.get("store"), str) for t in targets.values()
    ):
        raise UsageError(f"{file}: targets must map names to {{store: URL}}")
    default = data.get("defaultTarget")
    if default is not None and default not in targets:
        raise UsageError(f"{file}: defaultTarget '{default}' is not one of the targets")
    return Project(
        root=root,
        config=root / str(data.get("config") or "config"),
        targets={name: t["store"] for name, t in targets.items()},
        default_target=default,
        prune=bool(data.get("prune", False)),
        file=file,
    )


def expand(value: str, where: str) -> str:
    """Expand ``${VAR}`` from the environment; an unset variable is an error."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in os.environ:
            raise UsageError(f"{where}: environment variable {name} is not set")
        return os.environ[name]

    return _VAR.sub(sub, value)


def resolve_store(project: Project, store: str | None, target: str | None) -> str:
    """The store URL, strongest first: --store, --target, OPCONF_STORE, defaultTarget, default.

    A relative SQLite path is relative to the project's folder.
    """
    if store:
        url = store
    elif target:
        if target not in project.targets:
            known = ", ".join(sorted(project.targets)) or "none defined"
            raise UsageError(f"unknown target '{target}'", hint=f"targets: {known}")
        url = expand(project.targets[target], f"target {target}")
    elif os.environ.get("OPCONF_STORE"):
        url = os.environ["OPCONF_STORE"]
    elif project.default_target:
        url = expand(project.targets[project.default_target], f"target {project.default_target}")
    else:
        url = DEFAULT_STORE
    return _anchor_sqlite(url, project.root)


def _anchor_sqlite(url: str, root: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(root / url[len(prefix) :])
    return url
