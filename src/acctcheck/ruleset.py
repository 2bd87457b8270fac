"""A rules directory → a Snapshot whose packs pass their own examples: compile (packs.build), then run every
pack's examples through the engine. A pack whose examples fail is refused exactly like a pack that does not
parse (packs test themselves). Above the engine, as the examples need it; reload, the CLI and the console
build through here."""

from __future__ import annotations

import gc
from pathlib import Path

from acctcheck.checks.image_codes import image_formats
from acctcheck.contract import AccountFields, ValidateRequest, Verdict
from acctcheck.engine import validate
from acctcheck.images.model import ImageCode
from acctcheck.normalize.normalizer import Normalizer
from acctcheck.packs.build import compile_files
from acctcheck.packs.errors import PackIssue, PackSetError
from acctcheck.packs.files import FileSet, read_tree
from acctcheck.packs.schema import Example
from acctcheck.packs.snapshot import Snapshot


def example_failures(snapshot: Snapshot, files: dict[str, str], examples: dict[str, list[Example]]
                     ) -> list[PackIssue]:
    """Run examples; each failure names the pack file and the example index."""
    issues: list[PackIssue] = []
    for pack_name, exs in examples.items():
        for i, ex in enumerate(exs):
            problem = check_example(snapshot, ex)[1]
            if problem is not None:
                issues.append(PackIssue(files[pack_name], None, f"examples.{i}", problem))
    return issues


def check_example(snapshot: Snapshot, ex: Example) -> tuple[Verdict, str | None]:
    """One example's verdict and what is wrong with it (None when it holds). Shared by the build, which
    refuses a pack over it, and the console, which shows every example of the active packs."""
    req = ValidateRequest(account_type=ex.account_type, fields=AccountFields(**ex.fields), verified=ex.verified)
    codes: list[ImageCode] = []
    if ex.images:  # decoded and scanned exactly as a request's images, with the default limits
        from acctcheck.images.decode import ImageError  # lazy: Pillow, zxing-cpp
        from acctcheck.images.model import ImageLimits
        from acctcheck.images.scan import scan_images
        from acctcheck.settings import Settings

        try:
            codes = scan_images(sorted(ex.images.items()), ImageLimits.from_settings(Settings()),
                                image_formats(snapshot))
        except ImageError as exc:
            return validate(snapshot, req, decision_id="example"), f"{sorted(ex.images)}: unusable image: {exc}"
    verdict = validate(snapshot, req, decision_id="example", image_codes=codes)
    shown = ", ".join(f"{f.category}:{f.text}" for f in verdict.findings) or "nothing"
    if ex.expect == "pass":
        if verdict.decision != "pass":
            return verdict, f"{ex.fields} should pass, got {verdict.decision} ({shown})"
        return verdict, None
    found = {f.category for f in verdict.findings}
    missing = [c.value for c in ex.expect if c not in found]
    if missing:
        return verdict, f"{ex.fields} should find {missing}, found {shown}"
    return verdict, None


def build_snapshot(root: Path, normalizer: Normalizer | None = None, *, run_examples: bool = True,
                   previous: Snapshot | None = None) -> Snapshot:
    """Build a complete snapshot from a rules directory or raise PackSetError with every issue. `previous`
    (the active snapshot) lets a change of registry files alone reuse everything else."""
    return build_from_files(read_tree(root), normalizer, run_examples=run_examples, previous=previous)


def build_from_files(files: FileSet, normalizer: Normalizer | None = None, *, run_examples: bool = True,
                     previous: Snapshot | None = None, marked: frozenset[str] = frozenset()) -> Snapshot:
    """Build from contents already read (packs.files): the directory is not touched again. `marked`: YAML files
    whose last built version ended with `...` (they must still end with it)."""
    loaded, snapshot = compile_files(files, normalizer, previous=previous, marked=marked)
    if run_examples:
        pack_files = {lp.pack.name: lp.file for lp in loaded.packs}
        examples = {lp.pack.name: list(lp.pack.examples) for lp in loaded.packs}
        issues = example_failures(snapshot, pack_files, examples)
        if issues:
            raise PackSetError(issues)
    # A snapshot is hundreds of thousands of long-lived objects. Left to the cyclic GC, every full
    # collection would walk them all inside some unlucky request (milliseconds of p99). Frozen objects
    # are still freed by reference counting when a reload drops the snapshot.
    gc.freeze()
    return snapshot
