"""The spec in docs/protocol.md matches the declarations."""

from __future__ import annotations

from pathlib import Path

from protocol import REGISTRY
from protocol.spec import replace_generated

SPEC_PATH = Path(__file__).resolve().parents[1] / "docs" / "protocol.md"


def test_protocol_doc_tables_are_current():
    document = SPEC_PATH.read_text(encoding="utf-8")
    assert replace_generated(document) == document, "run: python -m protocol.spec docs/protocol.md"


def test_protocol_doc_names_every_message():
    document = SPEC_PATH.read_text(encoding="utf-8")
    for spec in REGISTRY.values():
        assert f"`{spec.name}` ({spec.code:#06x})" in document
