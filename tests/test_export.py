"""``opconf export``: golden cases (a store seeded by SQL → files), adoption, bad input.

Golden cases are folders under ``tests/cases/export/``: ``seed.sql`` (statements run on a
store holding the demo's reference data), optionally ``args`` (more export arguments), and
the reviewed ``expected/`` files and ``stdout.txt``. ``OPCONF_REGEN=1`` rewrites them.
Every case runs on SQLite and PostgreSQL.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from opconf import exitcodes
from opconf.fmt import format_text
from opconf.store import Store
from tests.plan import helpers as h

CASES = Path(__file__).parent / "cases" / "export"


class _Any(str):
    def __eq__(self, other: object) -> bool:
        return isinstance(other, str)

    __hash__ = str.__hash__


_ANY = _Any()
REGEN = os.environ.get("OPCONF_REGEN") == "1"


def _tree(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): p.read_text(encoding="utf-8")
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _seed_sql(url: str, script: str) -> None:
    lines = [line for line in script.splitlines(keepends=True) if not line.startswith("--")]
    for statement in "".join(lines).split(";\n"):
        if statement.strip():
            h.sql(url, statement)


def _summary(env: h.Env) -> dict[str, int]:
    summary: dict[str, int] = json.loads(env.ok("plan", "--format", "json"))["summary"]
    return summary


def _unmanaged_product(env: h.Env, key: str, name: str) -> None:
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES (:key, :name, 'deposit', TRUE)",
        key=key,
        name=name,
    )


def _export(env: h.Env, *args: str) -> h.Run:
    return env.run("export", *args, "--store", env.url)


@pytest.mark.parametrize("case", sorted(p for p in CASES.iterdir() if p.is_dir()), ids=str)
def test_golden(case: Path, env: h.Env) -> None:
    _seed_sql(env.url, (case / "seed.sql").read_text(encoding="utf-8"))
    args = (case / "args").read_text().split() if (case / "args").is_file() else []
    result = _export(env, "--out", "config", *args)
    assert (result.code, result.err) == (0, "")
    files = _tree(env.root / "config")
    if REGEN:
        shutil.rmtree(case / "expected", ignore_errors=True)
        shutil.copytree(env.root / "config", case / "expected")
        (case / "stdout.txt").write_text(result.out, encoding="utf-8")
    assert files == _tree(case / "expected")
    assert result.out == (case / "stdout.txt").read_text(encoding="utf-8")
    assert all(format_text(text) == text for text in files.values())
    assert env.run("validate", "config").code == 0
    summary = _summary(env)
    assert summary == {**dict.fromkeys(summary, 0), "adopt": summary["adopt"]}


def test_demo_crm_adopted_with_only_unmanaged(
    store_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """store init --demo, export --only-unmanaged, plan: only adopts; apply; plan empty."""
    Store(store_url).init(demo=True)
    env = h.make_env(store_url, tmp_path / "repo", monkeypatch, capsys)
    env.write([h.product("checking")])  # configured already: a create, not exported
    out = _export(env, "--only-unmanaged")
    assert out == (0, "Exported 4 objects to config/: 3 products, 1 template.\n", "")
    summary = _summary(env)
    assert summary == {**dict.fromkeys(summary, 0), "create": 1, "adopt": 4}
    env.ok("apply", "--auto-approve")
    assert env.ok("plan").splitlines()[-1] == h.NO_CHANGES
    # The exported files are what apply left; only the hand-written one is not in house style.
    check = _export(env, "--check")
    assert (check.code, check.err) == (exitcodes.CHANGES, "")
    assert check.out.startswith("would change config/products/checking.yaml\n--- a/config/")
    assert check.out.endswith("\n1 file would change, 4 unchanged.\n")


def test_check_writes_nothing_and_exits_2(env: h.Env) -> None:
    _unmanaged_product(env, "p", "P")
    assert _export(env, "--check") == (
        2,
        "would write config/products/p.yaml\n1 file would change, 0 unchanged.\n",
        "",
    )
    assert not (env.root / "config").exists()
    assert _export(env).code == 0
    assert _export(env, "--check") == (0, "0 files would change, 1 unchanged.\n", "")
    again = _export(env)
    assert again == (0, "Exported 1 object to config/: 1 product (1 already up to date).\n", "")


def test_existing_file_needs_force(env: h.Env) -> None:
    _unmanaged_product(env, "p", "P")
    _unmanaged_product(env, "q", "Q")
    mine = env.root / "config" / "products" / "p.yaml"
    mine.parent.mkdir(parents=True)
    mine.write_text("# mine\n", encoding="utf-8")
    result = _export(env)
    assert result == (
        exitcodes.USAGE,
        "",
        "error: 1 file would be overwritten: config/products/p.yaml\n"
        "hint: nothing was written; use --force to overwrite, or --check to see what differs\n",
    )
    assert _tree(env.root / "config") == {"products/p.yaml": "# mine\n"}
    check = _export(env, "--check")
    assert check.code == exitcodes.CHANGES
    assert check.out.startswith(
        "would write config/products/q.yaml\n"
        "would change config/products/p.yaml\n"
        "--- a/config/products/p.yaml\n"
        "+++ b/config/products/p.yaml\n"
        "@@ -1 +1,6 @@\n"
        "-# mine\n"
        "+# yaml-language-server: $schema=../../schemas/product.schema.json\n"
    )
    assert check.out.endswith("2 files would change, 0 unchanged.\n")
    assert _export(env, "--force").code == 0
    assert "# mine" not in mine.read_text(encoding="utf-8")


def test_missing_dependencies_are_named(env: h.Env) -> None:
    _seed_sql(env.url, (CASES / "templates-with-dependencies" / "seed.sql").read_text())
    result = _export(env, "--kind", "OpportunityTemplate")
    assert result == (
        exitcodes.PROBLEMS,
        "",
        "error: templates refer to objects neither configured nor exported: product used "
        "(used by template simple), coverage group team (used by template simple)\n"
        "hint: export them too with --with-dependencies, or widen --kind/--select\n",
    )
    assert not (env.root / "config").exists()
    env.write([h.product("used"), h.group("team")])  # configured: no longer missing
    assert _export(env, "--kind", "opportunitytemplate", "--select", "s*").code == 0


def test_control_character_refused(env: h.Env) -> None:
    h.sql(
        env.url,
        "INSERT INTO product (key, name, description, type, active)"
        " VALUES ('bell', 'Bell', :text, 'deposit', TRUE)",
        text="ring \x07 ring",
    )
    result = _export(env)
    assert result == (
        exitcodes.PROBLEMS,
        "",
        "error: cannot export Product bell: description holds U+0007, a character YAML cannot "
        "hold\nhint: correct the text in the CRM, or leave the object out with --exclude GLOB\n",
    )
    assert not (env.root / "config").exists()


def test_refused_object_leaves_no_folder_behind(env: h.Env) -> None:
    """Files written ahead while the next ones are made are removed with their folders."""
    _unmanaged_product(env, "a_first", "First")
    _unmanaged_product(env, "z_bad", "Bad \x07")
    result = _export(env)
    assert result.code == exitcodes.PROBLEMS
    assert result.err.startswith("error: cannot export Product z_bad: name holds U+0007")
    assert not (env.root / "config").exists()


def test_key_that_would_escape_the_folder_is_skipped_with_a_warning(env: h.Env) -> None:
    _unmanaged_product(env, "../../evil", "Evil")
    _unmanaged_product(env, "gold_card", "Gold Card")
    result = _export(env)
    assert result == (
        0,
        "Exported 1 object to config/: 1 product.\n",
        "warning: skipped Product '../../evil': its key is not a valid opconf key (letters, "
        "digits, _, - and ., starting with a letter or digit, not ending in ., at most 128 "
        "characters)\n",
    )
    assert _tree(env.root / "config") == {"products/gold_card.yaml": _ANY}
    assert not (env.root.parent / "evil.yaml").exists()


def test_unwritable_out(env: h.Env) -> None:
    _unmanaged_product(env, "p", "P")
    (env.root / "afile").write_text("x", encoding="utf-8")
    result = _export(env, "--out", "afile/sub")
    assert result == (
        exitcodes.CANTCREAT,
        "",
        "error: cannot write afile/sub: Not a directory\n"
        "hint: a component of the path is a file, not a folder\n",
    )
    assert not (env.root / "afile").is_dir()  # nothing half-written


def test_a_new_folder_is_made_whole_or_not_at_all(tmp_path: Path) -> None:
    """Into a folder that does not exist, export makes it beside, then renames it into place:
    a file that cannot be written leaves neither the folder nor the one beside it."""
    from opconf.errors import FileError
    from opconf.fsio import write_tree

    long = "x" * 300 + ".yaml"  # over the file system's name limit
    failed = rf"^cannot write .*/out/templates/{long}: File name too long$"
    with pytest.raises(FileError, match=failed):
        write_tree(tmp_path / "out", {"products/a.yaml": "1\n", f"templates/{long}": "2\n"})
    assert list(tmp_path.iterdir()) == []
    write_tree(tmp_path / "out", {"products/a.yaml": "1\n", "b.yaml": "2\n"})
    assert _tree(tmp_path) == {"out/products/a.yaml": "1\n", "out/b.yaml": "2\n"}


def test_all_files_or_none(tmp_path: Path) -> None:
    """Export's files are written together: when one cannot be, no target is touched."""
    from opconf.errors import FileError
    from opconf.fsio import write_files

    (tmp_path / "b").write_text("x", encoding="utf-8")
    with pytest.raises(FileError, match=r"^cannot create .*/b: File exists$"):
        write_files({tmp_path / "a" / "x.yaml": "1\n", tmp_path / "b" / "y.yaml": "2\n"})
    assert _tree(tmp_path) == {"b": "x"}
    write_files({tmp_path / "a" / "x.yaml": "1\n", tmp_path / "c.yaml": "2\n"})
    assert _tree(tmp_path) == {"a/x.yaml": "1\n", "b": "x", "c.yaml": "2\n"}


def test_unknown_kind(env: h.Env) -> None:
    assert _export(env, "--kind", "Widget") == (
        exitcodes.USAGE,
        "",
        "error: unknown kind 'Widget'\nhint: kinds: Product, CoverageGroup, OpportunityTemplate\n",
    )


def test_store_not_initialised(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = h.make_env(f"sqlite:///{tmp_path}/none.db", tmp_path / "repo", monkeypatch, capsys)
    result = _export(env)
    assert result.code == exitcodes.STORE
    assert result.err.startswith(f"error: no store at sqlite:///{tmp_path}/none.db: no such file\n")
    assert not (env.root / "config").exists()


def test_unreachable_store(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    env = h.make_env(
        "postgresql://app:secret@127.0.0.1:1/crm", tmp_path / "repo", monkeypatch, capsys
    )
    result = _export(env)
    assert result.code == exitcodes.STORE
    assert result.err.count("\n") == 2 and "secret" not in result.err
    assert result.err.startswith("error: ") and "postgresql://app:***@127.0.0.1:1/crm" in result.err
    assert not (env.root / "config").exists()


def test_progress_on_a_terminal(tmp_path: Path) -> None:
    """A large export shows progress on a terminal (stderr), then clears the line."""
    import pty

    url = f"sqlite:///{tmp_path}/store.db"
    h.seed(url, h.reference_seed(tmp_path))
    h.sql(
        url,
        "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 600)"
        " INSERT INTO product (key, name, type, active)"
        " SELECT 'p' || i, 'P' || i, 'deposit', TRUE FROM n",
    )
    leader, follower = pty.openpty()
    process = h.opconf_process(tmp_path, "export", "--store", url, stderr=follower)
    os.close(follower)
    out, _ = process.communicate(timeout=120)
    chunks = []
    while True:
        try:
            chunk = os.read(leader, 4096)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        chunks.append(chunk)
    err = b"".join(chunks).decode()
    assert process.returncode == 0
    assert out == "Exported 600 objects to config/: 600 products.\n"
    assert "\rExporting 100/600 objects" in err and err.endswith(
        "\rExporting 600/600 objects\r\x1b[K"
    )


def test_select_takes_kind_globs_and_repeats(env: h.Env) -> None:
    _seed_sql(env.url, (CASES / "templates-with-dependencies" / "seed.sql").read_text())
    selected = ("--select", "Product/use?", "--select", "CoverageGroup/t*")
    assert _export(env, *selected).code == exitcodes.OK
    config = env.root / "config"
    written = sorted(p.relative_to(config).as_posix() for p in config.rglob("*.yaml"))
    assert written == ["coverage-groups/team.yaml", "products/used.yaml"]
    wrong = _export(env, "--select", "Products/*")
    assert wrong.code == exitcodes.USAGE
    assert wrong.err.startswith("error: --select 'Products/*': no kind is called 'Products'")
