"""What a scan tells its user: the progress meter on stderr and the summary on stdout."""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import dataclass, field
from typing import IO


@dataclass
class Summary:
    lines: int = 0
    written: int = 0
    resumed: int = 0
    malformed: int = 0
    decisions: Counter[str] = field(default_factory=Counter)
    categories: Counter[str] = field(default_factory=Counter)
    revisions: set[str] = field(default_factory=set)
    records: int = 0
    startup_s: float = 0.0  # reading the rules, building the snapshot, starting workers
    elapsed_s: float = 0.0  # the whole command, start-up included

    def add(self, decision: str, categories: tuple[str, ...]) -> None:
        self.decisions[decision] += 1
        self.categories.update(categories)

    def render(self) -> str:
        judging = self.elapsed_s - self.startup_s
        rate = self.written / judging if judging > 0 else 0.0
        lines = [
            f"scanned {self.records} record(s) on {self.lines} line(s): {self.written} verdict(s) written"
            + (f" (+{self.resumed} from an earlier run)" if self.resumed else "")
            + f", {self.malformed} malformed line(s) skipped",
            "decisions: " + (", ".join(f"{k} {v}" for k, v in sorted(self.decisions.items())) or "none"),
            "categories: " + (", ".join(f"{k} {v}" for k, v in self.categories.most_common()) or "none"),
            f"rules revision: {', '.join(sorted(self.revisions)) or 'n/a'}",
            f"elapsed {self.elapsed_s:.1f} s (start-up {self.startup_s:.1f} s), "
            f"{rate:.0f} accounts/s after start-up",
        ]
        return "\n".join(lines)


class Progress:
    """tqdm's bar (lines done, rate, ETA) on a terminal; elsewhere (a log file, CI) tqdm's same meter as a plain
    line every 10 s, since a redrawn bar would fill a log with carriage returns."""

    def __init__(self, stream: IO[str], total: int | None, enabled: bool = True) -> None:
        from tqdm import tqdm

        self.stream = stream
        self.total = total
        self.enabled = enabled
        self.tty = enabled and stream.isatty()
        self.start = self.last = time.monotonic()
        self.bar = tqdm(total=total, unit="line", file=stream, disable=not self.tty, mininterval=0.2,
                        dynamic_ncols=True, smoothing=0.1)
        self._meter = tqdm.format_meter

    def update(self, line: int, done: int, force: bool = False) -> None:
        if not self.enabled:
            return
        if self.tty:
            self.bar.set_postfix_str(f"{done} verdicts", refresh=False)
            self.bar.update(line - self.bar.n)
            return
        now = time.monotonic()
        if force or now - self.last >= 10.0:
            self.last = now
            meter = self._meter(line, self.total, now - self.start, unit="line", postfix=f"{done} verdicts")
            self.stream.write(meter + "\n")
            self.stream.flush()

    def close(self) -> None:
        self.bar.close()
