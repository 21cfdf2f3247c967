"""opconf.yaml and store selection (SPEC §1): the file validated like a document (located
errors, strict types, "did you mean"), precedence, ${VAR}, relative SQLite paths."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.cli import main
from opconf.errors import InvalidFileError, UsageError
from opconf.kinds import PROJECT_SCHEMA, REFS_SCHEMA
from opconf.project import inspect_project, load_project
from opconf.targets import DEFAULT_STORE, resolve_store

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parent.parent
PROJECT = """\
config: cfg/
targets:
  local: {store: "sqlite:///.opconf/local.db"}
  prod: {store: "postgresql://app:${PROD_PASSWORD}@db/crm"}
defaultTarget: local
prune: true
"""
HINT = "hint: fix the lines above (`opconf validate` reports them too)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    (tmp_path / "opconf.yaml").write_text(PROJECT)
    return tmp_path


def problems(root: Path, text: str) -> list[str]:
    """``file:line:column code message`` of every problem of an opconf.yaml holding ``text``."""
    (root / "opconf.yaml").write_text(text)
    with pytest.raises(InvalidFileError) as info:
        load_project(None)
    return [f"{d.file}:{d.line}:{d.column} {d.code} {d.message}" for d in info.value.diagnostics]


def test_fields_are_read(project: Path) -> None:
    p = load_project(None)
    assert p.config == project / "cfg/"
    assert p.prune is True
    assert p.default_target == "local"
    assert p.targets == {
        "local": "sqlite:///.opconf/local.db",
        "prod": "postgresql://app:${PROD_PASSWORD}@db/crm",
    }
    assert p.refs_file == project / "opconf.refs.yaml"


def test_defaults_without_a_project_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OPCONF_STORE", raising=False)
    p = load_project(None)
    assert p.config == tmp_path / "config"
    assert resolve_store(p, None, None) == DEFAULT_STORE.replace(
        "sqlite:///", f"sqlite:///{tmp_path}/"
    )


def test_empty_project_file_means_defaults(project: Path) -> None:
    (project / "opconf.yaml").write_text("# nothing set yet\n")
    p = load_project(None)
    assert (p.config, p.targets, p.default_target, p.prune) == (project / "config", {}, None, False)


def test_the_repositorys_own_project_file_is_valid_and_names_its_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(REPO)
    project, found = inspect_project(None)
    assert found == ()
    assert project.prune is False
    first = (REPO / "opconf.yaml").read_text().splitlines()[0]
    assert first == "# yaml-language-server: $schema=schemas/opconf-project.schema.json"
    assert (REPO / "schemas" / "opconf-project.schema.json").is_file()


# --------------------------------------------------------------------------- store selection


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
    with pytest.raises(UsageError) as info:
        resolve_store(load_project(None), None, "prod")
    assert info.value.message == "target prod: environment variable PROD_PASSWORD is not set"
    assert (
        info.value.hint
        == "set PROD_PASSWORD to the store URL (in CI: check that the secret exists)"
    )


@pytest.mark.parametrize("value", ["", "  "])
def test_variable_expanding_to_empty_is_an_error_naming_it(
    project: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """A missing CI secret expands to an empty string: it used to give a password-less URL,
    or "unsupported store URL " with nothing after it."""
    monkeypatch.setenv("PROD_PASSWORD", value)
    with pytest.raises(UsageError) as info:
        resolve_store(load_project(None), None, "prod")
    assert info.value.message == "target prod: environment variable PROD_PASSWORD is empty"


@pytest.mark.parametrize("value", ["", " "])
def test_empty_opconf_store_is_an_error_not_the_default_store(
    project: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("OPCONF_STORE", value)
    with pytest.raises(UsageError) as info:
        resolve_store(load_project(None), None, None)
    assert info.value.message == "environment variable OPCONF_STORE is empty"
    assert info.value.hint == "set it to a store URL, or unset it to use the default target"
    # Stronger sources still win over it.
    assert resolve_store(load_project(None), "sqlite:////flag.db", None) == "sqlite:////flag.db"


def test_empty_store_flag_is_an_error(project: Path) -> None:
    with pytest.raises(UsageError, match=r"^--store is empty$"):
        resolve_store(load_project(None), "", None)


def test_unknown_target_names_the_known_ones(project: Path) -> None:
    with pytest.raises(UsageError) as info:
        resolve_store(load_project(None), None, "staging")
    assert info.value.message == "unknown target 'staging'"
    assert info.value.hint == "targets: local, prod"


def test_empty_opconf_store_through_the_cli(
    project: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("OPCONF_STORE", "")
    assert main(["history"]) == exitcodes.USAGE
    assert capsys.readouterr().err == (
        "error: environment variable OPCONF_STORE is empty\n"
        "hint: set it to a store URL, or unset it to use the default target\n"
    )
    assert not (project / ".opconf").exists()


# --------------------------------------------------------------------------- validation


@pytest.mark.parametrize("value", ["no", '"false"', "off", "0", "False", "~"])
def test_prune_must_be_a_real_boolean(project: Path, value: str) -> None:
    """`prune: no` was read as the string "no", which bool() made true."""
    found = problems(project, f"prune: {value}\n")
    assert len(found) == 1 and found[0].startswith(
        "opconf.yaml:1:8 OPC103 prune must be true or false"
    )


BAD = [
    ("colour: blue\n", "opconf.yaml:1:1 OPC102 unknown field 'colour'"),
    ("prun: true\n", "opconf.yaml:1:1 OPC102 unknown field 'prun' (did you mean 'prune'?)"),
    ("config: [a, b]\n", "opconf.yaml:1:9 OPC103 config must be a string, not a list"),
    ("config: ''\n", "opconf.yaml:1:9 OPC107 config must not be empty"),
    ("targets: [a]\n", "opconf.yaml:1:10 OPC103 targets must be a mapping, not a list"),
    (
        "targets: {a: nope}\n",
        'opconf.yaml:1:14 OPC103 a must be a mapping, not a string "nope"',
    ),
    ("targets: {a: {}}\n", "opconf.yaml:1:14 OPC101 missing required field 'store'"),
    ("targets: {a: {store: ''}}\n", "opconf.yaml:1:22 OPC107 store must not be empty"),
    (
        "targets: {a: {store: x, stor: y}}\n",
        "opconf.yaml:1:25 OPC102 unknown field 'stor' (did you mean 'store'?)",
    ),
    (
        "defaultTarget: [a]\n",
        "opconf.yaml:1:16 OPC103 defaultTarget must be a string, not a list",
    ),
    (
        "defaultTarget: x\n",
        "opconf.yaml:1:16 OPC280 defaultTarget 'x' is not one of the targets "
        "(no targets are defined)",
    ),
    (
        "targets: {local: {store: x}, prod: {store: y}}\ndefaultTarget: prd\n",
        "opconf.yaml:2:16 OPC280 defaultTarget 'prd' is not one of the targets "
        "(did you mean 'prod'?)",
    ),
    (
        "targets: {local: {store: x}}\ndefaultTarget: staging\n",
        "opconf.yaml:2:16 OPC280 defaultTarget 'staging' is not one of the targets "
        "(targets: local)",
    ),
    ("config: [\n", "opconf.yaml:2:1 OPC002 YAML syntax error"),
    ("- config\n", "opconf.yaml:1:1 OPC007 document is a list, expected a mapping"),
    ("prune: false\nprune: true\n", "opconf.yaml:2:1 OPC003 duplicate key 'prune'"),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_bad_project_files(project: Path, text: str, expected: str) -> None:
    (found,) = problems(project, text)
    assert found.startswith(expected), found


def test_extra_documents_are_errors_located_at_them(project: Path) -> None:
    """A second document used to be ignored without a word."""
    found = problems(project, "config: cfg/\n---\nprune: true\n---\n---\n# c\nconfig: x\n")
    message = "OPC012 opconf.yaml holds a single document; merge this one into the first"
    assert found == [f"opconf.yaml:3:1 {message}", f"opconf.yaml:7:1 {message}"]


def test_every_problem_is_reported_at_once(project: Path) -> None:
    text = "config: [a]\ntargets: {a: nope}\ndefaultTarget: [a]\nprune: no\nextra: 1\n"
    codes = [line.split()[1] for line in problems(project, text)]
    assert codes == ["OPC103", "OPC103", "OPC103", "OPC103", "OPC102"]


def test_a_field_with_a_problem_keeps_its_default(project: Path) -> None:
    """``validate`` reports the problems and goes on with the well-typed fields: a broken
    ``prune`` is never taken as true."""
    (project / "opconf.yaml").write_text("config: cfg/\nprune: yes\ndefaultTarget: nope\n")
    p, found = inspect_project(None)
    assert (p.config, p.prune, p.default_target) == (project / "cfg", False, None)
    assert [d.code for d in found] == ["OPC103", "OPC280"]


def test_missing_explicit_project_file(project: Path) -> None:
    with pytest.raises(UsageError, match=r"project file nope\.yaml not found"):
        load_project("nope.yaml")


# --------------------------------------------------------------------------- through the CLI


def test_crash_on_a_list_default_target_is_a_located_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``defaultTarget: [a]`` used to crash (exit 70)."""
    (project / "opconf.yaml").write_text(
        "targets: {a: {store: 'sqlite:///a.db'}}\ndefaultTarget: [a]\n"
    )
    assert main(["history"]) == exitcodes.USAGE
    assert capsys.readouterr().err == (
        "opconf.yaml:2:16: error OPC103 defaultTarget must be a string, not a list "
        "(defaultTarget)\n"
        "error: opconf.yaml is invalid (1 error); nothing was done\n" + HINT
    )
    assert not (project / "a.db").exists()


@pytest.mark.parametrize(
    "args", [["fmt", "--check"], ["plan"], ["store", "init"], ["refs", "pull"]]
)
def test_every_command_that_loads_the_project_refuses_an_invalid_one(
    project: Path, capsys: pytest.CaptureFixture[str], args: list[str]
) -> None:
    (project / "opconf.yaml").write_text("prune: no\nprun: true\n")
    assert main(args) == exitcodes.USAGE
    out, err = capsys.readouterr()
    assert (out, err) == (
        "",
        'opconf.yaml:1:8: error OPC103 prune must be true or false, not a string "no"'
        " (did you mean false?) (prune)\n"
        "opconf.yaml:2:1: error OPC102 unknown field 'prun' (did you mean 'prune'?) (prun)\n"
        "error: opconf.yaml is invalid (2 errors); nothing was done\n" + HINT,
    )
    assert sorted(p.name for p in project.iterdir()) == ["opconf.yaml"]


def test_prune_no_never_deletes_what_the_crm_made(env: h.Env) -> None:
    """The issue: `prune: no` read as true would have planned deleting UI-made objects."""
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('ui_made', 'UI made', 'deposit', true)",
    )
    env.write(h.small_config())
    (env.root / "opconf.yaml").write_text("prune: no\n", encoding="utf-8")
    before = env.dump()
    result = env.run("apply", "--auto-approve", "--allow-destructive")
    assert result.code == exitcodes.USAGE
    assert result.out == ""
    assert result.err.startswith("opconf.yaml:1:8: error OPC103 prune must be true or false")
    assert env.dump() == before


# --------------------------------------------------------------------------- validate reports it


def test_validate_reports_project_problems_with_the_documents(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "opconf.yaml").write_text("config: cfg/\nprune: 'false'\n")
    (project / "cfg").mkdir()
    (project / "cfg" / "p.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: t\nlistPrice: -1\n"
    )
    assert main(["validate"]) == exitcodes.PROBLEMS
    out = capsys.readouterr().out
    assert out == (
        "cfg/p.yaml:6:12: error OPC106 listPrice must be ≥ 0 (got -1) (listPrice)\n"
        'opconf.yaml:2:8: error OPC103 prune must be true or false, not a string "false"'
        " (did you mean false?) (prune)\n"
        "info OPC290 reference checks skipped: no opconf.refs.yaml "
        "(write one with `opconf refs pull`)\n"
        "2 errors, 0 warnings in 1 file (1 object checked)\n"
    )


@pytest.mark.parametrize("fmt", ["json", "github", "sarif"])
def test_validate_reports_project_problems_in_every_format(
    project: Path, capsys: pytest.CaptureFixture[str], fmt: str
) -> None:
    (project / "opconf.yaml").write_text("prune: no\n")
    (project / "config").mkdir()
    (project / "config" / "p.yaml").write_text(
        "apiVersion: opconf/v1\nkind: Product\nkey: p\nname: P\ntype: t\n"
    )
    assert main(["validate", "--format", fmt]) == exitcodes.PROBLEMS
    out = capsys.readouterr().out
    if fmt == "json":
        (found,) = [d for d in json.loads(out)["diagnostics"] if d["severity"] == "error"]
        assert (found["file"], found["line"], found["column"], found["code"], found["path"]) == (
            "opconf.yaml",
            1,
            8,
            "OPC103",
            "/prune",
        )
    elif fmt == "github":
        assert "::error file=opconf.yaml,line=1,col=8,title=OPC103::" in out
    else:
        (result,) = [r for r in json.loads(out)["runs"][0]["results"] if r["ruleId"] == "OPC103"]
        location = result["locations"][0]["physicalLocation"]
        assert location["artifactLocation"]["uri"] == "opconf.yaml"


def test_validate_with_an_unknown_config_folder_reports_only_the_project(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``config: [a, b]`` used to say "path ['a', 'b'] does not exist"."""
    (project / "opconf.yaml").write_text("config: [a, b]\n")
    assert main(["validate"]) == exitcodes.PROBLEMS
    assert capsys.readouterr().out == (
        "opconf.yaml:1:9: error OPC103 config must be a string, not a list (config)\n"
        "1 error, 0 warnings in 0 files (0 objects checked)\n"
    )


# --------------------------------------------------------------------------- the schemas


def _own_files() -> list[tuple[str, dict[str, object]]]:
    from opconf.load.yamlread import read_text

    texts = [(PROJECT_SCHEMA, PROJECT), (PROJECT_SCHEMA, (REPO / "opconf.yaml").read_text())]
    texts += [(PROJECT_SCHEMA, text) for text, _ in BAD]
    texts += [(REFS_SCHEMA, (REPO / "opconf.refs.yaml").read_text())]
    for case in sorted((REPO / "tests" / "cases" / "validate").iterdir()):
        for name, schema in (("opconf.yaml", PROJECT_SCHEMA), ("opconf.refs.yaml", REFS_SCHEMA)):
            if (case / name).is_file():
                texts.append((schema, (case / name).read_text()))
    return [(s, doc.data) for s, text in texts for doc in read_text(text, "f").documents]


def test_both_validators_agree_on_every_known_project_and_refs_file() -> None:
    """Validation asks the fast validator "valid?" and the reference one for messages: on
    these schemas too, they must agree (else a bad file would pass without a word)."""
    import jsonschema
    import jsonschema_rs

    from opconf.validate.schema_check import schema

    outcomes = set()
    for stem, data in _own_files():
        reference = jsonschema.Draft202012Validator(schema(stem)).is_valid(data)
        assert jsonschema_rs.Draft202012Validator(schema(stem)).is_valid(data) == reference, data
        outcomes.add(reference)
    assert outcomes == {True, False}
