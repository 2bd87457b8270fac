"""Workers share one stderr: their buffered log writes must never split a line (a split JSON line is lost to
every log shipper). Real processes on a real pipe, as under `acctcheck serve --workers N`. A pipe write over
PIPE_BUF bytes is not atomic: with the pipe full, a 64 KB block went in pieces and the other worker's lines
landed inside one of ours (182 broken lines of 10,000 here before the fix)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

WRITER = """
import logging, sys
from acctcheck.logging_setup import BufferedStderrHandler, JsonFormatter
handler = BufferedStderrHandler(interval=60)  # only a full buffer flushes
handler.setFormatter(JsonFormatter())
log = logging.getLogger("acctcheck.test_lines")
log.addHandler(handler)
log.setLevel(logging.INFO)
log.propagate = False
pad = sys.argv[1] * 150
for i in range(int(sys.argv[2])):
    log.info("line", extra={"pid": i, "event": pad[: 40 + i % 400]})
logging.shutdown()
"""


def test_two_processes_on_one_pipe_never_split_a_line() -> None:
    read, write = os.pipe()
    lines = 5000
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, tag, str(lines)], stderr=write, env=env)
             for tag in ("ab", "xy")]
    os.close(write)
    chunks = []
    with os.fdopen(read, "rb", buffering=0) as out:  # a slow reader: the pipe fills, as behind a busy shipper
        while chunk := out.read(3000):
            chunks.append(chunk)
            time.sleep(0.0002)
    data = b"".join(chunks)
    assert all(p.wait(60) == 0 for p in procs)
    records = [json.loads(line) for line in data.decode().splitlines()]  # a split line would not parse
    assert len(records) == 2 * lines
    assert sorted(r["event"][:2] for r in records) == ["ab"] * lines + ["xy"] * lines
