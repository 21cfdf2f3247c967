"""``opconf COMMAND --help``: every command has a description with an example, every argument
a line of help."""

from __future__ import annotations

import argparse
import re

import pytest

from opconf.cli import build_parser, main


def _commands() -> list[tuple[str, argparse.ArgumentParser]]:
    found: list[tuple[str, argparse.ArgumentParser]] = []

    def walk(parser: argparse.ArgumentParser, name: str) -> None:
        for action in parser._actions:
            if isinstance(action, argparse._SubParsersAction):
                for sub_name, sub in action.choices.items():
                    found.append((f"{name} {sub_name}".strip(), sub))
                    walk(sub, f"{name} {sub_name}")

    walk(build_parser(), "")
    return found


@pytest.mark.parametrize(("name", "parser"), _commands(), ids=[n for n, _ in _commands()])
def test_every_command_says_what_it_does(name: str, parser: argparse.ArgumentParser) -> None:
    assert parser.description, name
    assert "example" in parser.description + (parser.epilog or ""), name
    missing = [a.dest for a in parser._actions if not a.help]
    assert missing == [], name


def test_help_prints_the_description(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["rollback", "--help"])
    assert exited.value.code == 0
    out = capsys.readouterr().out
    assert "Bring the store back to the configuration it had at revision REV" in out
    assert re.search(r"\n  REV +the revision to go back to", out)
