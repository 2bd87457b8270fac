"""Rules directories on real files for reload and pack tests: a tiny self-testing pack, a Kubernetes
ConfigMap-style publish, and a copy of the bundled professions and institutions packs."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

RULES = Path(__file__).resolve().parents[2] / "rules"


def tiny_pack(version: str, word: str = "马甲大王", example: str | None = None) -> str:
    """A small valid pack: one enforced term rule, one shadow rule, and examples that must hold."""
    return f"""schema_version: 1
name: tiny
version: "{version}"
description: test pack
rules:
  - id: words
    kind: terms
    category: misleading_claim
    article: 第八条第（五）项
    action: reject
    message: 测试词：{{text}}
    terms: [{word}]
  - id: shadow-words
    kind: terms
    category: official_impersonation
    article: 第八条第（二）项
    action: reject
    mode: shadow
    message: 影子词：{{text}}
    terms: [影子部门]
examples:
  - fields: {{nickname: {example or word}}}
    expect: [misleading_claim]
  - fields: {{nickname: 影子部门}}
    expect: pass
...
"""


def make_rules(d: Path, version: str = "v0") -> Path:
    """The bundled policy and tiny_pack(version) in d (created if missing)."""
    d.mkdir(parents=True, exist_ok=True)
    shutil.copy(RULES / "policy.yaml", d / "policy.yaml")
    (d / "tiny.yaml").write_text(tiny_pack(version), encoding="utf-8")
    return d


def write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def configmap(root: Path, files: dict[str, str], stamp: str) -> None:
    """Publish one version the way the kubelet does: a new `..<stamp>` dir, then an atomic `..data` swap,
    top-level links `name -> ..data/name`, and the old version removed."""
    root.mkdir(exist_ok=True)
    new = root / f"..{stamp}"
    new.mkdir()
    for name, text in files.items():
        (new / name).write_text(text, encoding="utf-8")
    old = os.readlink(root / "..data") if (root / "..data").is_symlink() else None
    os.symlink(new.name, root / "..data_tmp")
    os.replace(root / "..data_tmp", root / "..data")
    for name in files:
        if not (root / name).is_symlink():
            os.symlink(f"..data/{name}", root / name)
    if old:
        shutil.rmtree(root / old)


def own_rules(dest: Path) -> Path:
    """A rules directory with the professions and institutions packs, policy and the files they reference."""
    for name in ("professions.yaml", "institutions.yaml", "policy.yaml"):
        shutil.copy(RULES / name, dest / name)
    for sub in ("professions", "institutions"):
        shutil.copytree(RULES / sub, dest / sub)
    for sub, pattern in (("official-bodies", "divisions-*.txt"), ("enterprises", "short.txt")):
        (dest / sub).mkdir()
        for f in (RULES / sub).glob(pattern):
            shutil.copy(f, dest / sub / f.name)
    return dest
