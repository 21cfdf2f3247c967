"""``drift --accept`` through the real entry point: conflicts and ``--take crm``, ``--exclude``,
all or nothing, keys the configuration cannot hold, and the bytes it leaves alone."""

from __future__ import annotations

import errno
from pathlib import Path

import pytest

from opconf import exitcodes, fsio

try:
    from plan import helpers as h

    from drift.test_cases import drift
except ImportError:  # tests/ is a package
    from tests.drift.test_cases import drift  # type: ignore[no-redef]
    from tests.plan import helpers as h  # type: ignore[no-redef]


def _bytes(env: h.Env) -> dict[str, bytes]:
    config = env.root / "config"
    return {p.relative_to(config).as_posix(): p.read_bytes() for p in config.rglob("*.yaml")}


def test_a_tab_before_a_comment_is_no_crash(onboarding: h.Env) -> None:
    delta = onboarding.root / "config" / "products" / "delta.yaml"
    delta.write_text(delta.read_text("utf-8").replace("name: Delta", "name: Delta\t# tab"))
    h.sql(onboarding.url, "UPDATE product SET type = 'annuity' WHERE key = 'delta'")
    run = drift(onboarding, "--accept")
    assert (run.code, run.err) == (exitcodes.OK, ""), run
    assert delta.read_text("utf-8").endswith("name: Delta\t# tab\ntype: annuity\n")  # kept


@pytest.mark.parametrize(
    ("key", "shown"), [("evil\n", "'evil\\n'"), ("a/b", "'a/b'"), (".hidden", "'.hidden'")]
)
def test_a_key_the_configuration_cannot_hold_is_refused_before_anything_is_written(
    onboarding: h.Env, key: str, shown: str
) -> None:
    h.sql(onboarding.url, "UPDATE product SET name = 'Delta+' WHERE key = 'delta'")
    h.sql(onboarding.url, "UPDATE product SET key = :k WHERE key = 'alpha'", k=key)
    before = _bytes(onboarding)
    run = drift(onboarding, "--accept")
    assert (run.code, run.out) == (exitcodes.USAGE, "")
    assert run.err == (
        f"error: the CRM's Product key {shown} cannot be a key of the configuration (letters,"
        " digits, _, - and ., starting with a letter or digit, not ending in ., at most 128"
        " characters); nothing was written\n"
        "hint: change the key in the CRM, or leave it out: --exclude 'Product/*'\n"
    )
    assert _bytes(onboarding) == before
    run = drift(onboarding, "--accept", "--exclude", "Product/alpha")
    assert run.out.splitlines()[:2] == [
        "Accepted 1 change from the CRM into 1 file:",
        "  config/products/delta.yaml",
    ]


def test_conflicts_are_left_unless_the_crm_is_taken(onboarding: h.Env) -> None:
    delta = onboarding.root / "config" / "products" / "delta.yaml"
    delta.write_text(delta.read_text("utf-8").replace("name: Delta", "name: Delta (git)"))
    h.sql(onboarding.url, "UPDATE product SET name = 'Delta (UI)' WHERE key = 'delta'")
    h.sql(onboarding.url, "UPDATE product SET name = 'Beta (UI)' WHERE key = 'beta'")
    run = drift(onboarding, "--accept", "--detailed-exitcode")
    assert (run.code, run.err) == (exitcodes.CHANGES, "")
    assert run.out == (
        "Accepted 1 change from the CRM into 1 file:\n"
        "  config/products/alpha_beta.yaml\n"
        "Left 1 conflict as the configuration has it (changed here and in the CRM):\n"
        '  Product delta name: config "Delta (git)", applied "Delta", live "Delta (UI)"\n'
        "To take the CRM's values: opconf drift --accept --take crm [KIND/KEY...]\n"
        "Review them (`git diff`), then commit: the next plan leaves the store as it is.\n"
    )
    assert "name: Delta (git)\n" in delta.read_text("utf-8")
    run = drift(onboarding, "--accept", "--take", "crm", "Product/delta")
    assert run.out.splitlines()[:2] == [
        "Accepted 1 change from the CRM into 1 file:",
        "  config/products/delta.yaml",
    ]
    assert "name: Delta (UI)\n" in delta.read_text("utf-8")
    assert drift(onboarding, "--detailed-exitcode").code == exitcodes.OK


def test_take_names_the_side(onboarding: h.Env) -> None:
    run = drift(onboarding, "--accept", "--take", "git")
    assert (run.code, run.err) == (
        exitcodes.USAGE,
        "error: --take git: only the CRM's side can be taken\n"
        "hint: opconf drift --accept --take crm [KIND/KEY...]\n",
    )


def test_take_and_exclude_go_with_accept(onboarding: h.Env) -> None:
    run = drift(onboarding, "--exclude", "Product/*")
    assert (run.code, run.out, run.err) == (
        exitcodes.USAGE,
        "",
        "error: --take and --exclude go with --accept\nhint: opconf drift --accept --take crm\n",
    )


def test_one_file_that_cannot_be_written_writes_none(
    onboarding: h.Env, monkeypatch: pytest.MonkeyPatch
) -> None:
    h.sql(onboarding.url, "UPDATE product SET name = 'Delta+' WHERE key = 'delta'")
    h.sql(
        onboarding.url, "UPDATE coverage_member SET role_code = 'advisor' WHERE user_login = 'dkim'"
    )
    before = _bytes(onboarding)
    real = fsio._temp_file

    def full(path: Path, data: bytes, sync: bool) -> Path:
        if path.name == "wealth_east.yaml":
            raise OSError(errno.ENOSPC, "No space left on device")
        return real(path, data, sync)

    monkeypatch.setattr(fsio, "_temp_file", full)
    run = drift(onboarding, "--accept")
    assert (run.code, run.out) == (exitcodes.IOERR, "")
    assert run.err == (
        "error: cannot write config/groups/wealth_east.yaml: No space left on device\n"
        "hint: free some disk space\n"
    )
    assert _bytes(onboarding) == before
    assert not [p for p in (onboarding.root / "config").rglob("*") if p.name.endswith(".tmp")]


def test_documents_and_lines_accept_leaves_alone_keep_their_bytes(onboarding: h.Env) -> None:
    config = onboarding.root / "config" / "products"
    long = "A long description " * 8
    text = (config / "alpha_beta.yaml").read_text("utf-8")
    text = text.replace("description: The first account.", f"description: {long.strip()}")
    text = text.replace("name: Alpha", 'name: "Alph\\x61"')  # an escape fmt would keep
    raw = ("\ufeff" + text).replace("\n", "\r\n").encode("utf-8")
    (config / "alpha_beta.yaml").write_bytes(raw)
    h.sql(onboarding.url, f"UPDATE product SET description = '{long.strip()}' WHERE key = 'alpha'")
    h.sql(onboarding.url, "UPDATE product SET type = 'annuity' WHERE key = 'beta'")
    run = drift(onboarding, "--accept")
    assert run.code == exitcodes.OK, run
    after = (config / "alpha_beta.yaml").read_bytes()
    first, _, second = after.partition(b"---\r\n")
    assert first == raw.partition(b"---\r\n")[0]  # untouched: BOM, CRLF, escape, long line
    assert second == (
        b"# the second one\r\napiVersion: opconf/v1\r\nkind: Product\r\nkey: beta\r\n"
        b"name: Beta # kept short\r\ntype: annuity\r\n"
    )


def test_lines_an_edit_leaves_alone_keep_their_bytes_in_the_document_it_edits(
    onboarding: h.Env,
) -> None:
    path = onboarding.root / "config" / "products" / "alpha_beta.yaml"
    long = ("A long description " * 8).strip()
    text = path.read_text("utf-8").replace("The first account.", long)
    text = text.replace("name: Alpha", 'name: "Alph\\x61"')
    path.write_text(text, "utf-8")
    h.sql(onboarding.url, f"UPDATE product SET description = '{long}' WHERE key = 'alpha'")
    h.sql(onboarding.url, "UPDATE product SET type = 'annuity' WHERE key = 'alpha'")
    assert drift(onboarding, "--accept").code == exitcodes.OK
    assert path.read_text("utf-8") == text.replace("type: deposit\n---", "type: annuity\n---")
