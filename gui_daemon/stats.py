"""Per-domain counters of the daemon, reported on SIGUSR1 and on exit."""

from __future__ import annotations

import collections
import dataclasses


@dataclasses.dataclass
class Statistics:
    """Counts since the daemon started; latencies in seconds, from receipt to paint."""

    messages: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    ignored: collections.Counter = dataclasses.field(default_factory=collections.Counter)
    damage_rectangles: int = 0
    bytes_painted: int = 0
    paint_latency_total: float = 0.0
    paint_latency_max: float = 0.0
    sessions: int = 0
    disconnects: int = 0

    def record_paint(self, pixels: int, latency: float) -> None:
        self.damage_rectangles += 1
        self.bytes_painted += pixels * 4
        self.paint_latency_total += latency
        self.paint_latency_max = max(self.paint_latency_max, latency)

    def summary(self) -> str:
        """Return one log line with every counter."""
        mean_ms = 1000 * self.paint_latency_total / self.damage_rectangles if self.damage_rectangles else 0.0
        top = ", ".join(f"{name} {count}" for name, count in self.messages.most_common(8))
        return (
            f"sessions {self.sessions}, disconnects {self.disconnects}, messages {sum(self.messages.values())} "
            f"({top}), ignored {sum(self.ignored.values())}, damage rectangles {self.damage_rectangles}, "
            f"bytes painted {self.bytes_painted}, paint latency mean {mean_ms:.3f} ms "
            f"max {1000 * self.paint_latency_max:.3f} ms"
        )
