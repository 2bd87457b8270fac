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
    examples = "ok"
    print(f"ok: {len(snapshot.packs)} packs, {len(snapshot.rules)} rules, {snapshot.term_count} terms, "
          f"examples {examples}, revision {snapshot.revision}\n  {packs}")
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
        timeout_graceful_shutdown=args.graceful_timeout,
        http="httptools" if _has("httptools") else "auto",
        loop="uvloop" if _has("uvloop") else "auto",
    )
    return 0


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
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return int(args.func(args))
