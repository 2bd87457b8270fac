"""acctcheck: validates internet account information under the CAC 互联网用户账号信息管理规定."""

import os
from pathlib import Path

__version__ = "0.1.0"


def bundled_rules_dir() -> Path:
    """The rule packs shipped with acctcheck — the default when ACCTCHECK_RULES_DIR is unset. In a source
    checkout `acctcheck/rules` is a link to the repository's rules/; a wheel carries them as package data.
    Here, not in acctcheck.settings, so that the CLI names its default without importing pydantic (the
    `serve` supervisor starts its workers sooner)."""
    return Path(__file__).resolve().parent / "rules"


def artifact_dir() -> Path:
    """Where compiled artifacts are kept (registries, the packs' snapshot, parsed YAML, the pinyin table):
    ACCTCHECK_ARTIFACT_DIR, else $XDG_CACHE_HOME/acctcheck/registry (~/.cache/…). Not the rules directory:
    that is often a read-only ConfigMap. Here so that every layer, the normaliser included, can name it."""
    env = os.environ.get("ACCTCHECK_ARTIFACT_DIR")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "acctcheck" / "registry"
