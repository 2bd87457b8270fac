"""The `acctcheck` command: serve, check, lint (and reload). The same engine as the HTTP service."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from acctcheck.settings import bundled_rules_dir


def _cmd_check(args: argparse.Namespace) -> int:
    from acctcheck.contract import AccountFields, ValidateRequest, Verified
    from acctcheck.engine import validate
    from acctcheck.packs.build import build_snapshot
    from acctcheck.packs.errors import PackSetError

    try:
        snapshot = build_snapshot(Path(args.rules), run_examples=False)
    except PackSetError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 2
    fields = {k: v for k, v in (("nickname", args.nickname), ("bio", args.bio), ("signature", args.signature),
                                ("certification", args.certification)) if v is not None}
    verified = json.loads(args.verified) if args.verified else None
    request = ValidateRequest(account_type=args.account_type, fields=AccountFields(**fields),
                              verified=Verified(**verified) if verified else None)
    verdict = validate(snapshot, request)
    out: dict = verdict.model_dump(mode="json")
    if args.explain:
        from acctcheck.normalize.pinyin import decode

        out["views"] = {}
        for name, value in request.fields.items():
            views = snapshot.normalizer.views(value)
            out["views"][name] = {
                "skeleton": {"text": views.skeleton.text, "map": views.skeleton.explain()},
                "pinyin": {"text": decode(snapshot.normalizer.pinyin, views.pinyin.text),
                           "spans": [[a, b] for a, b in zip(views.pinyin.starts, views.pinyin.ends)]},
                "contact": {"text": views.contact.text},
            }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0 if verdict.decision == "pass" else 1


def _cmd_lint(args: argparse.Namespace) -> int:
    from acctcheck.packs.build import build_snapshot
    from acctcheck.packs.errors import PackSetError
    from acctcheck.packs.schema import pack_json_schema

    if args.schema:
        print(json.dumps(pack_json_schema(), ensure_ascii=False, indent=2))
        return 0
    if not args.dir:
        print("acctcheck lint: give a rules directory (or --schema)", file=sys.stderr)
        return 2
    try:
        snapshot = build_snapshot(Path(args.dir))
    except PackSetError as exc:
        for issue in exc.issues:
            print(issue)
        print(f"{len(exc.issues)} problem(s) in {args.dir}", file=sys.stderr)
        return 1
    packs = ", ".join(f"{p.name} {p.version} ({p.terms} terms)" for p in snapshot.packs)
    print(f"ok: {len(snapshot.packs)} packs, {len(snapshot.rules)} rules, {snapshot.term_count} terms, "
          f"examples ok, revision {snapshot.revision}\n  {packs}")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    from acctcheck.evaluation import evaluate, load_cases
    from acctcheck.packs.build import build_snapshot

    snapshot = build_snapshot(Path(args.rules), run_examples=False)
    report = evaluate(snapshot, load_cases(Path(args.cases)))
    print(report.table())
    if args.failures:
        print("\n".join(report.failures()))
    return 0


def _cmd_serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    os.environ["ACCTCHECK_RULES_DIR"] = str(Path(args.rules).resolve())
    uvicorn.run(
        "acctcheck.api.app:create_app",
        factory=True,
        host=args.host,
        port=args.port,
        workers=args.workers,
        access_log=False,
        log_level=args.log_level,
        log_config=_log_config(args),
        timeout_graceful_shutdown=args.graceful_timeout,
        # a rule rebuild holds the GIL while the automata are built (seconds for very large packs); the
        # supervisor must not take that for a hung worker
        timeout_worker_healthcheck=30,
        http="httptools" if _has("httptools") else "auto",
        loop="uvloop" if _has("uvloop") else "auto",
    )
    return 0


def _log_config(args: argparse.Namespace) -> dict:
    from acctcheck.logging_setup import log_config

    return log_config(args.log_level, args.log_format)


def _cmd_reload(args: argparse.Namespace) -> int:
    """POST /admin/reload; exit 0 when the rules are active, 1 when refused, 2 when the call failed."""
    import os

    import httpx

    token = args.token or os.environ.get("ACCTCHECK_ADMIN_TOKEN")
    if not token:
        print("acctcheck reload: give --token or set ACCTCHECK_ADMIN_TOKEN", file=sys.stderr)
        return 2
    try:
        r = httpx.post(args.url.rstrip("/") + "/admin/reload", headers={"Authorization": f"Bearer {token}"},
                       timeout=args.timeout)
    except httpx.HTTPError as exc:
        print(f"acctcheck reload: {exc}", file=sys.stderr)
        return 2
    try:
        body = r.json()
    except ValueError:
        body = {"status": r.status_code, "body": r.text[:500]}
    print(json.dumps(body, ensure_ascii=False, indent=2))
    if r.status_code in (200, 422) and "ok" in body:
        return 0 if body["ok"] else 1
    return 2


def _has(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="acctcheck", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    default_rules = str(bundled_rules_dir())

    serve = sub.add_parser("serve", help="run the HTTP service")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--rules", default=default_rules, help="rules directory (default: bundled rules/)")
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--log-format", default="json", choices=["json", "text"], help="stderr log lines")
    serve.add_argument("--graceful-timeout", type=int, default=20, help="seconds to drain on SIGTERM")
    serve.set_defaults(func=_cmd_serve)

    check = sub.add_parser("check", help="validate one account from the command line (no HTTP)")
    check.add_argument("--nickname", required=True)
    check.add_argument("--bio")
    check.add_argument("--signature")
    check.add_argument("--certification")
    check.add_argument("--account-type", default="personal", choices=["personal", "institution"])
    check.add_argument("--verified", help='JSON, e.g. {"institution": {"name": "外交部", "kind": "government"}}')
    check.add_argument("--rules", default=default_rules)
    check.add_argument("--explain", action="store_true", help="also print every view and its offset map")
    check.set_defaults(func=_cmd_check)

    lint = sub.add_parser("lint", help="validate a rules directory and run its examples")
    lint.add_argument("dir", nargs="?")
    lint.add_argument("--schema", action="store_true", help="print the pack JSON Schema and exit")
    lint.set_defaults(func=_cmd_lint)

    ev = sub.add_parser("eval", help="score a YAML table of labelled cases: recall per method, false positives")
    ev.add_argument("cases", help="YAML list of cases (see tests/data/detection_cases.yaml)")
    ev.add_argument("--rules", default=default_rules)
    ev.add_argument("--failures", action="store_true", help="also list every case that was not right")
    ev.set_defaults(func=_cmd_eval)

    reload = sub.add_parser("reload", help="ask a running service to rebuild its rules now (POST /admin/reload)")
    reload.add_argument("--url", default="http://127.0.0.1:8000")
    reload.add_argument("--token", help="admin bearer token (default: $ACCTCHECK_ADMIN_TOKEN)")
    reload.add_argument("--timeout", type=float, default=60.0)
    reload.set_defaults(func=_cmd_reload)

    scan = sub.add_parser("scan", help="re-check stored accounts in bulk (JSONL or CSV in, JSONL verdicts out)")
    scan.add_argument("input", help="JSON Lines ({\"id\": ..., request keys}) or .csv")
    scan.add_argument("--output", "-o", required=True, help="JSON Lines of {\"id\", \"verdict\"}, in input order")
    scan.add_argument("--workers", type=int, default=1, help="engine processes (or concurrent batches with --url)")
    scan.add_argument("--url", help="judge through a running service (POST /validate/batch) instead")
    scan.add_argument("--resume", action="store_true", help="keep the output and skip ids already in it")
    scan.add_argument("--overwrite", action="store_true", help="replace an existing output")
    scan.add_argument("--rules", default=default_rules)
    scan.add_argument("--format", choices=["jsonl", "csv"], help="default: by the input's extension")
    scan.add_argument("--chunk-size", type=int, default=256, help="accounts per task (or per batch with --url)")
    scan.add_argument("--no-progress", action="store_true")
    scan.set_defaults(func=lambda a: __import__("acctcheck.scan", fromlist=["main"]).main(a))

    from acctcheck.registry.commands import add_commands  # compile, registry diff

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
