"""``opconf rollback``: identity by row across renames and reused keys, on both backends.

Each test asserts the plan's actions, the store's rows (ids kept) and that opportunities
still point at the rows they pointed at.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from opconf import exitcodes
from opconf.canonical import canonical
from opconf.store.packing import unpack

try:
    from plan import helpers as h
except ImportError:  # tests/ is a package
    from tests.plan import helpers as h  # type: ignore[no-redef]


def expected_state(docs: list[h.Obj]) -> dict[tuple[str, str], h.Obj]:
    return {(d["kind"], d["key"]): canonical(d["kind"], d) for d in docs}


def last_line(text: str) -> str:
    return text.rstrip("\n").splitlines()[-1]


def ids(url: str, table: str) -> dict[str, int]:
    return {key: row_id for row_id, key in h.sql(url, f"SELECT id, key FROM {table}")}


def seller(*products: str, group: str = "branch_team") -> h.Obj:
    return h.template(
        "lending", stages=("apply",), products=list(products), defaultCoverageGroup=group
    )


TEAM = [{"user": "ajones", "role": "advisor"}]
A = [h.product("heloc"), h.product("auto"), h.group("branch_team", members=TEAM)]
A.append(seller("heloc", "auto"))
# heloc and the group renamed; the template sells the renamed product (no change to its rows)
B = [
    h.product("heloc_v2", previousKeys=["heloc"], name="Heloc"),
    h.product("auto"),
    h.group("branch_crew", previousKeys=["branch_team"], name="Branch Team", members=TEAM),
    seller("heloc_v2", "auto", group="branch_crew"),
]
# later: the old keys taken by new objects
C = [
    h.product("heloc_v2", name="Heloc"),
    h.product("heloc", name="Heloc, the new one"),
    h.product("auto"),
    h.group("branch_crew", name="Branch Team", members=TEAM),
    h.group("branch_team", name="New team", members=TEAM),
    seller("heloc_v2", "auto", group="branch_crew"),
]


def _apply_a_b(env: h.Env) -> dict[str, int]:
    env.write(A)
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url, [{"name": "Deal", "template": "lending", "stage": "apply", "product": "heloc"}]
    )
    before = ids(env.url, "product")
    env.write(B)
    assert last_line(env.ok("apply", "--auto-approve")) == "Apply complete: 2 renamed (revision 2)."
    return before


def drop_from_snapshot(url: str, revision: int, *fields: str) -> None:
    """Make the snapshot of ``revision`` one of an earlier format, written before ``fields``."""
    query = "SELECT snapshot FROM opconf_history WHERE revision = :r"
    [(text,)] = h.sql(url, query, r=revision)
    old = {k: v for k, v in unpack(text, revision).items() if k not in fields}
    query = "UPDATE opconf_history SET snapshot = :s WHERE revision = :r"
    h.sql(url, query, s=json.dumps(old), r=revision)


def _opportunity_product(url: str) -> list[tuple[str, int]]:
    return h.sql(url, "SELECT p.key, p.id FROM opportunity o JOIN product p ON p.id = o.product_id")


def test_rollback_to_the_revision_of_a_rename(env: h.Env) -> None:
    """The snapshot records the template's products and group by row, not by the key of the
    moment: rolling back to the rename's own revision changes nothing."""
    _apply_a_b(env)
    again = env.run("rollback", "2", "--auto-approve")
    assert (again.code, last_line(again.out)) == (
        exitcodes.OK,
        "No changes. The store matches revision 2 already.",
    ), again.err
    assert env.state() == expected_state(B)


def test_rollback_after_a_new_object_took_the_old_key(env: h.Env) -> None:
    """Revision 2's template sells the renamed row, not the new row that took its old key."""
    _apply_a_b(env)
    env.write(C)
    assert last_line(env.ok("apply", "--auto-approve")) == "Apply complete: 2 created (revision 3)."
    rolled = env.run("rollback", "2", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 2 deleted (revision 4)."
    assert env.state() == expected_state(B)


def test_rollback_past_a_rename_and_reuse_renames_the_original_back(env: h.Env) -> None:
    """The original rows are renamed back (their ids and opportunities kept); the newer rows
    that took their keys are deleted."""
    original = _apply_a_b(env)
    env.write(C)
    env.ok("apply", "--auto-approve")
    newer = ids(env.url, "product")["heloc"]
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    lines = [line.strip() for line in rolled.out.splitlines()]
    assert "→ Product heloc  (renamed from heloc_v2; 1 open opportunity)" in lines
    assert "→ CoverageGroup branch_team  (renamed from branch_crew)" in lines
    assert "- Product heloc  (destructive)" in lines
    assert "- CoverageGroup branch_team  (destructive)" in lines
    assert last_line(rolled.out) == "Apply complete: 2 renamed, 2 deleted (revision 4)."
    assert env.state() == expected_state(A)
    assert ids(env.url, "product") == original
    assert newer not in ids(env.url, "product").values()
    assert _opportunity_product(env.url) == [("heloc", original["heloc"])]
    env.write(A)
    assert last_line(env.ok("plan")) == h.NO_CHANGES


def test_rollback_when_the_new_holder_of_the_old_key_is_sold(env: h.Env) -> None:
    """The template sold the newer row; rolled back, it sells the original row again."""
    original = _apply_a_b(env)
    env.write([*C[:5], seller("heloc", "auto", group="branch_team")])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    assert "- products[heloc (row " in rolled.out
    assert env.state() == expected_state(A)
    assert ids(env.url, "product") == original
    rows = h.sql(env.url, "SELECT product_id FROM template_product ORDER BY position")
    assert rows == [(original["heloc"],), (original["auto"],)]


def test_rollback_reads_a_snapshot_written_before_refs(env: h.Env) -> None:
    """Snapshots of the earlier format held the keys of the revision before in templates the
    apply did not touch; they are upgraded when read, through the previous snapshot."""
    _apply_a_b(env)
    [(text,)] = h.sql(env.url, "SELECT snapshot FROM opconf_history WHERE revision = 2")
    old = unpack(text, 2)
    del old["refs"]
    [template] = old["OpportunityTemplate"]
    template.update(products=["heloc", "auto"], defaultCoverageGroup="branch_team")
    h.sql(
        env.url,
        "UPDATE opconf_history SET snapshot = :s WHERE revision = 2",
        s=json.dumps(old),
    )
    again = env.run("rollback", "2", "--auto-approve")
    assert (again.code, last_line(again.out)) == (
        exitcodes.OK,
        "No changes. The store matches revision 2 already.",
    ), again.err


def test_rollback_of_an_object_changed_then_renamed(env: h.Env) -> None:
    """The snapshot of the update records the row id; the rename is undone on that row."""
    env.write([h.product("cd")])
    env.ok("apply", "--auto-approve")
    row = ids(env.url, "product")["cd"]
    env.write([h.product("cd", name="CD, changed")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("certificate", previousKeys=["cd"], name="CD, changed")])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "2", "--auto-approve")  # a rename: not destructive
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 1 renamed (revision 4)."
    assert ids(env.url, "product") == {"cd": row}
    assert env.state() == expected_state([h.product("cd", name="CD, changed")])


def test_rollback_cannot_rename_back_onto_a_key_the_crm_took(env: h.Env) -> None:
    """An unmanaged row took the old key since: a plan error (OPC306), nothing written."""
    _apply_a_b(env)
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) "
        "VALUES ('heloc', 'Made in the UI', 'deposit', true)",
    )
    before = h.dump(env.url)
    rolled = env.run("rollback", "1", "--auto-approve")
    assert (rolled.code, rolled.err) == (
        exitcodes.PROBLEMS,
        "error: the plan has errors: cannot rename Product 'heloc_v2' to 'heloc': "
        "Product 'heloc' (unmanaged) already has that key\n"
        "hint: fix them and plan again\n",
    )
    assert "  OPC306 cannot rename Product 'heloc_v2' to 'heloc'" in rolled.out
    plan = json.loads(env.run("rollback", "1", "--format", "json").out)
    assert [(e["code"], e["kind"], e["key"]) for e in plan["errors"]] == [
        ("OPC306", "Product", "heloc")
    ]
    assert h.dump(env.url) == before


def _replace_review(env: h.Env) -> None:
    """Revision 1: stages apply, review (2 open opportunities on review); revision 2: a new
    stage decide replaces review."""
    env.write([h.template("lending", stages=("apply", "review"))])
    env.ok("apply", "--auto-approve")
    h.add_opportunities(
        env.url,
        [
            {"name": "One", "template": "lending", "stage": "review"},
            {"name": "Two", "template": "lending", "stage": "review"},
            {"name": "Early", "template": "lending", "stage": "apply"},
        ],
    )
    replaced = h.template("lending", stages=("apply", "decide"))
    replaced["stages"][1]["replaces"] = ["review"]
    env.write([replaced])
    env.ok("apply", "--auto-approve", "--allow-destructive")


def test_rollback_past_a_replaces_moves_the_opportunities_back(env: h.Env) -> None:
    _replace_review(env)
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    assert "    → 2 open opportunities in stage decide move to review\n" in rolled.out
    assert h.opportunity_lines(env.url) == [
        "Early: lending/apply (open)",
        "One: lending/review (open)",
        "Two: lending/review (open)",
    ]
    assert env.state() == expected_state([h.template("lending", stages=("apply", "review"))])


def test_rollback_past_a_replaces_without_a_record_explains(env: h.Env) -> None:
    """History written before moves were recorded: the error says what to do instead."""
    _replace_review(env)
    drop_from_snapshot(env.url, 2, "moves")
    before = h.dump(env.url)
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.PROBLEMS
    assert rolled.err == (
        "error: the plan has errors: stage 'decide' of template 'lending' holds 2 open "
        "opportunities and revision 1 has no stage they came from; move them first (apply a "
        "configuration in which a stage `replaces: [decide]`), then roll back\n"
        "hint: fix them and plan again\n"
    )
    assert h.dump(env.url) == before


def test_rollback_checks_users_roles_and_product_types_live(env: h.Env) -> None:
    env.write(
        [
            h.product("loan", type="mortgage"),
            h.group("team", members=[{"user": "ajones", "role": "advisor"}]),
        ]
    )
    env.ok("apply", "--auto-approve")
    env.write([h.product("other")])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    h.sql(env.url, "UPDATE crm_user SET active = false WHERE login = 'ajones'")
    h.sql(env.url, "DELETE FROM crm_product_type WHERE code = 'mortgage'")
    before = h.dump(env.url)
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.PROBLEMS
    errors = rolled.out.split("Errors (nothing can be applied):\n")[1].split("\n\n")[0]
    assert errors.splitlines() == [
        "  OPC253 Product 'loan': unknown product type 'mortgage' (type)",
        "  OPC251 CoverageGroup 'team': user 'ajones' is inactive in the CRM (members[0].user)",
    ]
    assert h.dump(env.url) == before


def test_rollback_past_a_stage_rename_and_reuse_renames_the_stage_back(env: h.Env) -> None:
    """The stage's row is renamed back with its opportunity; the newer stage that took its
    key is removed."""
    a = [h.template("cd", stages=("quote",))]
    env.write(a)
    env.ok("apply", "--auto-approve")
    h.add_opportunities(env.url, [{"name": "Alvarez CD", "template": "cd", "stage": "quote"}])
    quote = dict(h.sql(env.url, "SELECT key, id FROM template_stage"))["quote"]
    b = [h.template("cd", stages=("offer",))]
    b[0]["stages"][0].update(name="Quote", previousKeys=["quote"])
    env.write(b)
    env.ok("apply", "--auto-approve")
    env.write([h.template("cd", stages=("offer", "quote"))])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert rolled.code == exitcodes.OK, rolled.err
    lines = [line.strip() for line in rolled.out.splitlines()]
    assert "→ stages[offer] renamed to quote  [1 open]" in lines
    assert "- stages[quote]  [destructive]" in lines
    assert env.state() == expected_state(a)
    assert dict(h.sql(env.url, "SELECT key, id FROM template_stage"))["quote"] == quote
    assert h.opportunity_lines(env.url) == ["Alvarez CD: cd/quote (open)"]


def test_rollback_past_a_rename_that_adopted_releases_the_row_under_its_old_key(
    env: h.Env,
) -> None:
    h.sql(
        env.url,
        "INSERT INTO product (key, name, type, active) VALUES ('ui_cd', 'Cd', 'deposit', true)",
    )
    row = ids(env.url, "product")["ui_cd"]
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("savings"), h.product("cd", previousKeys=["ui_cd"])])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 1 released (revision 3)."
    rows = h.sql(
        env.url,
        f"SELECT id, key, {h.owned('product', 'Product')} FROM product WHERE key <> 'savings'",
    )
    assert rows == [(row, "ui_cd", False)]
    again = env.run("rollback", "3", "--auto-approve")  # its snapshot: the CRM's row again
    assert (again.code, last_line(again.out)) == (
        exitcodes.OK,
        "No changes. The store matches revision 3 already.",
    ), again.err


def _crm_seller(env: h.Env, tmp_path: Path, key: str = "ui_t") -> tuple[h.Obj, h.Obj]:
    """The CRM's own product ui_cd and template ``key`` that sells it; revision 1 manages
    only another product. The documents of the product and the template."""
    seed = tmp_path / "crm.yaml"
    product = h.product("ui_cd", name="UI Cd")
    template = h.template(key, stages=("quote",), name="UI template", products=["ui_cd"])
    crm = {
        "products": [canonical("Product", product)],
        "templates": [canonical("OpportunityTemplate", template)],
    }
    seed.write_text(yaml.safe_dump(crm), encoding="utf-8")
    h.seed(env.url, seed)
    env.write([h.product("other")])
    env.ok("apply", "--auto-approve")
    return product, template


def _crm_template_sells(url: str) -> list[tuple[str, bool, str, bool]]:
    """(template name, managed, product key, managed) of what templates sell."""
    return h.sql(
        url,
        f"SELECT t.name, {h.owned('t', 'OpportunityTemplate')}, p.key, {h.owned('p', 'Product')}"
        " FROM opportunity_template t"
        " JOIN template_product tp ON tp.template_id = t.id JOIN product p ON p.id = tp.product_id",
    )


@pytest.mark.parametrize("refs", [True, False], ids=["refs", "snapshot before refs"])
def test_rollback_to_a_crm_template_whose_crm_product_is_gone(
    env: h.Env, tmp_path: Path, refs: bool
) -> None:
    """Revision 1: the CRM's own template sells the CRM's own product; both adopted, then the
    product deleted. Releasing the template would sell a product that no rollback creates.
    A snapshot written before ``refs`` finds the product's row among the CRM's objects."""
    product, adopted = _crm_seller(env, tmp_path)
    env.write([h.product("other"), product, adopted])
    env.ok("apply", "--auto-approve")
    env.write([h.product("other"), {**adopted, "products": []}])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    if not refs:
        drop_from_snapshot(env.url, 1, "refs")
    before = h.dump(env.url)
    rolled = env.run("rollback", "1", "--auto-approve", "--allow-destructive")
    assert (rolled.code, rolled.err.splitlines()[0]) == (
        exitcodes.PROBLEMS,
        "error: the plan has errors: template 'ui_t' of revision 1 uses Product 'ui_cd', "
        "which is no longer in the store and was not managed then: a rollback cannot create "
        "it again",
    )
    plan = json.loads(env.run("rollback", "1", "--format", "json").out)
    assert [(e["code"], e["kind"], e["key"]) for e in plan["errors"]] == [
        ("OPC307", "OpportunityTemplate", "ui_t")
    ]
    assert h.dump(env.url) == before


def test_rollback_releases_a_crm_template_selling_the_crm_product_under_its_key_now(
    env: h.Env, tmp_path: Path
) -> None:
    """The CRM renames its product after revision 1; revision 2 adopts its template without
    the product. Rolled back, the template is the CRM's again and sells the same row, under
    the name the CRM gave it."""
    _, template = _crm_seller(env, tmp_path)
    h.sql(env.url, "UPDATE product SET key = 'ui_cd2' WHERE key = 'ui_cd'")
    env.write([h.product("other"), {**template, "name": "Adopted", "products": []}])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 1 released (revision 3)."
    assert _crm_template_sells(env.url) == [("UI template", False, "ui_cd2", False)]


def test_rollback_releases_a_crm_template_and_product_renamed_while_adopted(
    env: h.Env, tmp_path: Path
) -> None:
    """Revision 2 adopts the CRM's product, renamed, and its template (whose key is the
    product's: keys are unique per kind). Rolled back, both are the CRM's again, the product
    under its old key, and the template sells it by that key."""
    _, template = _crm_seller(env, tmp_path, key="ui_cd")
    renamed = h.product("cd", previousKeys=["ui_cd"], name="UI Cd")
    env.write([h.product("other"), renamed, {**template, "products": ["cd"]}])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 2 released (revision 3)."
    assert _crm_template_sells(env.url) == [("UI template", False, "ui_cd", False)]


def test_rollback_leaves_the_crm_objects_it_does_not_write_unchecked(env: h.Env) -> None:
    """A CRM group (unmanaged then and now) with a user made inactive since is not rolled
    back, so its member is none of the rollback's business."""
    h.sql(
        env.url,
        "INSERT INTO coverage_group (key, name, visibility) "
        "VALUES ('ui_team', 'UI team', 'public')",
    )
    h.sql(
        env.url,
        "INSERT INTO coverage_member (group_id, user_login, role_code) "
        "SELECT id, 'ajones', 'advisor' FROM coverage_group WHERE key = 'ui_team'",
    )
    env.write([h.product("cd")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("cd", name="Renamed")])
    env.ok("apply", "--auto-approve")
    h.sql(env.url, "UPDATE crm_user SET active = false WHERE login = 'ajones'")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 1 updated (revision 3)."


def test_rollback_never_takes_a_new_row_for_a_deleted_one(env: h.Env) -> None:
    """b deleted, then c created: c's row is not b's, so the rollback deletes c and creates b
    again (c's opportunities must not pass to b). Without AUTOINCREMENT, SQLite would give c
    b's id (the highest, deleted), which rollback's identity by row would take for b."""
    env.write([h.product("a"), h.product("b")])
    env.ok("apply", "--auto-approve")
    env.write([h.product("a")])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    env.write([h.product("a"), h.product("c")])
    env.ok("apply", "--auto-approve")
    plan = json.loads(env.run("rollback", "1", "--format", "json").out)
    assert sorted((c["action"], c["key"]) for c in plan["changes"]) == [
        ("create", "b"),
        ("delete", "c"),
    ]


def _ui_product(env: h.Env, key: str = "ui_cd") -> int:
    """The CRM's own product ``key``, created in its UI: its row id."""
    h.sql(
        env.url,
        f"INSERT INTO product (key, name, type, active) VALUES ('{key}', 'Ui Cd', 'deposit', true)",
    )
    return ids(env.url, "product")[key]


@pytest.mark.parametrize("how", ["document", "drift --accept"])
def test_rollback_releases_what_was_adopted_since_and_never_deletes_it(
    env: h.Env, how: str
) -> None:
    """Revision 1 manages savings; the CRM then creates ui_cd in its UI, which revision 2
    adopts. Rolled back to 1, ui_cd is the CRM's again: its row kept, no longer managed."""
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    row = _ui_product(env)
    if how == "document":
        env.write([h.product("savings"), h.product("ui_cd", name="Ui Cd")])
    else:
        env.ok("drift", "--accept", "--store", env.url)
    assert "adopt: becomes managed" in env.ok("apply", "--auto-approve")
    plan = env.ok("rollback", "1", "--out", "back.json")
    assert "  ~ Product ui_cd  (release: no longer managed, back as it was)\n" in plan
    assert plan.endswith(
        "Plan: 0 to create, 0 to update, 0 to rename, 0 to delete, 1 to release.\n"
        "\nSaved the plan to back.json; apply exactly it with `opconf apply back.json`.\n"
    )
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 1 released (revision 3)."
    owned = h.owned("product", "Product")
    rows = h.sql(env.url, f"SELECT id, key, {owned} FROM product WHERE key = 'ui_cd'")
    assert rows == [(row, "ui_cd", False)]


def test_rollback_keeping_the_replacing_stage_moves_back_what_it_took(env: h.Env) -> None:
    """Revision 1: stages apply, review, decide; revision 2: decide replaces review. Rolled
    back, review is back and the two opportunities that left it go back to it; the one that
    was on decide before stays there, and so does one closed since."""
    env.write([h.template("lending", stages=("apply", "review", "decide"))])
    env.ok("apply", "--auto-approve")
    on = [("One", "review"), ("Two", "review"), ("Three", "review"), ("Own", "decide")]
    h.add_opportunities(env.url, [{"name": n, "template": "lending", "stage": s} for n, s in on])
    replaced = h.template("lending", stages=("apply", "decide"))
    replaced["stages"][1]["replaces"] = ["review"]
    env.write([replaced])
    env.ok("apply", "--auto-approve", "--allow-destructive")
    h.sql(env.url, "UPDATE opportunity SET status = 'won' WHERE name = 'Three'")
    plan = env.ok("rollback", "1", "--out", "back.json")
    assert "    → 2 open opportunities in stage decide move back to review\n" in plan
    rolled = env.run("apply", "back.json")
    assert rolled.code == exitcodes.OK, rolled.err
    assert h.opportunity_lines(env.url) == [
        "One: lending/review (open)",
        "Own: lending/decide (open)",
        "Three: lending/decide (won)",
        "Two: lending/review (open)",
    ]
    assert env.state() == expected_state(
        [h.template("lending", stages=("apply", "review", "decide"))]
    )


def test_rollback_releases_a_template_adopted_since_selling_what_it_sold(
    env: h.Env, tmp_path: Path
) -> None:
    """The CRM creates template ui_t (selling savings) after revision 1; revision 2 adopts it
    and renames savings. Rolled back, ui_t is the CRM's again, its row kept, and sells the
    same product row, under the key the rollback gives it back."""
    env.write([h.product("savings")])
    env.ok("apply", "--auto-approve")
    template = h.template("ui_t", stages=("quote",), name="UI template", products=["savings"])
    seed = tmp_path / "crm.yaml"
    seed.write_text(
        yaml.safe_dump({"templates": [canonical("OpportunityTemplate", template)]}),
        encoding="utf-8",
    )
    h.seed(env.url, seed)
    row = ids(env.url, "opportunity_template")["ui_t"]
    renamed = h.product("deposit", previousKeys=["savings"], name="Savings")
    env.write([renamed, {**template, "products": ["deposit"]}])
    env.ok("apply", "--auto-approve")
    rolled = env.run("rollback", "1", "--auto-approve")
    assert rolled.code == exitcodes.OK, rolled.err
    assert last_line(rolled.out) == "Apply complete: 1 renamed, 1 released (revision 3)."
    assert ids(env.url, "opportunity_template") == {"ui_t": row}
    assert _crm_template_sells(env.url) == [("UI template", False, "savings", True)]
