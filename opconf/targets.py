"""Which store a command works on: ``--store``, ``--target``, ``OPCONF_STORE``, the project's
``defaultTarget`` or the embedded default, with ``${VAR}`` expanded; its mapping; how an apply
to it is confirmed."""

from __future__ import annotations

import os
import re
from pathlib import Path

from opconf.errors import UsageError
from opconf.project import Project

DEFAULT_STORE = "sqlite:///.opconf/store.db"
STORE_VARIABLE = "OPCONF_STORE"
MAPPING_VARIABLE = "OPCONF_MAPPING"  # the mapping of a URL given by --store or OPCONF_STORE
_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")


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
    return resolve_target(project, store, target)[0]


def resolve_target(
    project: Project, store: str | None, target: str | None
) -> tuple[str, str | None]:
    """:func:`resolve_store`, and the name of the target it came from (None: --store,
    OPCONF_STORE or the built-in default)."""
    name: str | None = None
    if store is not None:
        url = store
        if not url.strip():
            raise UsageError("--store is empty", hint="give a store URL, or leave out --store")
    elif target is not None:
        if target not in project.targets:
            known = ", ".join(sorted(project.targets)) or "none defined"
            raise UsageError(f"unknown target '{target}'", hint=f"targets: {known}")
        url, name = expand(project.targets[target], f"target {target}"), target
    elif STORE_VARIABLE in os.environ:
        url = os.environ[STORE_VARIABLE]
        if not url.strip():
            raise UsageError(
                f"environment variable {STORE_VARIABLE} is empty",
                hint="set it to a store URL, or unset it to use the default target",
            )
    elif project.default_target:
        name = project.default_target
        url = expand(project.targets[name], f"target {name}")
    else:
        url = DEFAULT_STORE
    return _anchor_sqlite(url, project.root), name


def confirm_word(project: Project, store: str | None, target: str | None) -> str | None:
    """What a person types on a terminal to confirm an apply (None: answers y/N).

    A target's ``confirm`` says; by default a SQLite store asks y/N and any other store asks
    for the target's name (``yes`` for a store named by URL), as Terraform asks for ``yes``.
    """
    url, name = resolve_target(project, store, target)
    mode = project.confirm.get(name or "")
    if mode is None:
        mode = "yes-no" if url.startswith("sqlite") else "type-name"
    return None if mode == "yes-no" else (name or "yes")


def embedded_default(project: Project) -> Path:
    """The file of the project's built-in embedded store: the one store that the first
    ``apply`` creates by itself (any other missing SQLite file is a mistyped path)."""
    return project.root / DEFAULT_STORE.removeprefix("sqlite:///")


def is_default_store(project: Project, store: str | None, target: str | None) -> bool:
    """Whether :func:`resolve_store` falls back to the default target (or store)."""
    if store is not None or (target is None and STORE_VARIABLE in os.environ):
        return False
    return resolve_target(project, store, target)[1] == project.default_target


def resolve_mapping(
    project: Project, store: str | None, target: str | None, mapping: str | None = None
) -> Path | None:
    """The StoreMapping file of the store :func:`resolve_store` chose, strongest first:
    ``--mapping`` (any store); ``OPCONF_MAPPING`` for a URL given by --store or OPCONF_STORE;
    the target's ``mapping``. None: opconf's own layout."""
    if mapping is not None:
        if not mapping.strip():
            raise UsageError("--mapping is empty", hint="give a mapping file, or leave it out")
        return Path(mapping)
    name = resolve_target(project, store, target)[1]
    one_off = store is not None or (target is None and STORE_VARIABLE in os.environ)
    if one_off and MAPPING_VARIABLE in os.environ:
        value = os.environ[MAPPING_VARIABLE]
        if not value.strip():
            raise UsageError(
                f"environment variable {MAPPING_VARIABLE} is empty",
                hint="set it to a mapping file, or unset it to use opconf's own layout",
            )
        return Path(value)
    return project.mappings.get(name) if name else None


def _anchor_sqlite(url: str, root: Path) -> str:
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != prefix + ":memory:":
        return prefix + str(root / url[len(prefix) :])
    return url
