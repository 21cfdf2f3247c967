"""opconf.yaml and store selection (SPEC §1): precedence, ${VAR}, relative SQLite paths."""

from __future__ import annotations

from pathlib import Path

import pytest

from opconf.errors import UsageError
from opconf.project import DEFAULT_STORE, load_project, resolve_store

PROJECT = """\
config: cfg/
targets:
  local: {store: "sqlite:///.opconf/local.db"}
  prod: {store: "postgresql://app:${PROD_PASSWORD}@db/crm"}
defaultTarget: local
prune: true
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    (tmp_path / "opconf.yaml").write_text(PROJECT)
    return tmp_path


def test_fields_are_read(project: Path) -> None:
    p = load_project(None)
    assert p.config == project / "cfg/"
    assert p.prune is True
    assert p.default_target == "local"
    assert p.refs_file == project / "opconf.refs.yaml"


def test_defaults_without_a_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    p = load_project(None)
    assert p.config == tmp_path / "config"
    assert resolve_store(p, None, None) == DEFAULT_STORE.replace(
        "sqlite:///", f"sqlite:///{tmp_path}/"
    )


def test_precedence_store_target_env_default(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    p = load_project(None)
    monkeypatch.setenv("PROD_PASSWORD", "s3cret")
    monkeypatch.setenv("OPCONF_STORE", "sqlite:////env.db")
    assert resolve_store(p, "sqlite:////flag.db", "prod") == "sqlite:////flag.db"
    assert resolve_store(p, None, "prod") == "postgresql://app:s3cret@db/crm"
    assert resolve_store(p, None, None) == "sqlite:////env.db"
    monkeypatch.delenv("OPCONF_STORE")
    assert resolve_store(p, None, None) == f"sqlite:///{project}/.opconf/local.db"


def test_unset_variable_is_a_usage_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PROD_PASSWORD", raising=False)
    with pytest.raises(UsageError, match="environment variable PROD_PASSWORD is not set"):
        resolve_store(load_project(None), None, "prod")


def test_unknown_target_names_the_known_ones(project: Path) -> None:
    with pytest.raises(UsageError) as info:
        resolve_store(load_project(None), None, "staging")
    assert info.value.message == "unknown target 'staging'"
    assert info.value.hint == "targets: local, prod"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("colour: blue\n", "opconf.yaml: unknown field 'colour'"),
        ("targets: {a: nope}\n", "opconf.yaml: targets must map names to {store: URL}"),
        ("defaultTarget: x\n", "opconf.yaml: defaultTarget 'x' is not one of the targets"),
        ("config: [\n", "opconf.yaml:2:1: YAML syntax error"),
    ],
)
def test_bad_project_files(project: Path, text: str, message: str) -> None:
    (project / "opconf.yaml").write_text(text)
    with pytest.raises(UsageError) as info:
        load_project(None)
    assert info.value.message.startswith(message)


def test_missing_explicit_project_file(project: Path) -> None:
    with pytest.raises(UsageError, match=r"project file nope\.yaml not found"):
        load_project("nope.yaml")
