"""The client is a typed library for platforms: a platform's own module that uses `acctcheck.client` passes
`mypy --strict` against the installed package (which mypy reads only because it ships `py.typed`), sees the
real types (`assert_type`), and has its mistakes reported: a misspelt option, a misspelt attribute, an
`on_unavailable` that does not exist. With `Any` anywhere on that path the mistakes would pass silently.

mypy runs in a temporary directory, outside this repository and its configuration, as in a platform's own
tree; it resolves `acctcheck` from the interpreter's site-packages (this checkout is installed there)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import acctcheck

# Modelled on the registration handler of docs/client.md, sync and async.
PLATFORM = '''
from __future__ import annotations

import logging
from typing import assert_type

from acctcheck.client import (
    AsyncClient, BatchItemError, CircuitBreaker, Client, RequestRejected, Unavailable, Verdict,
)
from acctcheck.contract import ValidateRequest
from acctcheck.geo.region import IpRegion

log = logging.getLogger("signup")
recheck_queue: list[str] = []

acctcheck = Client("http://acctcheck:8000", timeout=0.2, on_unavailable="open",
                   breaker=CircuitBreaker(failure_threshold=3, reset_after=2.0),
                   on_degraded=lambda req, exc: log.warning("acctcheck down (%s) for %s", exc, req.fields.nickname))


def register(user_id: str, nickname: str, bio: str, ip: str) -> dict[str, object]:
    try:
        verdict = acctcheck.validate({"fields": {"nickname": nickname, "bio": bio}, "ip": ip})
    except RequestRejected as exc:
        return {"ok": False, "reason": exc.body.message, "status": exc.status}
    assert_type(verdict, Verdict)
    if verdict.degraded:
        recheck_queue.append(user_id)
    elif verdict.decision == "reject":
        return {"ok": False, "reason": verdict.findings[0].message}
    label = verdict.ip_region.label if verdict.ip_region else None
    return {"ok": True, "ip_label": label, "decision_id": verdict.decision_id}


def recheck(nicknames: list[str]) -> list[str]:
    results = acctcheck.validate_many([{"fields": {"nickname": n}} for n in nicknames], batch_size=500)
    assert_type(results, list[Verdict | BatchItemError])
    return [r.decision if isinstance(r, Verdict) else r.error.error for r in results]


def regions() -> tuple[str, list[str]]:
    one = acctcheck.ip_region("1.2.3.4")
    assert_type(one, IpRegion)
    many = acctcheck.ip_region(["1.2.3.4", "2001:db8::1"])
    assert_type(many, list[IpRegion])
    return one.label, [r.label for r in many]


async def register_async(client: AsyncClient, nickname: str) -> bool:
    try:
        verdict = await client.validate(ValidateRequest.model_validate({"fields": {"nickname": nickname}}))
    except Unavailable:
        return True
    assert_type(verdict, Verdict)
    assert_type(await client.ip_region("1.2.3.4"), IpRegion)
    return verdict.decision != "reject" and client.breaker.state == "closed"
'''

# Each line a platform could get wrong, and the mypy error code that must point at it.
MISTAKES = '''
from acctcheck.client import AsyncClient, Client

slow = Client("http://acctcheck:8000", timout=0.5)  # call-arg
verdict = slow.validate({"fields": {"nickname": "x"}})
print(verdict.decison)  # attr-defined
lenient = AsyncClient("http://acctcheck:8000", on_unavailable="fail-open")  # arg-type
region = slow.ip_region("1.2.3.4")
print(region.labels)  # attr-defined
'''


def _mypy(tmp_path: Path, *files: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("MYPYPATH", "PYTHONPATH")}
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-error-summary", "--show-error-codes",
         "--cache-dir", str(tmp_path / ".mypy_cache"), *files],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300,
    )


@pytest.mark.slow  # a mypy run: seconds
def test_platform_module_type_checks_against_the_installed_client(tmp_path: Path) -> None:
    assert (Path(acctcheck.__file__).parent / "py.typed").is_file()
    (tmp_path / "signup.py").write_text(textwrap.dedent(PLATFORM), encoding="utf-8")
    (tmp_path / "mistakes.py").write_text(textwrap.dedent(MISTAKES), encoding="utf-8")

    done = _mypy(tmp_path, "signup.py", "mistakes.py")

    assert done.returncode in (0, 1), done.stderr  # 2 would be a crash or a usage error
    errors = [line for line in done.stdout.splitlines() if ": error:" in line]
    assert not [e for e in errors if e.startswith("signup.py")], done.stdout
    at = re.compile(r"mistakes\.py:(\d+): error: .*\[([\w-]+)\]$")
    found = sorted((int(m[1]), m[2]) for e in errors if (m := at.match(e)))
    lines = textwrap.dedent(MISTAKES).splitlines()
    expected = sorted((n, line.rsplit("# ", 1)[1]) for n, line in enumerate(lines, 1) if "  # " in line)
    assert len(expected) == 4
    assert found == expected, done.stdout
