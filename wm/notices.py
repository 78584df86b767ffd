"""Trusted notices from the daemons: parsing ``_ODYSSEY_NOTICES`` and queueing them for the bar.

Each line is ``domain\\tlabel\\tmessage``. The daemons write only their own
messages there, never domain-supplied text. Any GUI-domain client can write the
root property too, though, so every line is checked like input. It needs a
valid domain name (or "gui") and a known label, and its message is cut to a
bounded length with control characters replaced. A domain with managed daemon
windows always gets its registered colour, whatever label the line names.
"""

from __future__ import annotations

import collections
import dataclasses
import logging

from .labels import GUI_DOMAIN, GUI_LABEL, LABELS, Label
from .text import sanitize_untrusted_title
from .trust import check_domain_name

logger = logging.getLogger(__name__)

# Bytes read from the property at once; a burst larger than this is cut (and logged).
MAX_NOTICE_BYTES = 16384
# Characters of one message shown in the bar.
MAX_MESSAGE_CHARACTERS = 160
# Notices waiting to be shown; older ones are dropped first when more arrive.
MAX_QUEUED_NOTICES = 16


@dataclasses.dataclass(frozen=True)
class Notice:
    """A checked notice: the domain it is about, that domain's label, the message."""

    domain: str
    label: Label
    message: str

    @property
    def text(self) -> str:
        return f"[{self.domain}] {self.message}"


def parse_notices(untrusted_data: bytes, registered_labels: dict[str, Label]) -> list[Notice]:
    """Return the valid notices in the property's bytes; invalid lines are logged and skipped."""
    notices = []
    for number, untrusted_line in enumerate(untrusted_data.split(b"\n"), start=1):
        if not untrusted_line:
            continue
        parts = untrusted_line.split(b"\t", 2)
        if len(parts) != 3:
            logger.warning("notice line %d has %d fields instead of 3: ignored", number, len(parts))
            continue
        untrusted_domain, untrusted_label, untrusted_message = parts
        try:
            domain = untrusted_domain.decode("ascii")
            if domain != GUI_DOMAIN:
                check_domain_name(domain)
        except (UnicodeDecodeError, ValueError):
            logger.warning("notice line %d has an invalid domain name (%d bytes): ignored",
                           number, len(untrusted_domain))
            continue
        if domain == GUI_DOMAIN:
            label = GUI_LABEL
        elif domain in registered_labels:
            label = registered_labels[domain]
        else:
            label_name = untrusted_label.decode("ascii", errors="replace")
            if label_name not in LABELS:
                logger.warning("notice line %d for %s has an unknown label: ignored", number, domain)
                continue
            label = LABELS[label_name]
        message = sanitize_untrusted_title(untrusted_message)
        if len(message) > MAX_MESSAGE_CHARACTERS:
            message = message[: MAX_MESSAGE_CHARACTERS - 1] + "\u2026"
        notices.append(Notice(domain, label, message))
    return notices


class NoticeQueue:
    """Notices waiting for the bar, oldest first, at most MAX_QUEUED_NOTICES."""

    def __init__(self) -> None:
        self._waiting: collections.deque[Notice] = collections.deque()
        self.dropped = 0

    def extend(self, notices: list[Notice]) -> None:
        for notice in notices:
            if len(self._waiting) >= MAX_QUEUED_NOTICES:
                self._waiting.popleft()
                self.dropped += 1
                logger.warning("too many notices waiting: dropped the oldest (%d dropped so far)",
                               self.dropped)
            self._waiting.append(notice)

    def pop(self) -> Notice | None:
        return self._waiting.popleft() if self._waiting else None

    def __len__(self) -> int:
        return len(self._waiting)
