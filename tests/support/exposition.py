"""A strict reader of the Prometheus text exposition format, for tests that scrape /metrics."""

from __future__ import annotations

import re

LINE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (\S+)$')


def parse(text: str) -> dict[str, float]:
    """Every line is a comment or a valid sample; returns {'name{labels}': value}."""
    samples: dict[str, float] = {}
    typed: dict[str, str] = {}
    for line in text.rstrip("\n").split("\n"):
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            typed[name] = kind
            continue
        if line.startswith("# HELP "):
            continue
        m = LINE.match(line)
        assert m, f"bad exposition line: {line!r}"
        name = m.group(1)
        base = re.sub(r"_(bucket|sum|count)$", "", name)
        assert name in typed or base in typed, f"sample without TYPE: {line}"
        samples[name + (m.group(2) or "")] = float(m.group(3))
    return samples
