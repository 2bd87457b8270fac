"""The `acctcheck` command: serve, check, lint, manifest, eval, scan and reload. The same engine as the HTTP service.

Exit codes of `check`: 0 pass, 1 review or reject (the decision is in the JSON), 2 nothing was judged (bad
input, rules missing or refused). Every command: 2 for a usage error, 130 when interrupted, 141 when the
reader of its output went away (`| head`). Errors are one line on stderr, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from acctcheck import bundled_rules_dir

if TYPE_CHECKING:
    from acctcheck.packs.snapshot import Snapshot

EXIT_USAGE, EXIT_INTERRUPTED, EXIT_BROKEN_PIPE = 2, 130, 141


class CliError(Exception):
    """A problem with what the user gave: printed as `acctcheck <command>: <message>`, exit 2."""


def _snapshot(rules: str, *, run_examples: bool = False) -> Snapshot:
    """The rule snapshot of a directory (the stored artifact when there is one, artifact.snapshot_store.load_dir),
    or CliError saying why there is none."""
    from acctcheck.artifact.snapshot_store import load_dir
    from acctcheck.packs.errors import PackSetError

    try:
        return load_dir(Path(rules), run_examples=run_examples)
    except PackSetError as exc:
        first = exc.issues[0]
        more = f" (+{len(exc.issues) - 1} more; `acctcheck lint {rules}` lists them)" if len(exc.issues) > 1 else ""
        raise CliError(f"no rules: {first}{more}") from None


def _check_request(args: argparse.Namespace) -> dict[str, Any]:
    """The request `check` sends to the engine, as the JSON body of POST /validate would be."""
    fields = {k: v for k, v in (("nickname", args.nickname), ("bio", args.bio), ("signature", args.signature),
                                ("certification", args.certification)) if v is not None}
    body: dict[str, Any] = {"account_type": args.account_type, "fields": fields}
    if args.verified:
        try:
            body["verified"] = json.loads(args.verified)
        except json.JSONDecodeError as exc:
            raise CliError(f"--verified is not JSON: {exc.msg} (column {exc.colno})") from None
    if args.ip:
        body["ip"] = args.ip
    return body


def _cmd_check(args: argparse.Namespace) -> int:
    from acctcheck.admission import AdmissionLimits, Refusal, admit_request, answering
    from acctcheck.engine import validate
    from acctcheck.settings import Settings

    settings = Settings()
    try:  # what the service would refuse, named as it names it (without "body."): `fields.bio is longer …`
        request = admit_request(_check_request(args), AdmissionLimits.from_settings(settings), ())
    except Refusal as exc:
        raise CliError(exc.one_line()) from None
    region = None
    if request.ip:
        from acctcheck.geo.resolver import GeoResolver

        try:
            region = GeoResolver(settings.geoip_main_db, settings.geoip_domestic_db).lookup(request.ip)
        except ValueError as exc:
            raise CliError(f"--ip: {exc}") from None
    snapshot = _snapshot(args.rules)
    verdict = validate(snapshot, request, ip_lookup=answering(region))
    out: dict[str, Any] = verdict.model_dump(mode="json")
    if args.explain:
        from acctcheck.explain import explain_views

        out["views"] = explain_views(snapshot.normalizer, request.fields)
    print(json.dumps(out, ensure_ascii=False, indent=2))
    return 0 if verdict.decision == "pass" else 1


def _cmd_lint(args: argparse.Namespace) -> int:
    from acctcheck.packs.errors import PackSetError
    from acctcheck.packs.schema import pack_json_schema
    from acctcheck.ruleset import build_snapshot

    if args.schema:
        print(json.dumps(pack_json_schema(), ensure_ascii=False, indent=2))
        return 0
    if not args.dir:
        raise CliError("give a rules directory (or --schema)")
    try:
        snapshot = build_snapshot(Path(args.dir))
    except PackSetError as exc:
        for issue in exc.issues:
            print(issue)
        print(f"{len(exc.issues)} problem(s) in {args.dir}", file=sys.stderr)
        return 1
    from acctcheck.packs.snapshot import policy_references

    for warning in policy_references(snapshot):
        print(f"warning: {warning}", file=sys.stderr)
    packs = ", ".join(f"{p.name} {p.version} ({p.terms} terms)" for p in snapshot.packs)
    print(f"ok: {len(snapshot.packs)} packs, {len(snapshot.rules)} rules, {snapshot.term_count} terms, "
          f"examples ok, revision {snapshot.revision}\n  {packs}")
    return 0


def _cmd_manifest(args: argparse.Namespace) -> int:
    """Write DIR/manifest.json (or --check it): exit 0 ok, 1 mismatch, 2 unreadable directory."""
    from acctcheck.packs.files import read_tree
    from acctcheck.packs.manifest import MANIFEST_FILE, manifest_issues, write_manifest

    root = Path(args.dir)
    if args.check:
        issues = manifest_issues(read_tree(root))
        if issues is None:
            print(f"no {MANIFEST_FILE} in {root}", file=sys.stderr)
            return 1
        for issue in issues:
            print(issue)
        print(f"{MANIFEST_FILE}: {'ok' if not issues else f'{len(issues)} mismatch(es)'}", file=sys.stderr)
        return 1 if issues else 0
    try:
        path, count = write_manifest(root)
    except (ValueError, OSError) as exc:
        print(f"acctcheck manifest: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {path}: {count} files")
    return 0


def _cmd_eval(args: argparse.Namespace) -> int:
    import yaml

    from acctcheck.admission import describe, validation_details
    from acctcheck.evaluation import InvalidCase, evaluate, load_cases

    try:
        cases = load_cases(Path(args.cases))
    except OSError as exc:
        raise CliError(f"cannot read {args.cases}: {exc.strerror or exc}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise CliError(f"{args.cases}: {' '.join(str(exc).split())}") from None
    try:
        report = evaluate(_snapshot(args.rules), cases, any_category=args.any_category)
    except InvalidCase as exc:  # the same wording as a refused HTTP request's
        raise CliError(f"{args.cases}: {exc} ({describe(validation_details(exc.error))})") from None
    except ValueError as exc:
        raise CliError(f"{args.cases}: {exc}") from None
    print(report.table())
    if args.failures:
        print("\n".join(report.failures()))
    return 0


def _cmd_scan(args: argparse.Namespace) -> int:
    from acctcheck.scan import main

    if getattr(args, "dask", None):
        try:
            from acctcheck.distributed import dask_judge
        except ImportError as exc:
            raise CliError(f"--dask needs the distributed extra (pip install 'acctcheck[distributed]'): {exc}") \
                from None
        return main(args, cluster=dask_judge)
    return main(args)


def _cmd_serve(args: argparse.Namespace) -> int:
    import os
    import signal

    from acctcheck.metrics_dir import MetricsDirError, worker_metrics_dir

    start = os.environ.get("ACCTCHECK_WORKER_START", "fork")
    if start not in ("fork", "spawn"):
        raise CliError(f"ACCTCHECK_WORKER_START must be fork or spawn, not {start!r}")
    os.environ["ACCTCHECK_RULES_DIR"] = str(Path(args.rules).resolve())
    if args.header_timeout is not None:  # read by every worker (api/header_timeout.py)
        os.environ["ACCTCHECK_HEADER_TIMEOUT_S"] = str(args.header_timeout)
    # uvicorn ends a SIGTERM by re-raising it with the handler that was there before it started: with the default
    # one the process would die at once, leaving this start's metrics directory behind
    signal.signal(signal.SIGTERM, _terminated)
    try:
        with worker_metrics_dir(args.metrics_dir):  # one /metrics scrape covers every worker (acctcheck.metrics)
            _run_uvicorn(args)
    except MetricsDirError as exc:
        print(f"acctcheck serve: {exc}", file=sys.stderr)
        return 2
    except _Terminated:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        signal.raise_signal(signal.SIGTERM)  # the exit status stays "killed by SIGTERM", as before
    return 0


class _Terminated(BaseException):
    """SIGTERM, once uvicorn has drained and handed it back."""


def _terminated(signum: int, frame: object) -> None:
    raise _Terminated(signum)


def _fork_workers() -> None:
    """Workers forked from a supervisor that has already imported the app and built the normaliser, instead
    of uvicorn's spawned interpreters that each import everything again: with two workers on two cores the
    spawned start took 1.0–1.4 s to ready, of which ~0.45 s per worker were imports (docs/performance.md).
    The forked workers share those pages copy-on-write. uvicorn's process start is its `_subprocess.spawn`
    context; where that or fork is missing, workers are spawned as before. The supervisor runs no thread, so
    forking it is safe; the signal handlers it installs are reset in each child, which installs its own."""
    import gc
    import multiprocessing

    import uvicorn._subprocess as subprocess_start

    if "fork" not in multiprocessing.get_all_start_methods() or not hasattr(subprocess_start, "spawn"):
        return
    import acctcheck.service  # noqa: F401  (the app and everything it imports)
    from acctcheck.normalize.normalizer import default_normalizer

    default_normalizer()
    gc.freeze()  # what the supervisor built stays out of the children's collections: no copy of its pages
    subprocess_start.spawn = multiprocessing.get_context("fork")  # type: ignore[assignment]
    os.register_at_fork(after_in_child=_default_signals)


def _default_signals() -> None:
    import signal

    for sig in (signal.SIGTERM, signal.SIGHUP, signal.SIGQUIT, signal.SIGUSR1, signal.SIGUSR2, signal.SIGTTIN,
                signal.SIGTTOU, signal.SIGWINCH):
        signal.signal(sig, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.default_int_handler)


def _run_uvicorn(args: argparse.Namespace) -> None:
    import uvicorn

    if args.workers > 1 and os.environ.get("ACCTCHECK_WORKER_START", "fork") == "fork":
        _fork_workers()
    uvicorn.run(
        "acctcheck.service:create_app",
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
        # uvicorn's httptools protocol plus a header-read timeout (uvicorn has none; docs/operations.md)
        http=_http_protocol(),
        loop="uvloop" if _has("uvloop") else "auto",
    )


def _http_protocol() -> str:
    if _has("httptools"):
        from acctcheck.api.header_timeout import PROTOCOL

        return PROTOCOL
    print("acctcheck serve: httptools is missing, so headers are read without a timeout", file=sys.stderr)
    return "auto"


def _log_config(args: argparse.Namespace) -> dict[str, Any]:
    from acctcheck.logging_setup import log_config

    return log_config(args.log_level, args.log_format)


def _cmd_reload(args: argparse.Namespace) -> int:
    """POST /admin/reload; exit 0 when the rules are active, 1 when refused, 2 when the call failed."""
    import httpx

    token = args.token or os.environ.get("ACCTCHECK_ADMIN_TOKEN")
    if not token:
        raise CliError("give --token or set ACCTCHECK_ADMIN_TOKEN")
    try:
        r = httpx.post(args.url.rstrip("/") + "/admin/reload", headers={"Authorization": f"Bearer {token}"},
                       timeout=args.timeout)
    except httpx.HTTPError as exc:
        raise CliError(f"{args.url}: {exc or type(exc).__name__}") from None
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

    def with_rules(p: argparse.ArgumentParser) -> argparse.ArgumentParser:
        """The --rules option every command that judges takes (the bundled packs by default)."""
        p.add_argument("--rules", default=default_rules,
                       help=f"rules directory (default: the packs shipped with acctcheck, {default_rules})")
        return p

    serve = with_rules(sub.add_parser("serve", help="run the HTTP service"))
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)
    serve.add_argument("--log-level", default="info")
    serve.add_argument("--log-format", default="json", choices=["json", "text"], help="stderr log lines")
    serve.add_argument("--graceful-timeout", type=int, default=20, help="seconds to drain on SIGTERM")
    serve.add_argument("--header-timeout", type=float, help="seconds a request's line and headers may take to "
                       "arrive (default: $ACCTCHECK_HEADER_TIMEOUT_S or 10)")
    serve.add_argument("--metrics-dir", help="parent of the per-start directory the workers share their metrics "
                       "in (default: $ACCTCHECK_METRICS_DIR or the temp dir; must be writable)")
    serve.set_defaults(func=_cmd_serve)

    check = with_rules(sub.add_parser("check", help="validate one account from the command line (no HTTP)",
                           description="Validate one account with the engine (no HTTP) and print the verdict as "
                           "JSON. Exit 0 pass, 1 review or reject, 2 nothing judged (bad input, no rules)."))
    check.add_argument("--nickname", required=True)
    check.add_argument("--bio")
    check.add_argument("--signature")
    check.add_argument("--certification")
    check.add_argument("--account-type", default="personal", choices=["personal", "institution"])
    check.add_argument("--verified", help='JSON, e.g. {"institution": {"name": "外交部", "kind": "government"}}')
    check.add_argument("--ip", help="the user's IP address: the verdict carries its IP属地 label (Article 12)")
    check.add_argument("--explain", action="store_true", help="also print every view and its offset map")
    check.set_defaults(func=_cmd_check)

    lint = sub.add_parser("lint", help="validate a rules directory and run its examples")
    lint.add_argument("dir", nargs="?")
    lint.add_argument("--schema", action="store_true", help="print the pack JSON Schema and exit")
    lint.set_defaults(func=_cmd_lint)

    man = sub.add_parser("manifest", help="write DIR/manifest.json: per-file SHA-256 digests; while it is "
                         "present nothing activates until every file matches it (docs/operations.md)")
    man.add_argument("dir")
    man.add_argument("--check", action="store_true", help="only compare the directory with its manifest")
    man.set_defaults(func=_cmd_manifest)

    ev = with_rules(sub.add_parser(
        "eval", help="score a YAML table of labelled cases: recall per method, false positives"))
    ev.add_argument("cases", help="YAML list of cases (see tests/data/detection_cases.yaml)")
    ev.add_argument("--failures", action="store_true", help="also list every case that was not right")
    ev.add_argument("--any-category", action="store_true", help="a flagged case counts on the decision alone (for "
                    "tables that name their categories differently); cases with no nickname get an ordinary one")
    ev.set_defaults(func=_cmd_eval)

    reload = sub.add_parser("reload", help="ask a running service to rebuild its rules now (POST /admin/reload)")
    reload.add_argument("--url", default="http://127.0.0.1:8000")
    reload.add_argument("--token", help="admin bearer token (default: $ACCTCHECK_ADMIN_TOKEN)")
    reload.add_argument("--timeout", type=float, default=60.0)
    reload.set_defaults(func=_cmd_reload)

    scan = with_rules(sub.add_parser(
        "scan", help="re-check stored accounts in bulk (JSONL or CSV in, JSONL verdicts out)"))
    scan.add_argument("input", help="JSON Lines ({\"id\": ..., request keys}) or .csv")
    scan.add_argument("--output", "-o", required=True, help="JSON Lines of {\"id\", \"verdict\"}, in input order")
    scan.add_argument("--workers", type=int, default=1, help="engine processes (or concurrent batches with --url)")
    scan.add_argument("--url", help="judge through a running service (POST /validate/batch) instead")
    scan.add_argument("--dask", metavar="ADDRESS", help="judge on a Dask cluster: a scheduler address "
                      "(tcp://host:8786) or local[:N] for N worker processes here "
                      "(pip install 'acctcheck[distributed]')")
    scan.add_argument("--resume", action="store_true", help="keep the output and skip ids already in it")
    scan.add_argument("--overwrite", action="store_true", help="replace an existing output")
    scan.add_argument("--format", choices=["jsonl", "csv"], help="default: by the input's extension")
    scan.add_argument("--chunk-size", type=int, default=256, help="accounts per task (or per batch with --url)")
    scan.add_argument("--no-progress", action="store_true")
    scan.set_defaults(func=_cmd_scan)

    from acctcheck.registry_commands import add_commands  # compile, registry diff

    add_commands(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        code = int(args.func(args))
        sys.stdout.flush()  # a closed pipe shows here rather than in the interpreter's exit
        return code
    except CliError as exc:
        print(f"acctcheck {args.command}: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        # the reader (`| head`) has what it wanted: no traceback, and no second error when Python flushes
        # stdout at exit (the documented recipe: point stdout at /dev/null)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
