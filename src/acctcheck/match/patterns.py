"""Operator-written detectors compiled with RE2 (linear time: a hostile input cannot make a pattern run
away, and a pattern RE2 cannot compile is refused at lint time with RE2's reason)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import re2


class PatternError(ValueError):
    pass


@dataclass(frozen=True)
class CompiledPattern:
    source: str
    regex: object
    hit_group: int  # 0 = whole match

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        g = self.hit_group
        for m in self.regex.finditer(text):  # type: ignore[attr-defined]
            s, e = m.start(g), m.end(g)
            if s >= 0 and e > s:
                yield s, e


def compile_pattern(source: str) -> CompiledPattern:
    options = re2.Options()
    options.max_mem = 8 << 20
    options.log_errors = False
    try:
        regex = re2.compile(source, options)
    except re2.error as exc:
        raise PatternError(f"RE2 cannot compile the pattern: {exc}") from None
    except Exception as exc:  # the binding raises plain errors for some syntax
        raise PatternError(f"RE2 cannot compile the pattern: {exc}") from None
    group = regex.groupindex.get("hit", 0)
    return CompiledPattern(source, regex, group)
