"""The field-table machinery: each message is declared once as a table of fields.

From one declaration come the message class (a frozen dataclass), the packer,
the parser with its validation, and the rows of the spec in ``docs/protocol.md``.

Wire format of every field, little-endian:

- ``u32`` / ``i32``: 4 bytes, unsigned / two's complement.
- ``text(N)``: a u32 byte count, then exactly N bytes; bytes past the count are zero.
- ``byte_array(N)``: exactly N bytes.
- ``data(N)``: the rest of the body, 0..N bytes; only the last field of a message.

Parsing a field from a peer yields one of the three outcomes of its rule:
DISCONNECT raises RemoteProtocolError, CLAMP replaces the value by the nearest
allowed one, IGNORE drops the whole message (the parser returns an IgnoredMessage).
"""

from __future__ import annotations

import dataclasses
import enum
import struct
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from .errors import LocalProtocolError, RemoteProtocolError


class Outcome(enum.Enum):
    """What happens to a message whose field breaks a rule."""

    DISCONNECT = "disconnect"
    CLAMP = "clamp"
    IGNORE = "ignore"


class Direction(enum.Enum):
    AGENT_TO_DAEMON = "agent → daemon"
    DAEMON_TO_AGENT = "daemon → agent"


class WindowScope(enum.Enum):
    """What the header's window field holds for a message type."""

    WINDOW = "window id"  # 1..MAX_WINDOW_ID
    GLOBAL = "0"  # the message is about no window


class Handles(enum.Enum):
    """File descriptors a message carries."""

    NONE = "none"
    BUFFER = "1 in fd mode, 0 in region mode"


class Kind(enum.Enum):
    U32 = "u32"
    I32 = "i32"
    TEXT = "text"
    BYTES = "bytes"
    DATA = "data"


@dataclasses.dataclass(frozen=True)
class Field:
    """One field of a message body.

    For numbers, ``minimum``/``maximum`` bound the value and ``outcome`` says what
    happens outside the bounds; ``choices`` lists the only allowed values;
    ``flag_bits`` is the mask of defined bits (any other bit set is a violation).
    For text, bytes and data, ``size`` is the byte count on the wire (or the maximum).
    ``convert`` turns the checked raw value into the value the message carries
    (text sanitizing happens there).
    """

    name: str
    kind: Kind
    unit: str
    doc: str
    minimum: int | None = None
    maximum: int | None = None
    outcome: Outcome = Outcome.DISCONNECT
    choices: tuple[int, ...] | None = None
    flag_bits: int | None = None
    size: int = 0
    convert: Callable[[Any], Any] | None = None

    @property
    def wire_size(self) -> int | None:
        """Bytes on the wire, or None for the variable-length tail."""
        if self.kind in (Kind.U32, Kind.I32):
            return 4
        if self.kind is Kind.TEXT:
            return 4 + self.size
        if self.kind is Kind.BYTES:
            return self.size
        return None

    def limit_text(self) -> str:
        """Describe the field's limit in words, for the spec."""
        if self.choices is not None:
            return "one of " + ", ".join(str(choice) for choice in self.choices)
        if self.flag_bits is not None:
            return f"bits in {self.flag_bits:#x}"
        if self.kind is Kind.TEXT:
            return f"count <= {self.size}, padding zero"
        if self.kind is Kind.BYTES:
            return f"{self.size} bytes"
        if self.kind is Kind.DATA:
            return f"<= {self.size} bytes"
        if self.minimum is not None and self.maximum is not None:
            return f"{self.minimum}..{self.maximum}"
        if self.maximum is not None:
            return f"<= {self.maximum}"
        if self.minimum is not None:
            return f">= {self.minimum}"
        return "any"


def u32(name, unit, doc, *, minimum=None, maximum=None, outcome=Outcome.DISCONNECT, choices=None):
    return Field(name, Kind.U32, unit, doc, minimum, maximum, outcome, choices=choices)


def i32(name, unit, doc, *, minimum=None, maximum=None, outcome=Outcome.DISCONNECT):
    return Field(name, Kind.I32, unit, doc, minimum, maximum, outcome)


def flags(name, doc, bits: type[enum.IntFlag]):
    mask = 0
    for member in bits:
        mask |= member.value
    return Field(name, Kind.U32, "bit set", doc, flag_bits=mask, convert=bits)


def text(name, doc, max_bytes, convert):
    return Field(name, Kind.TEXT, "UTF-8", doc, size=max_bytes, convert=convert)


def byte_array(name, unit, doc, size):
    return Field(name, Kind.BYTES, unit, doc, size=size)


def data(name, doc, max_bytes):
    return Field(name, Kind.DATA, "bytes", doc, size=max_bytes)


@dataclasses.dataclass(frozen=True)
class Rule:
    """A rule over several fields of one message.

    ``check`` receives the field values (already checked one by one) and returns
    None when the rule holds, or a short reason when it does not. With ``repair``
    the message survives: repair returns the values with the offending part clamped
    (CLAMP) or dropped (IGNORE); without it, an IGNORE rule drops the whole message.
    """

    description: str
    outcome: Outcome
    check: Callable[[dict[str, Any]], str | None]
    repair: Callable[[dict[str, Any]], dict[str, Any]] | None = None


@dataclasses.dataclass(frozen=True)
class IgnoredMessage:
    """A message that was well-formed but is dropped by an IGNORE rule."""

    message_type: str
    window: int
    field: str | None
    rule: str


class _Ignore(Exception):
    def __init__(self, field: str | None, rule: str):
        self.field = field
        self.rule = rule


@dataclasses.dataclass(frozen=True)
class MessageSpec:
    """Everything the codec knows about one message type."""

    name: str
    code: int
    direction: Direction
    window: WindowScope
    fields: tuple[Field, ...]
    rules: tuple[Rule, ...]
    handles: Handles
    since_minor: int
    doc: str
    message_class: type = dataclasses.field(compare=False, repr=False)

    @property
    def fixed_size(self) -> int:
        """Bytes of the fixed part of the body (everything but a data tail)."""
        return sum(field.wire_size or 0 for field in self.fields)

    @property
    def max_size(self) -> int:
        """Largest body size in bytes."""
        tail = self.fields[-1] if self.fields else None
        if tail is not None and tail.kind is Kind.DATA:
            return self.fixed_size + tail.size
        return self.fixed_size

    @property
    def is_variable(self) -> bool:
        return bool(self.fields) and self.fields[-1].kind is Kind.DATA


class Message:
    """Base of every message class; subclasses are frozen dataclasses made by ``declare``."""

    SPEC: ClassVar[MessageSpec]
    window: int


REGISTRY: dict[int, MessageSpec] = {}


def declare(
    name: str,
    code: int,
    direction: Direction,
    doc: str,
    *,
    window: WindowScope = WindowScope.WINDOW,
    fields: tuple[Field, ...] = (),
    rules: tuple[Rule, ...] = (),
    handles: Handles = Handles.NONE,
    since_minor: int = 0,
) -> type:
    """Declare a message type and return its frozen dataclass."""
    if code in REGISTRY:
        raise LocalProtocolError(f"message code {code:#06x} declared twice")
    for field in fields[:-1]:
        if field.kind is Kind.DATA:
            raise LocalProtocolError(f"{name}: a data field must be the last field")
    class_fields: list = [("window", int)] + [(field.name, Any) for field in fields]
    if handles is Handles.BUFFER:
        # The file descriptors travel beside the bytes, not in the body.
        class_fields.append(("handles", tuple, dataclasses.field(default=())))
    message_class = dataclasses.make_dataclass(
        name, class_fields, bases=(Message,), frozen=True, slots=True, namespace={"__doc__": doc}
    )
    spec = MessageSpec(
        name, code, direction, window, fields, rules, handles, since_minor, doc, message_class
    )
    message_class.SPEC = spec
    message_class.__module__ = "protocol.messages"
    REGISTRY[code] = spec
    _STRUCTS[code] = _compile_struct(fields)
    return message_class


# Precompiled struct for the fixed part of each body, by message code.
_STRUCTS: dict[int, struct.Struct] = {}


def _compile_struct(fields: tuple[Field, ...]) -> struct.Struct:
    layout = "<"
    for field in fields:
        if field.kind is Kind.U32:
            layout += "I"
        elif field.kind is Kind.I32:
            layout += "i"
        elif field.kind is Kind.TEXT:
            layout += f"I{field.size}s"
        elif field.kind is Kind.BYTES:
            layout += f"{field.size}s"
    return struct.Struct(layout)


# ---------------------------------------------------------------------------
# Packing (our own messages: values are trusted, but still range-checked so a
# bug on our side cannot put an invalid message on the wire).


def pack_body(message: Message) -> bytes:
    """Return the body bytes of a message."""
    spec = message.SPEC
    values = []
    tail = b""
    for field in spec.fields:
        value = getattr(message, field.name)
        if field.kind is Kind.TEXT:
            encoded = value.encode("utf-8") if isinstance(value, str) else bytes(value)
            if len(encoded) > field.size:
                raise LocalProtocolError(f"{spec.name}.{field.name}: {len(encoded)} bytes > {field.size}")
            values.extend((len(encoded), encoded))
        elif field.kind is Kind.BYTES:
            encoded = bytes(value)
            if len(encoded) != field.size:
                raise LocalProtocolError(f"{spec.name}.{field.name}: needs exactly {field.size} bytes")
            values.append(encoded)
        elif field.kind is Kind.DATA:
            tail = bytes(value)
            if len(tail) > field.size:
                raise LocalProtocolError(f"{spec.name}.{field.name}: {len(tail)} bytes > {field.size}")
        else:
            number = int(value)
            try:
                _check_number(spec, field, number)
            except (RemoteProtocolError, _Ignore) as error:
                raise LocalProtocolError(f"refusing to send an invalid message: {error}") from None
            values.append(number)
    return _STRUCTS[spec.code].pack(*values) + tail


# ---------------------------------------------------------------------------
# Parsing (peer input: every value is untrusted until its field's rule passed).


def parse_body(spec: MessageSpec, window: int, untrusted_body: memoryview) -> Message | IgnoredMessage:
    """Parse and validate one body whose length the framing layer already checked.

    Raises RemoteProtocolError for a DISCONNECT rule; returns IgnoredMessage when an
    IGNORE rule drops the message.
    """
    layout = _STRUCTS[spec.code]
    untrusted_values = iter(layout.unpack_from(untrusted_body, 0))
    values: dict[str, Any] = {}
    try:
        for field in spec.fields:
            if field.kind is Kind.DATA:
                values[field.name] = bytes(untrusted_body[layout.size:])
                continue
            if field.kind is Kind.TEXT:
                untrusted_count = next(untrusted_values)
                untrusted_bytes = next(untrusted_values)
                values[field.name] = _check_text(spec, field, untrusted_count, untrusted_bytes)
                continue
            untrusted_value = next(untrusted_values)
            if field.kind is Kind.BYTES:
                value = untrusted_value
            else:
                value = _check_number(spec, field, untrusted_value)
            values[field.name] = field.convert(value) if field.convert else value
        for rule in spec.rules:
            reason = rule.check(values)
            if reason is None:
                continue
            # Reasons quote numbers only, never untrusted text.
            if rule.outcome is Outcome.DISCONNECT:
                raise RemoteProtocolError(spec.name, None, None, f"{rule.description} ({reason})")
            if rule.repair is not None:
                values = rule.repair(values)
            else:
                raise _Ignore(None, f"{rule.description} ({reason})")
    except _Ignore as ignored:
        return IgnoredMessage(spec.name, window, ignored.field, ignored.rule)
    return spec.message_class(window=window, **values)


def _check_number(spec: MessageSpec, field: Field, untrusted_value: int) -> int:
    if field.choices is not None and untrusted_value not in field.choices:
        raise RemoteProtocolError(spec.name, field.name, untrusted_value, f"must be {field.limit_text()}")
    if field.flag_bits is not None and untrusted_value & ~field.flag_bits:
        raise RemoteProtocolError(
            spec.name, field.name, untrusted_value, f"sets bits outside the defined {field.flag_bits:#x}"
        )
    below = field.minimum is not None and untrusted_value < field.minimum
    above = field.maximum is not None and untrusted_value > field.maximum
    if not (below or above):
        return untrusted_value
    if field.outcome is Outcome.CLAMP:
        return field.minimum if below else field.maximum
    if field.outcome is Outcome.IGNORE:
        raise _Ignore(field.name, f"must be {field.limit_text()}")
    raise RemoteProtocolError(spec.name, field.name, untrusted_value, f"must be {field.limit_text()}")


def _check_text(spec: MessageSpec, field: Field, untrusted_count: int, untrusted_bytes: bytes) -> Any:
    if untrusted_count > field.size:
        raise RemoteProtocolError(spec.name, field.name, untrusted_count, f"byte count must be <= {field.size}")
    # The count is now within the array, so the slice below cannot wrap or overrun.
    if any(untrusted_bytes[untrusted_count:]):
        raise RemoteProtocolError(spec.name, field.name, untrusted_count, "bytes past the count must be zero")
    raw = untrusted_bytes[:untrusted_count]
    if field.convert is None:
        return raw
    try:
        return field.convert(raw)
    except ValueError as error:
        # Converters word their errors without quoting the untrusted bytes.
        raise RemoteProtocolError(spec.name, field.name, untrusted_count, str(error)) from None


def field_values(message: Message) -> Mapping[str, Any]:
    """Return the body fields of a message by name (without the window)."""
    return {field.name: getattr(message, field.name) for field in message.SPEC.fields}
