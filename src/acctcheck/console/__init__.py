"""The operator console at /console: a static page (console/static, package data) plus two read-only JSON
endpoints the existing API does not offer (explain, packs with their examples). docs/console.md."""

from acctcheck.console.app import install

__all__ = ["install"]
