"""The change corpus: the base corpus after a realistic deploy, derived deterministically.

``bench/out/corpus-<size>-changes/`` is the base corpus with, of every 100 objects:

- 10 updated: products get a new price and name; coverage groups swap one member for a user
  who was not in the group; templates swap their first two open stages (a move, the
  probabilities staying in order), change a probability, lose the first stage's last step and
  gain a step in the last open stage;
- 1 renamed through ``previousKeys``, of every kind in the kinds' proportions; the templates
  selling a renamed product or defaulting to a renamed group are changed to follow it;
- 1 deleted (retired products first, which no template sells; then templates).

Changed documents are rewritten by ``yaml.safe_dump``; every other file is a hard link to the
base corpus's. Reused while the base corpus and this file are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

import yaml
from corpus import USERS, Corpus

import docs

Doc = dict[str, Any]


def ensure(base: Corpus) -> Path:
    """The change corpus derived from ``base`` (generated when missing or outdated)."""
    root = base.root.with_name(f"{base.root.name}-changes")
    stamp = f"{base.manifest.generator}:{base.manifest.seed}:{_digest()}"
    marker = root / "derived-from"
    if marker.is_file() and marker.read_text() == stamp:
        return root
    if root.exists():
        shutil.rmtree(root)
    _derive(base, root)
    marker.write_text(stamp)
    return root


def _digest() -> str:
    return hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:16]


def _derive(base: Corpus, root: Path) -> None:
    for name in ("opconf.yaml", "opconf.refs.yaml"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(base.root / name, root / name)
    files = base.files
    plan = _choose(base, files)
    pool = [u.login for u in docs.users(USERS)]  # the users opconf.refs.yaml holds
    # A product or group renamed: the templates selling it or defaulting to it follow.
    renamed = {
        _stem(f): f"{_stem(f)}_renamed"
        for f, action in plan.items()
        if action == "rename" and "/templates/" not in f
    }
    referring = set(base.files_of("OpportunityTemplate"))
    kept = []
    for n, name in enumerate(files):
        action = plan.get(name)
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if action == "delete":
            continue
        doc = None
        if action is not None or name in referring:
            doc = yaml.load((base.root / name).read_bytes(), Loader=yaml.CSafeLoader)
        if doc is None or (action is None and not _follow(doc, renamed)):
            os.link(base.root / name, target)
            kept.append(name)
            continue
        if action == "rename":
            doc["previousKeys"] = [*doc.get("previousKeys", []), doc["key"]]
            doc["key"] = f"{doc['key']}_renamed"
            name = f"{name.rsplit('/', 1)[0]}/{doc['key']}.yaml"
            target = root / name
        elif action == "update":
            UPDATES[doc["kind"]](doc, n, pool)
        if doc["kind"] == "OpportunityTemplate":
            _follow(doc, renamed)
        target.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True))
        kept.append(name)
    (root / "files.txt").write_text("".join(f"{name}\n" for name in sorted(kept)))
    summary = {a: sum(1 for v in plan.values() if v == a) for a in ("update", "rename", "delete")}
    (root / "changes.json").write_text(json.dumps(summary, indent=2) + "\n")


def _choose(base: Corpus, files: list[str]) -> dict[str, str]:
    """File → "update", "rename" or "delete": 10 %, 1 % and 1 % of the objects."""
    size = len(files)
    retired = [f for f in base.files_of("Product") if _index(f) % 40 == 39]
    templates = base.files_of("OpportunityTemplate")
    deletes = (retired + templates[::-1])[: size // 100]
    plan = dict.fromkeys(deletes, "delete")
    # Renames of every kind, in the kinds' proportions (files are sorted by folder).
    unchosen = [f for f in files if f not in plan]
    renames = unchosen[:: max(1, len(unchosen) // (size // 100))][: size // 100]
    plan.update(dict.fromkeys(renames, "rename"))
    candidates = [f for f in files if f not in plan]
    step = max(1, len(candidates) // (size // 10))
    plan.update(dict.fromkeys(candidates[::step][: size // 10], "update"))
    return plan


def _follow(doc: Doc, renamed: dict[str, str]) -> bool:
    """Point a template at the new keys of the products and group renamed; True if it did."""
    products = [renamed.get(p, p) for p in doc.get("products", [])]
    group = doc.get("defaultCoverageGroup")
    changed = products != doc.get("products", []) or group in renamed
    if changed:
        doc["products"] = products
        if group in renamed:
            doc["defaultCoverageGroup"] = renamed[group]
    return changed


def _index(name: str) -> int:
    return int(name.rsplit("_", 1)[1].removesuffix(".yaml"))


def _stem(name: str) -> str:
    return name.rsplit("/", 1)[1].removesuffix(".yaml")


def _product(doc: Doc, n: int, pool: list[str]) -> None:
    doc["listPrice"] = round(float(doc["listPrice"]) + 1 + n % 7, 2)
    doc["name"] = f"{doc['name']} (revised)"


def _group(doc: Doc, n: int, pool: list[str]) -> None:
    members = doc["members"]
    taken = {m["user"] for m in members}
    newcomer = next(u for u in pool[n % len(pool) :] + pool if u not in taken)
    members[-1] = {"user": newcomer, "role": members[-1]["role"]}


def _template(doc: Doc, n: int, pool: list[str]) -> None:
    stages = doc["stages"]
    first, second = stages[0], stages[1]
    first["probability"], second["probability"] = second["probability"], first["probability"]
    stages[0], stages[1] = second, first
    stages[3]["probability"] = max(stages[3]["probability"], stages[2]["probability"]) + 1
    if stages[0]["steps"]:
        stages[0]["steps"].pop()
    stages[3]["steps"].append({"key": f"added_step_{n}", "name": "Added step", "type": "task"})


UPDATES = {"Product": _product, "CoverageGroup": _group, "OpportunityTemplate": _template}
