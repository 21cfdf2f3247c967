"""The checks of the accept property (tests/drift/test_properties.py): one example's store
and configuration before and after ``drift --accept``, judged by :mod:`oracle`."""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from opconf import exitcodes
from opconf.canonical import KIND_ORDER
from opconf.plan.desired import from_index
from opconf.store import Store
from opconf.store.model import Settled
from opconf.workflow import validate_config

try:
    from plan import helpers as h

    from drift import oracle
    from drift.test_cases import drift
except ImportError:  # tests/ is a package
    from tests.drift import oracle  # type: ignore[no-redef]
    from tests.drift.test_cases import drift  # type: ignore[no-redef]
    from tests.plan import helpers as h  # type: ignore[no-redef]

Obj = dict[str, Any]
Rows = dict[tuple[str, str], str]  # (kind, key) → "Kind#row id" (deepdiff paths of strings)


def fresh_stores(env: h.Env, tmp_path: Path, request: pytest.FixtureRequest) -> Callable[[], str]:
    """A new store like ``env``'s (the base applied) for each call: its file copied on SQLite,
    a new schema seeded and applied on PostgreSQL."""
    count = iter(range(1 << 30))
    if env.url.startswith("sqlite"):
        base = Path(env.url.removeprefix("sqlite:///"))

        def copy() -> str:
            target = tmp_path / "stores" / f"{next(count)}.db"
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(base, target)
            return f"sqlite:///{target}"

        return copy
    cluster = request.getfixturevalue("pg_cluster")
    seed = h.reference_seed(tmp_path)

    def applied() -> str:
        url: str = cluster.url("opconf_test", schema=cluster.create_schema("opconf_test"))
        h.seed(url, seed)
        h.Env(url, env.root, env.capsys).ok(
            "apply", "--auto-approve", project="applied.opconf.yaml"
        )
        return url

    return applied


Aliases = dict[tuple[str, str], list[tuple[str, str]]]  # a configuration key → its previous


def _normal(
    objects: list[tuple[str, Obj]], rows: list[Rows], aliases: Aliases | None = None
) -> Obj:
    """The oracle's form; identities from the first of ``rows`` that knows the key, or
    else one of its ``previousKeys`` (a rename not applied yet: the same row)."""

    def ident(kind: str, key: str) -> Any:
        for name in [(kind, key), *(aliases or {}).get((kind, key), ())]:
            found = next((r[name] for r in rows if name in r), None)
            if found is not None:
                return found
        return f"new:{kind}:{key}"

    return oracle.normal(objects, ident, lambda t, s: ident("stage", f"{t}/{s}"))


def _rows(settled: Settled) -> tuple[Rows, Rows]:
    """Row identities at the last apply and live: objects, and stages as ``template/stage``."""
    snap = settled.snapshot or {}
    then: Rows = {
        (k, key): f"{k}#{i}" for k, keys in snap["ids"].items() for key, i in keys.items()
    }
    for t, ids in snap["stage_ids"].items():
        then |= {("stage", f"{t}/{s}"): f"stage#{i}" for s, i in ids.items()}
    live: Rows = {}
    for o in settled.state.objects.values():
        live[(o.kind, o.key)] = f"{o.kind}#{o.id}"
        live |= {("stage", f"{o.key}/{s}"): f"stage#{i}" for s, i in o.stage_ids.items()}
    return then, live


def _config(env: h.Env) -> tuple[list[tuple[str, Obj]], Aliases]:
    """The configuration's objects, and the previous keys of objects and stages."""
    result = validate_config(env.root / "config")
    assert result.valid(), result
    desired = from_index(result.index)
    aliases: Aliases = {}
    for d in desired:
        aliases[(d.kind, d.key)] = [(d.kind, old) for old in d.previous_keys]
        for stage, olds in d.stage_previous.items():
            aliases[("stage", f"{d.key}/{stage}")] = [("stage", f"{d.key}/{o}") for o in olds]
    return [(d.kind, d.data) for d in desired], aliases


def _chunks(env: h.Env) -> dict[str, str]:
    """Each document's text (without its ``---`` line), by ``Kind/key``."""
    out = {}
    for path in (env.root / "config").rglob("*.yaml"):
        for chunk in path.read_text("utf-8").split("---\n"):
            kind = next(line[6:] for line in chunk.splitlines() if line.startswith("kind: "))
            key = next(line[5:] for line in chunk.splitlines() if line.startswith("key: "))
            out[f"{kind}/{key.split(' #')[0]}"] = chunk
    return out


def check_accept(env: h.Env) -> None:
    """(a) accept writes every change the CRM made that the configuration did not make too,
    and nothing else (the oracle); (b) pending changes stay; (c) conflicts are reported, not
    written; (d) documents it did not change keep their bytes; (e) ``fmt --check`` passes;
    (f) drift then reports only the conflicts."""
    store = Store(env.url)
    try:
        settled = store.read_settled()
    finally:
        store.close()
    then_rows, live_rows = _rows(settled)
    snap = settled.snapshot or {}
    then = _normal([(k, o) for k in KIND_ORDER for o in snap[k]], [then_rows])
    live = _normal([(o.kind, o.data) for o in settled.state.objects.values()], [live_rows])
    (objects, aliases), chunks = _config(env), _chunks(env)
    before = _normal(objects, [then_rows, live_rows], aliases)
    run = drift(env, "--accept")
    assert (run.code, run.err) == (exitcodes.OK, ""), run
    changed, aliases = _config(env)
    after = _normal(changed, [live_rows, then_rows], aliases)
    want = oracle.expected(then, before, live)
    written = oracle.paths(before, after)
    assert written == want.written, (run.out, written ^ want.written)
    assert not [p for p in written for q in oracle.paths(then, before) if oracle.overlaps(p, q)]
    assert bool(want.conflicts) == ("as the configuration has" in run.out), run.out
    now = "\n".join(_chunks(env).values())
    kept = [f"{k}/{o['key']}" for k, o in objects if (k, o) in changed]  # even its key
    for name in kept:
        assert chunks[name] in now, name  # byte for byte
    assert env.run("fmt", "--check").code == exitcodes.OK
    left = json.loads(drift(env, "--format", "json").out)["differences"]
    for d in left:
        assert d["category"] in ("pending", "conflict") or d["path"].startswith("products["), d
