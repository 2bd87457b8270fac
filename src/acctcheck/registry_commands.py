"""`acctcheck compile` and `acctcheck registry diff`: the operator's side of registries (docs/operations.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def _cmd_compile(args: argparse.Namespace) -> int:
    """Compile every registry a rules directory references, then the packs' snapshot, into OUT (a CI step, an
    image build or an init container): workers started with ACCTCHECK_ARTIFACT_DIR=OUT then only load them."""
    from acctcheck.packs.errors import PackSetError
    from acctcheck.packs.loader import load_dir
    from acctcheck.registry.artifact import compile_artifact
    from acctcheck.registry.source import RegistryFileError

    try:
        loaded = load_dir(Path(args.rules))
    except PackSetError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 2
    out = Path(args.out)
    failed = 0
    refs = sorted({ref for lp in loaded.packs for ref in lp.registries})
    for ref in refs:
        try:
            path, stats = compile_artifact(loaded.root / ref, out)
        except RegistryFileError as exc:
            print(f"{ref}: {exc}", file=sys.stderr)
            failed += 1
            continue
        fresh = f"compiled in {stats.seconds:.1f} s" if stats.seconds else "already compiled"
        print(f"{ref}: {stats.names} names, {stats.keys} keys, {fresh} -> {path}")
        for b in stats.bad[:20]:
            print(f"  {ref}:{b.line}: skipped: {b.reason}", file=sys.stderr)
        if len(stats.bad) > 20:
            print(f"  … {len(stats.bad) - 20} more skipped lines", file=sys.stderr)
    if not refs:
        print(f"no registry rules in {args.rules}", file=sys.stderr)
    if failed:
        return 1
    return _compile_snapshot(Path(args.rules), out)


def _compile_snapshot(rules: Path, out: Path) -> int:
    """The packs' compiled snapshot (acctcheck.artifact), so that workers load it instead of compiling."""
    import os
    import time

    from acctcheck.artifact.snapshot_store import artifact_path, snapshot_key, write_artifact
    from acctcheck.normalize.normalizer import default_normalizer
    from acctcheck.packs.errors import PackSetError
    from acctcheck.packs.files import read_tree
    from acctcheck.packs.loader import load_files
    from acctcheck.ruleset import build_from_files

    os.environ["ACCTCHECK_ARTIFACT_DIR"] = str(out)  # the registries it opens are the ones just compiled
    t0 = time.perf_counter()
    try:
        fs = read_tree(rules)
        key = snapshot_key(load_files(fs))
        path = artifact_path(out, key)
        if path.is_file():
            print(f"snapshot of {rules}: already compiled -> {path}")
            return 0
        write_artifact(build_from_files(fs, default_normalizer()), out, key)
    except PackSetError as exc:
        for issue in exc.issues:
            print(issue, file=sys.stderr)
        return 2
    print(f"snapshot of {rules}: compiled in {time.perf_counter() - t0:.1f} s -> {path}")
    return 0


def _cmd_diff(args: argparse.Namespace) -> int:
    from acctcheck.registry.diff import diff_files
    from acctcheck.registry.source import RegistryFileError

    try:
        d = diff_files(Path(args.old), Path(args.new), keys=args.keys)
    except RegistryFileError as exc:
        print(f"acctcheck registry diff: {exc}", file=sys.stderr)
        return 2
    out = sys.stdout
    for line in d.lines():
        out.write(line + "\n")
    for b in d.bad_new[:20]:
        print(f"{args.new}:{b.line}: skipped: {b.reason}", file=sys.stderr)
    print(d.summary(), file=sys.stderr)
    return 0


def add_commands(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Registers the commands on the `acctcheck` parser (cli.build_parser)."""
    from acctcheck import bundled_rules_dir

    comp = sub.add_parser("compile", help="compile the registries and the packs of a rules directory into artifacts")
    comp.add_argument("rules", nargs="?", default=str(bundled_rules_dir()))
    comp.add_argument("--out", required=True, help="artifact directory (serve with ACCTCHECK_ARTIFACT_DIR=OUT)")
    comp.set_defaults(func=_cmd_compile)

    reg = sub.add_parser("registry", help="registry files of protected or closed account names")
    reg_sub = reg.add_subparsers(dest="registry_command", required=True)
    diff = reg_sub.add_parser("diff", help="print what NEW adds (+) and removes (-) compared with OLD")
    diff.add_argument("old")
    diff.add_argument("new")
    diff.add_argument("--keys", action="store_true", help="compare normalised names (what matching sees)")
    diff.set_defaults(func=_cmd_diff)
