"""The process-wide normaliser: character folding and pinyin tables, built once and shared by snapshots."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property

from acctcheck.normalize.chars import CharFolder, Kind
from acctcheck.normalize.pinyin import PinyinTable, pinyin_view
from acctcheck.normalize.shapes import ShapeTables
from acctcheck.normalize.skeleton import contact_view, skeleton_view
from acctcheck.normalize.view import View


class Normalizer:
    def __init__(self) -> None:
        self.folder = CharFolder()
        self.pinyin = PinyinTable.build()
        self.shapes = ShapeTables.load()

    def skeleton(self, value: str) -> View:
        return skeleton_view(self.folder, value)

    def han_form(self, value: str) -> str:
        """Folded text with Chinese numerals kept as characters: what pinyin keys are built from."""
        out: list[str] = []
        for ch in value:
            f = self.folder(ch)
            if f.kind == Kind.KEEP:
                out.append(f.han or f.out)
        return "".join(out)

    def views(self, value: str) -> "FieldViews":
        return FieldViews(self, value)


@dataclass
class FieldViews:
    """The views of one field value, each built on first use (a request with no pattern rules never
    builds the contact view)."""

    normalizer: Normalizer
    value: str
    _cache: dict[str, View] = field(default_factory=dict)

    @cached_property
    def skeleton(self) -> View:
        return skeleton_view(self.normalizer.folder, self.value)

    @cached_property
    def pinyin(self) -> View:
        return pinyin_view(self.normalizer.folder, self.normalizer.pinyin, self.skeleton)

    @cached_property
    def contact(self) -> View:
        return contact_view(self.normalizer.folder, self.value)


_DEFAULT: Normalizer | None = None


def default_normalizer() -> Normalizer:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Normalizer()
    return _DEFAULT
