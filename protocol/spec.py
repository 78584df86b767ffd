"""Render the message tables of ``docs/protocol.md`` from the declarations.

``python -m protocol.spec docs/protocol.md`` rewrites the part of the file between
the two marker lines; ``--check`` exits with 1 when that part is out of date.
"""

from __future__ import annotations

import argparse
import inspect
import sys
from pathlib import Path

from . import limits, messages  # noqa: F401  (importing messages fills REGISTRY)
from .schema import REGISTRY, Direction, Field, Kind, MessageSpec, Outcome

BEGIN_MARKER = "<!-- BEGIN GENERATED MESSAGE TABLES: python -m protocol.spec docs/protocol.md -->"
END_MARKER = "<!-- END GENERATED MESSAGE TABLES -->"


def render_limits() -> list[str]:
    """Return a Markdown table of the named limits with the reasons given in protocol.limits."""
    lines = ["### Limits", "", "| constant | value | unit and reason |", "|---|---|---|"]
    for name, value, reason in _limits_with_reasons():
        shown = f"{value:#x}" if name.endswith(("_ID", "_BITS", "_OFFSET")) else f"{value:,}"
        lines.append(f"| `{name}` | {shown} | {reason} |")
    lines.append("")
    return lines


def _limits_with_reasons() -> list[tuple[str, int, str]]:
    """Pair each constant of limits.py with the comment above it or beside it."""
    rows = []
    comment: list[str] = []
    for line in inspect.getsource(limits).splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            comment.append(stripped.lstrip("# "))
            continue
        name, _, rest = stripped.partition(" = ")
        if rest and name.isupper():
            inline = rest.partition("#")[2].strip()
            reason = " ".join(comment + ([inline] if inline else []))
            rows.append((name, getattr(limits, name), reason))
            continue
        # A comment block applies to every constant up to the next blank line.
        if not stripped:
            comment = []
    return rows


def render_tables() -> str:
    """Return the Markdown for the limits and every message, grouped by direction."""
    lines: list[str] = render_limits()
    for direction in Direction:
        lines.append(f"### {direction.value}")
        lines.append("")
        for spec in sorted(REGISTRY.values(), key=lambda spec: spec.code):
            if spec.direction is direction:
                lines.extend(_render_message(spec))
    return "\n".join(lines).rstrip() + "\n"


def _render_message(spec: MessageSpec) -> list[str]:
    if spec.is_variable:
        size = f"{spec.fixed_size}..{spec.max_size} bytes"
    else:
        size = f"{spec.fixed_size} bytes"
    lines = [
        f"#### `{spec.name}` ({spec.code:#06x})",
        "",
        spec.doc,
        "",
        f"Header window: {spec.window.value}. Body: {size}. Handles: {spec.handles.value}. "
        f"Since: {limits.PROTOCOL_MAJOR}.{spec.since_minor}.",
        "",
    ]
    if spec.fields:
        lines.append("| field | type | unit | limit | outside the limit | meaning |")
        lines.append("|---|---|---|---|---|---|")
        for field in spec.fields:
            wire_type = field.kind.value
            if field.kind in (Kind.TEXT, Kind.BYTES, Kind.DATA):
                wire_type = f"{field.kind.value}[{field.size}]"
            lines.append(
                f"| `{field.name}` | {wire_type} | {field.unit} | {field.limit_text()} | "
                f"{_outcome_text(field)} | {field.doc} |"
            )
        lines.append("")
    for rule in spec.rules:
        lines.append(f"- Rule ({rule.outcome.value}): {rule.description}.")
    if spec.rules:
        lines.append("")
    return lines


def _outcome_text(field: Field) -> str:
    if field.limit_text() == "any":
        return "—"
    if field.outcome is Outcome.CLAMP:
        return "clamp"
    if field.outcome is Outcome.IGNORE:
        return "ignore message"
    return "disconnect"


def replace_generated(document: str) -> str:
    """Return document with the generated part replaced by fresh tables."""
    try:
        head, rest = document.split(BEGIN_MARKER, 1)
        _, tail = rest.split(END_MARKER, 1)
    except ValueError:
        raise SystemExit(f"the document lacks the lines {BEGIN_MARKER!r} and {END_MARKER!r}") from None
    return f"{head}{BEGIN_MARKER}\n\n{render_tables()}\n{END_MARKER}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("document", type=Path, help="the Markdown file to update, normally docs/protocol.md")
    parser.add_argument("--check", action="store_true", help="only report whether the file is up to date")
    arguments = parser.parse_args(argv)
    current = arguments.document.read_text(encoding="utf-8")
    updated = replace_generated(current)
    if arguments.check:
        if updated != current:
            print(f"{arguments.document} is out of date: run python -m protocol.spec {arguments.document}")
            return 1
        return 0
    arguments.document.write_text(updated, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
