"""Located pack errors: every message names file › rule id › field so an operator can fix it."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PackIssue:
    file: str
    rule: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = " › ".join(p for p in (self.file, self.rule, self.field) if p)
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "rule": self.rule, "field": self.field, "message": self.message}


class PackSetError(Exception):
    """A rules directory that cannot become a snapshot. Carries every issue found, not just the first."""

    def __init__(self, issues: list[PackIssue]) -> None:
        self.issues = issues
        super().__init__("; ".join(str(i) for i in issues[:5]) + (" …" if len(issues) > 5 else ""))
