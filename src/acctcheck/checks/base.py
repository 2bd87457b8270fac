"""What every check receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from acctcheck.checks.term_hits import TermHit, find_term_hits
from acctcheck.contract import Action, Method, ValidateRequest
from acctcheck.images.model import Box, ImageCode
from acctcheck.normalize.normalizer import FieldViews
from acctcheck.packs.schema import AnyRule
from acctcheck.packs.snapshot import CompiledRule, Snapshot


@dataclass(frozen=True, slots=True)
class RawFinding:
    rule: CompiledRule[AnyRule]
    field: str
    span: tuple[int, int] | None  # None: found in an image (`box` says where)
    text: str
    matched: str
    method: Method
    syllables: int = 0
    certainty: float | None = None  # None: the policy's certainty for `method`
    cap: Action | None = None  # the highest action this finding may take (a name mentioned in a bio), None: any
    floor: Action | None = None  # the least action (a name next to a claim cue), None: the rule's
    box: Box | None = None  # a code in an image: where it is
    named: bool = False  # read as a name (a bio's 欢迎关注X): the rule's own action, not its field action


@dataclass(slots=True)
class CheckContext:
    """One request's shared state: field views and term hits are computed once and reused by every check.
    `image_codes` are the codes the caller decoded from the request's images (checks never touch pixels)."""

    snapshot: Snapshot
    request: ValidateRequest
    fields: list[tuple[str, FieldViews]]
    image_codes: Sequence[ImageCode] = ()
    labels: list[str] = field(default_factory=list)
    _term_hits: dict[str, list[TermHit]] = field(default_factory=dict)
    _institution_skeleton: str | None = None

    def term_hits(self, name: str, views: FieldViews) -> list[TermHit]:
        hits = self._term_hits.get(name)
        if hits is None:
            hits = find_term_hits(self.snapshot, views, name, self.request.account_type)
            self._term_hits[name] = hits
        return hits

    @property
    def institution_skeleton(self) -> str:
        """Skeleton of the verified registered name ('' if none), for exemptions."""
        if self._institution_skeleton is None:
            inst = self.request.verified.institution if self.request.verified else None
            self._institution_skeleton = self.snapshot.normalizer.folder.fold_text(inst.name) if inst else ""
        return self._institution_skeleton

    def exempt(self, rule: CompiledRule[AnyRule], *forms: str, head: str = "") -> bool:
        """A verified institution may use a term its registered name contains (外交部 named 外交部), or, for a
        compose rule with exempt_match: head, a chain whose first part it contains (京东 named 京东客服)."""
        inst = self.request.verified.institution if self.request.verified else None
        if inst is None:
            return False
        kinds = rule.rule.exempt_kinds
        if kinds is not None and inst.kind not in kinds:
            return False
        if rule.rule.exempt_match == "kind":
            return True
        if rule.rule.exempt_match == "head":
            forms = (head,)
        name = self.institution_skeleton
        fold = self.snapshot.normalizer.folder.fold_text
        return any(f and fold(f) in name for f in forms)


Check = Callable[[CheckContext], list[RawFinding]]
