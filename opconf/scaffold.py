"""``opconf init``: a new project that validates, and plans cleanly on the demo store.

One example of each kind under ``config/`` (each naming its schema, so editors complete and
check fields), the schemas themselves, a commented ``opconf.yaml`` and a ``.gitignore``.
Nothing that exists is overwritten.
"""

from __future__ import annotations

from pathlib import Path

from opconf.errors import UsageError, file_error
from opconf.fsio import exists, write_text

PROJECT = """\
# yaml-language-server: $schema=schemas/opconf-project.schema.json
# The opconf project file: where the documents live and which CRM stores `opconf plan` and
# `opconf apply` talk to. opconf finds it from any folder below this one.

# Every *.yaml / *.yml file under this folder is a document (one or more per file).
config: config/

targets:
  # A SQLite store on this machine for trying changes: `opconf store init --demo` creates it
  # with sample CRM data. The path is relative to this file; .opconf/ is not committed.
  local: {store: "sqlite:///.opconf/store.db"}
  # The CRM itself (PostgreSQL). Its URL holds credentials: take it from the environment
  # (a CI secret), never write it here; opconf prints it with the password hidden.
  # prod: {store: "${OPCONF_PROD_STORE}"}

# The store used without --target or OPCONF_STORE.
defaultTarget: local

# true: `opconf apply` deletes store objects that no document describes. Leave it false
# while objects made in the CRM's own screens are still being adopted.
prune: false
"""

PRODUCT = """\
# yaml-language-server: $schema=../../schemas/product.schema.json
apiVersion: opconf/v1
kind: Product
key: example_savings
name: Example Savings Account
description: An example product; rename it or replace it with your own.
type: deposit
listPrice: 0
code: EX-SAV-01
unitOfMeasure: account
"""

GROUP = """\
# yaml-language-server: $schema=../../schemas/coverage-group.schema.json
apiVersion: opconf/v1
kind: CoverageGroup
key: example_team
name: Example Advisory Team
visibility: public
members:
  - user: ajones
    role: advisor
  - user: bpatel
    role: client_associate
"""

TEMPLATE = """\
# yaml-language-server: $schema=../../schemas/opportunity-template.schema.json
apiVersion: opconf/v1
kind: OpportunityTemplate
key: example_onboarding
name: Example Account Opening
category: product
entityType: contact
defaultCoverageGroup: example_team
products:
  - example_savings
# List order is stage order: open stages first, then at least one won and one lost stage.
stages:
  - key: qualify
    name: Qualify
    probability: 10
    steps:
      - key: kyc
        name: Complete KYC
        type: document
        required: true
        dueDays: 5
      - key: intro_call
        name: Introduction call
        type: call
        assignee: {role: advisor}
  - key: propose
    name: Propose
    probability: 50
  - key: won
    name: Closed Won
    probability: 100
    outcome: won
  - key: lost
    name: Closed Lost
    probability: 0
    outcome: lost
"""

FILES = {
    "opconf.yaml": PROJECT,
    "config/products/example_savings.yaml": PRODUCT,
    "config/coverage-groups/example_team.yaml": GROUP,
    "config/templates/example_onboarding.yaml": TEMPLATE,
}
IGNORED = ".opconf/"


def scaffold(root: Path) -> list[str]:
    """Write the project's files under ``root``; their names, in the order written.

    A usage error, with nothing written, when any of them exists already.
    """
    from opconf.schema.generate import expected_files

    files = dict(FILES)
    files.update({f"schemas/{name}": text for name, text in expected_files().items()})
    taken = [name for name in files if exists(root / name)]
    if taken:
        more = f" and {len(taken) - 1} more" if len(taken) > 1 else ""
        raise UsageError(
            f"{root / taken[0]} exists{more}; opconf init overwrites nothing",
            hint="run it in an empty folder, or start from the files it did not find",
        )
    for name, text in files.items():
        _write(root / name, text)
    return [*files, _ignore(root / ".gitignore")]


def _write(path: Path, text: str) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise file_error(exc, path.parent, "create") from None
    write_text(path, text)


def _ignore(path: Path) -> str:
    """``.opconf/`` (the local store, caches) in ``.gitignore``: added to one that exists."""
    current = path.read_text(encoding="utf-8") if exists(path) else ""
    if IGNORED not in current.split("\n"):
        separator = "\n" if current and not current.endswith("\n") else ""
        _write(path, f"{current}{separator}{IGNORED}\n")
    return ".gitignore"
