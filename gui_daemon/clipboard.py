"""The global clipboard shared by all daemons, and the copy and paste policy.

The clipboard is one file in the user's runtime directory, replaced as a whole
under an exclusive lock that every daemon takes (``fcntl.flock`` on a lock file
next to it). Replacing instead of rewriting in place means a shorter copy never
leaves the tail of a longer one behind.

File layout (written and read only by daemons; the data is never parsed):

    odyssey-clipboard 1\n
    source <domain>\n
    copy-to <pattern>[,<pattern>...]\n
    timestamp <X server time of the copy hotkey, ms>\n
    length <bytes>\n
    \n
    <data: exactly length bytes>

Text policy: the data must be valid UTF-8 without NUL bytes (CR, LF and tab are
kept byte for byte); anything else is rejected with a notice, for every source
domain alike.
"""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path

FORMAT_LINE = b"odyssey-clipboard 1\n"
FILE_NAME = "clipboard"
LOCK_NAME = "clipboard.lock"

# Default largest copy, in bytes. Large enough for long documents and logs, small
# enough that an accidental copy of a huge buffer is refused instead of pasted.
DEFAULT_MAX_BYTES = 256 * 1024


class ClipboardError(Exception):
    """The clipboard file is damaged or cannot be used; the message says why."""


class InvalidClipboardText(ValueError):
    """Copied data is not valid UTF-8 text without NUL bytes."""


@dataclasses.dataclass(frozen=True)
class ClipboardEntry:
    """One copy: its source domain, where it may go, when it was made, and the text."""

    source: str
    copy_to: tuple[str, ...]
    timestamp: int
    data: bytes


def check_text(data: bytes) -> None:
    """Raise InvalidClipboardText unless data is UTF-8 text without NUL bytes."""
    if b"\x00" in data:
        raise InvalidClipboardText("clipboard data contains NUL bytes")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        raise InvalidClipboardText("clipboard data is not valid UTF-8") from None


def x_time_is_newer(candidate: int, reference: int) -> bool:
    """Compare two 32-bit X server times (milliseconds that wrap after 49.7 days)."""
    difference = (candidate - reference) & 0xFFFF_FFFF
    return 0 < difference < 0x8000_0000


def pattern_matches(patterns: tuple[str, ...], domain: str) -> bool:
    """Return True when a policy list ("*" or domain names) admits the domain."""
    return "*" in patterns or domain in patterns


def paste_allowed(entry: ClipboardEntry, target: str, target_paste_from: tuple[str, ...]) -> bool:
    """Both sides must agree: the source lets data go to target, and target accepts the source."""
    return pattern_matches(entry.copy_to, target) and pattern_matches(target_paste_from, entry.source)


class ClipboardStore:
    """The clipboard file in a private directory (the user's runtime directory)."""

    def __init__(self, directory: Path):
        self.directory = Path(directory)
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        self.path = self.directory / FILE_NAME
        self.lock_path = self.directory / LOCK_NAME

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        descriptor = os.open(self.lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            os.close(descriptor)

    def store(self, entry: ClipboardEntry) -> bool:
        """Replace the clipboard with entry unless it holds a newer copy; return True if stored."""
        with self._locked():
            current = self._read()
            if current is not None and not x_time_is_newer(entry.timestamp, current.timestamp):
                return False
            self._write(entry)
            return True

    def peek(self) -> ClipboardEntry | None:
        with self._locked():
            return self._read()

    def take(self) -> ClipboardEntry | None:
        """Return the clipboard and clear it (a paste empties the clipboard)."""
        return self.take_if(lambda entry: True)[0]

    def take_if(self, allowed) -> tuple[ClipboardEntry | None, bool]:
        """Return (entry, taken): clear the clipboard only when ``allowed(entry)`` is true.

        The check and the clearing happen under one lock, so a copy stored by
        another daemon in between can never be pasted without its own check.
        """
        with self._locked():
            entry = self._read()
            if entry is None or not allowed(entry):
                return entry, False
            self.path.unlink()
            return entry, True

    def _write(self, entry: ClipboardEntry) -> None:
        header = (
            FORMAT_LINE
            + f"source {entry.source}\n".encode()
            + f"copy-to {','.join(entry.copy_to)}\n".encode()
            + f"timestamp {entry.timestamp}\n".encode()
            + f"length {len(entry.data)}\n\n".encode()
        )
        descriptor, temporary = tempfile.mkstemp(dir=self.directory, prefix=".clipboard-")
        try:
            with os.fdopen(descriptor, "wb") as file:
                file.write(header + entry.data)
            os.replace(temporary, self.path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise

    def _read(self) -> ClipboardEntry | None:
        try:
            content = self.path.read_bytes()
        except FileNotFoundError:
            return None
        return parse_clipboard_file(content)


def parse_clipboard_file(content: bytes) -> ClipboardEntry:
    """Parse the clipboard file written by ``ClipboardStore``; raise ClipboardError if damaged."""
    if not content.startswith(FORMAT_LINE):
        raise ClipboardError("the clipboard file has an unknown format")
    header, separator, data = content[len(FORMAT_LINE):].partition(b"\n\n")
    if not separator:
        raise ClipboardError("the clipboard file has no header end")
    fields: dict[str, str] = {}
    for line in header.decode("utf-8", errors="strict").splitlines():
        key, _, value = line.partition(" ")
        fields[key] = value
    try:
        length = int(fields["length"])
        timestamp = int(fields["timestamp"])
        source = fields["source"]
        copy_to = tuple(pattern for pattern in fields["copy-to"].split(",") if pattern)
    except (KeyError, ValueError):
        raise ClipboardError("the clipboard file header is incomplete") from None
    if length != len(data):
        raise ClipboardError(f"the clipboard file holds {len(data)} data bytes, its header says {length}")
    return ClipboardEntry(source, copy_to, timestamp, data)
