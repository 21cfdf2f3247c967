"""``opconf.emit.rewrite.drop_documents``: documents removed from a file, the rest kept as is."""

from __future__ import annotations

from typing import Any

import pytest

from opconf.emit.rewrite import CannotFormat, drop_documents

THREE = (
    "# yaml-language-server: $schema=../schemas/product.schema.json\n"
    "# first\n"
    "key: a # the first\n"
    "# after a\n"
    "---\n"
    "# second\n"
    "key: b\n"
    "---\n"
    "key: c\n"
    "# end\n"
)


def _key(key: str) -> Any:
    return lambda doc: doc["key"] == key


def test_the_middle_document_goes_with_its_separator_and_comments() -> None:
    assert drop_documents(THREE, _key("b")) == THREE.replace("---\n# second\nkey: b\n", "")


def test_the_last_document_goes_with_the_comments_after_it() -> None:
    assert drop_documents(THREE, _key("c")) == THREE.replace("---\nkey: c\n# end\n", "")


def test_the_first_document_leaves_the_modeline_and_no_separator() -> None:
    assert drop_documents(THREE, _key("a")) == (
        "# yaml-language-server: $schema=../schemas/product.schema.json\n"
        "# second\nkey: b\n---\nkey: c\n# end\n"
    )


def test_no_document_left_is_none_and_nothing_chosen_is_the_text() -> None:
    assert drop_documents(THREE, lambda doc: True) is None
    assert drop_documents(THREE, _key("z")) == THREE


def test_line_breaks_and_empty_documents_are_kept() -> None:
    text = "---\r\nkey: a\r\n---\r\n---\r\nkey: b\r\n...\r\n---\r\nkey: c\r\n"
    assert drop_documents(text, _key("b")) == "---\r\nkey: a\r\n---\r\n---\r\nkey: c\r\n"
    assert drop_documents(text, _key("a")) == "key: b\r\n...\r\n---\r\nkey: c\r\n"


def test_not_yaml_is_located() -> None:
    with pytest.raises(CannotFormat) as caught:
        drop_documents("key: a\n---\nkey: [b\n", _key("a"))
    assert caught.value.line == 4
