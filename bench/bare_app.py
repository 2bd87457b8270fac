"""The baseline of bench/http_bench.py: a bare FastAPI endpoint with acctcheck's own request and response
models (ValidateRequest in, Verdict out) that returns a fixed pass verdict.

It is what "the HTTP framework already costs" means in issue 7: idiomatic FastAPI (body parsed and validated
by FastAPI, response_model serialisation), served by uvicorn exactly as `acctcheck serve` serves the real
service: uvloop + httptools, no access log, one worker.

Run: python bench/bare_app.py --port 8001
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from fastapi import FastAPI  # noqa: E402

from acctcheck.contract import ValidateRequest, Verdict  # noqa: E402

# What the real service answers for an ordinary account (no findings).
FIXED = Verdict(decision="pass", findings=[], shadow_findings=[], labels=[], ip_region=None,
                rules_revision="sha256:0000000000000000", decision_id="bench0000000000a")

app = FastAPI(title="bare baseline")


@app.post("/validate", response_model=Verdict)
async def validate(req: ValidateRequest) -> Verdict:  # noqa: ARG001 - parsed and validated, then ignored
    return FIXED


@app.get("/readyz")
async def readyz() -> dict[str, str]:
    return {"status": "ready"}


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--log-level", default="warning")
    args = parser.parse_args()
    uvicorn.run(app, host=args.host, port=args.port, workers=1, access_log=False, log_level=args.log_level,
                http="httptools", loop="uvloop")


if __name__ == "__main__":
    main()
