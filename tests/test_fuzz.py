"""Fuzzing ``validate``, ``fmt`` and ``plan`` with mutations of valid documents (hypothesis).

Every example document of ``config/`` is mutated — fields deleted, duplicated or given another
type, random scalars, random bytes, truncation, deep nesting — and run through the real entry
point. Whatever the input: never exit 70, never a traceback, and every failure names its place
(``file:line:column``). A few hundred examples by default (CI); run it long with
``OPCONF_FUZZ_EXAMPLES=20000 .venv/bin/python -m pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opconf import exitcodes
from opconf.cli import main

try:
    from tests.plan import helpers as h
except ImportError:
    from plan import helpers as h  # type: ignore[no-redef]

EXAMPLES = int(os.environ.get("OPCONF_FUZZ_EXAMPLES", "120"))
EXAMPLE = h.ROOT / "config"
SEEDS = {
    p.relative_to(EXAMPLE).as_posix(): p.read_text("utf-8") for p in sorted(EXAMPLE.rglob("*.yaml"))
}
LOCATED = re.compile(r"^ *config/[\w/.-]+\.yaml:\d+:\d+: ", re.MULTILINE)
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.sampled_from(["yes", "NO", "~", "1e3", "0x1F", "2024-01-01", ".inf", "", "*a", "!!str"]),
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=6,
)


def _nodes(data: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    """Paths of every node of ``data`` (the root included)."""
    yield path
    items = (
        data.items()
        if isinstance(data, dict)
        else enumerate(data)
        if isinstance(data, list)
        else ()
    )
    for key, child in items:
        yield from _nodes(child, (*path, key))


def _replace(data: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    parent = data
    for key in path[:-1]:
        parent = parent[key]
    parent[path[-1]] = new
    return data


@st.composite
def _data_mutation(draw: st.DrawFn, text: str) -> str:
    data = yaml.safe_load(text)
    path = draw(st.sampled_from(list(_nodes(data))))
    op = draw(st.sampled_from(["delete", "retype", "nest"]))
    if op == "delete" and path:
        parent = data
        for key in path[:-1]:
            parent = parent[key]
        del parent[path[-1]]
    elif op == "nest":
        depth = draw(st.integers(min_value=1, max_value=300))
        nested: Any = draw(scalars)
        for level in range(depth):
            nested = [nested] if level % 2 else {"k": nested}
        data = _replace(data, path, nested)
    else:
        data = _replace(data, path, draw(values))
    return str(yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=10**6))


@st.composite
def _line_mutation(draw: st.DrawFn, text: str) -> str:
    """Duplicate, delete or move a line: duplicated keys, broken indentation."""
    lines = text.splitlines(keepends=True)
    i = draw(st.integers(min_value=0, max_value=len(lines) - 1))
    op = draw(st.sampled_from(["duplicate", "delete", "move"]))
    line = lines[i]
    if op == "duplicate":
        lines.insert(i, line)
    elif op == "delete":
        del lines[i]
    else:
        del lines[i]
        lines.insert(draw(st.integers(min_value=0, max_value=len(lines))), line)
    return "".join(lines)


# YAML that parsers and emitters trip on: aliases, tags, directives, merges, odd scalars.
SNIPPETS = [
    "a: &x [*x]\n",
    "b: !!python/object:os.system ls\n",
    "c: !custom 1\n",
    "<<: {name: merged}\n",
    "? [complex, key]\n: 1\n",
    "%YAML 1.1\n---\n",
    "---\n",
    "...\n",
    "\tname: tab\n",
    "d: !!binary aGVsbG8=\n",
    "e: !!set {a, b}\n",
    "f: *undefined\n",
    "g: 'unterminated\n",
    'h: "\\ud800"\n',
    "i: " + "[" * 2000 + "]" * 2000 + "\n",
    "j: &a [1, &b [*a, *a], *b]\n",
    "name: |\n  multi\n  line\n",
    "key: " + "k" * 70 + "\n",
    "listPrice: 1e400\n",
    "listPrice: 0.1000000000000000055511151231257827\n",
    "stages: []\n",
    "stages: [{key: s, steps: [{key: s, assignee: {role: {}}}]}]\n",
    "members: [{user: [], role: 1}]\n",
    "\ufeffkey: bom\n",
    "kind: \u202eProduct\n",
]


@st.composite
def _snippet(draw: st.DrawFn, text: str) -> str:
    lines = text.splitlines(keepends=True)
    at = draw(st.integers(min_value=0, max_value=len(lines)))
    indent = draw(st.sampled_from(["", "  ", "    "]))
    snippet = "".join(indent + line for line in draw(st.sampled_from(SNIPPETS)).splitlines(True))
    return "".join([*lines[:at], snippet, *lines[at:]])


@st.composite
def documents(draw: st.DrawFn) -> tuple[str, bytes]:
    """One file of the example configuration and its mutated bytes."""
    name = draw(st.sampled_from(sorted(SEEDS)))
    return name, draw(_mutation(SEEDS[name]))


@st.composite
def _mutation(draw: st.DrawFn, text: str) -> bytes:
    op = draw(st.sampled_from(["data", "lines", "snippet", "bytes", "truncate"]))
    if op == "snippet":
        return draw(_snippet(text)).encode("utf-8")
    if op == "data":
        return draw(_data_mutation(text)).encode("utf-8")
    if op == "lines":
        return draw(_line_mutation(text)).encode("utf-8")
    raw = text.encode("utf-8")
    at = draw(st.integers(min_value=0, max_value=len(raw)))
    if op == "truncate":
        return raw[:at]
    return raw[:at] + draw(st.binary(min_size=1, max_size=8)) + raw[at:]


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A config repo with an initialised demo store (plan only reads it)."""
    root = tmp_path_factory.mktemp("fuzz")
    url = f"sqlite:///{root}/store.db"
    (root / "opconf.yaml").write_text(f"config: config/\ntargets: {{t: {{store: '{url}'}}}}\n")
    with contextlib.chdir(root):
        assert _run("store", "init", "--demo", "--target", "t")[0] == exitcodes.OK
    return root


def _run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(argv))
        except SystemExit as exc:  # argparse: bad usage
            code = exc.code if isinstance(exc.code, int) else 1
    return code, out.getvalue(), err.getvalue()


def _configure(repo: Path, name: str, content: bytes) -> None:
    """A configuration of the one mutated file (the whole example would be 20 times slower)."""
    shutil.rmtree(repo / "config", ignore_errors=True)
    (repo / "config" / name).parent.mkdir(parents=True)
    (repo / "config" / name).write_bytes(content)


def _check(command: tuple[str, ...], code: int, out: str, err: str) -> None:
    what = f"opconf {' '.join(command)} exited {code}\n--- stdout\n{out}\n--- stderr\n{err}"
    assert code != exitcodes.INTERNAL, what
    assert "Traceback" not in out + err, what
    assert code in (exitcodes.OK, exitcodes.PROBLEMS), what
    if code == exitcodes.PROBLEMS and not (command[0] == "fmt" and "would be reformatted" in out):
        assert LOCATED.search(out + err), what


@FUZZ
@given(content=documents())
def test_mutated_documents_are_diagnosed(repo: Path, content: tuple[str, bytes]) -> None:
    _configure(repo, *content)
    with contextlib.chdir(repo):
        commands = (("validate",), ("fmt", "--check"), ("plan", "--target", "t"), ("fmt",))
        for command in commands:
            _check(command, *_run(*command))


@settings(max_examples=5, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=documents())
def test_mutated_documents_through_the_real_process(repo: Path, content: tuple[str, bytes]) -> None:
    _configure(repo, *content)
    for command in (("validate",), ("fmt", "--check")):
        process = h.opconf_process(repo, *command)
        out, err = process.communicate(timeout=60)
        _check(command, process.returncode, out, err)
