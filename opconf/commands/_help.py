"""What ``opconf COMMAND --help`` says beyond the one-line summary: a description with an
example for every command, a line for every argument.

A command module that sets its own ``description`` or an argument's ``help`` keeps it; this
table fills in what is missing (``tests/test_help.py`` checks nothing is).
"""

from __future__ import annotations

import argparse
from typing import Any

DESCRIPTIONS = {
    "validate": """\
Check the documents against the schemas and the rules, every problem in one pass, each with a
code (docs/rules.md), a file, a line and a column. Without PATH: the project's config/ folder.
With PATH: those files and folders, checked with every document of the project as context
(a product defined in another file is known). Users, roles and product types are checked
against opconf.refs.yaml when it exists. Exit 0 when valid (warnings allowed, unless --strict),
1 when problems were found.

examples:
  opconf validate
  opconf validate config/templates/new_account.yaml --format github""",
    "schema": """\
Write the JSON Schemas of the documents, opconf.yaml and opconf.refs.yaml (generated from
opconf's models) into schemas/, for editors and CI. With --check, write nothing and fail when
a file is missing or differs.

example:
  opconf schema --check""",
    "plan": """\
Compare the configuration with the store and show what apply would change: creates, updates,
renames (previousKeys), deletes, each with its details. Invalid configuration is refused with
validate's diagnostics; users, roles and product types are checked against the store itself.

examples:
  opconf plan
  opconf plan --target prod --out plan.json --format markdown
  opconf plan --select 'Product/gold_*' --select wealth_east   # a partial plan""",
    "apply": """\
Apply the configuration to the store: without PLANFILE, plan now and ask before applying;
with PLANFILE, apply exactly that saved plan, refused if the store changed since. Writes run
in one transaction under the store's lock and are recorded as a revision (opconf history).

examples:
  opconf apply
  opconf apply plan.json --auto-approve --expect-digest sha256:…
  opconf apply --select 'Product/*'   # only the products' changes""",
    "show": """\
Print a plan saved with `opconf plan --out FILE` (or rollback --out), checked first, in any
of the plan formats.

example:
  opconf show plan.json --format markdown""",
    "store": """\
Manage the store itself (its tables). The store is chosen by --store, --target,
$OPCONF_STORE or opconf.yaml's defaultTarget, strongest first.

example:
  opconf store init --demo""",
    "store init": """\
Create the store's tables, or upgrade them to this opconf's layout; safe to run again. With
--demo, also seed sample CRM data (users, roles, product types, a few objects made "in the
CRM") to try plans on.

example:
  opconf store init --demo""",
    "refs": """\
Reference data: the CRM's users, coverage roles and product types, which documents name.

example:
  opconf refs pull --target prod""",
    "refs pull": """\
Read the store's users, coverage roles and product types into opconf.refs.yaml, the snapshot
that `opconf validate` (and the editor) checks references against offline. The file is meant
to be committed: --no-email leaves the users' addresses out.

example:
  opconf refs pull --target prod --no-email""",
    "history": """\
List the store's revisions, newest first: when, who, what changed (one per apply or
rollback), as recorded by apply. `history show REV` prints one revision: what it changed, its
plan digest, actor, time, git commit (dirty or not) and freeze override.

examples:
  opconf history --format json
  opconf history show 12""",
    "store check": """\
Compare the live database with what opconf needs — its tables and columns (through the
target's mapping, if any), their types, the unique keys opconf looks rows up by, and on
PostgreSQL the privileges — one line per problem with the DDL or GRANT that fixes it. Exit 0
when compatible, 1 when not. `opconf store init` runs the same check first.

example:
  opconf store check --target prod""",
    "rollback": """\
Bring the store back to the configuration it had at revision REV (see `opconf history`): a
plan is made from that revision's snapshot and applied like any other, after confirmation;
with --out it is only saved.

example:
  opconf rollback 41 --out rollback.json""",
    "catalogue": """\
Draw the configuration as one HTML page to read (templates, stages, steps, products, groups);
with --plan, the pending changes of a saved plan are marked on it.

example:
  opconf catalogue --out site/ --plan plan.json""",
    "freeze": """\
Change-freeze windows (freeze: in opconf.yaml, docs/freeze.md): when apply is blocked.

example:
  opconf freeze status""",
    "freeze status": """\
Say which freeze windows are open at an instant (now by default) and whether apply is
allowed then, for what.

example:
  opconf freeze status --at 2026-12-24T09:00-05:00""",
    "drift": """\
Compare the store with what was last applied and with the configuration: changes made in the
CRM's own screens (drift), conflicts with pending changes, objects new in the CRM
(docs/drift.md). With --accept, write the store's values into the documents.

examples:
  opconf drift --detailed-exitcode
  opconf drift --accept Product/savings""",
}

# Commands that describe themselves but show no example: one, as the help's closing lines.
EXAMPLES = {
    "fmt": "examples:\n  opconf fmt\n  opconf fmt --check config/templates",
    "export": "examples:\n  opconf export --only-unmanaged --with-dependencies\n"
    "  opconf export --kind Product --select 'term_*' --out adopted/",
}

ARGUMENTS = {
    ("show", "planfile"): "the saved plan file",
    ("show", "format"): "output format (default: text)",
    ("history", "format"): "output format (default: text)",
    ("history", "revision"): "with show: the revision to print (a number from the list)",
    ("rollback", "revision"): "the revision to go back to (a number from `opconf history`)",
    ("freeze status", "format"): "output format (default: text)",
    ("store", "verb"): "init: create or upgrade the tables",
    ("refs", "verb"): "pull: write opconf.refs.yaml from the store",
    ("freeze", "verb"): "status: the windows open now (or --at TIME)",
}


def complete(sub: argparse._SubParsersAction[Any]) -> None:
    """Fill in the descriptions and argument lines the commands do not set themselves."""
    for name, parser in _parsers(sub, ""):
        if not parser.description and name in DESCRIPTIONS:
            parser.description = DESCRIPTIONS[name]
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
        if not parser.epilog and name in EXAMPLES:
            parser.epilog = EXAMPLES[name]
            parser.formatter_class = argparse.RawDescriptionHelpFormatter
        for action in parser._actions:
            if action.help is None and (name, action.dest) in ARGUMENTS:
                action.help = ARGUMENTS[name, action.dest]


def _parsers(
    sub: argparse._SubParsersAction[Any], prefix: str
) -> list[tuple[str, argparse.ArgumentParser]]:
    found = []
    for name, parser in sub.choices.items():
        found.append((prefix + name, parser))
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                found.extend(_parsers(action, f"{prefix}{name} "))
    return found
