"""The process-wide normaliser: character folding and pinyin tables, built once and shared by snapshots."""

from __future__ import annotations

from acctcheck.normalize.bidi import CONTROLS, remap, visual_order
from acctcheck.normalize.chars import CharFolder, CharTable, Flag
from acctcheck.normalize.number_words import may_hold_heard_digits, may_hold_number_words
from acctcheck.normalize.pinyin import PinyinTable, pinyin_view
from acctcheck.normalize.regional import RegionalWording
from acctcheck.normalize.shapes import ShapeTables
from acctcheck.normalize.skeleton import BIDI, FILL, Woven, contact_view, woven_piece, woven_views
from acctcheck.normalize.view import View


class Normalizer:
    def __init__(self) -> None:
        self.folder = CharFolder()
        self.pinyin = PinyinTable.build()
        self.shapes = ShapeTables.load()
        self.regional = RegionalWording.build(self.folder, self.shapes.words)
        codes = self.pinyin.code_table
        # character -> its slots in every view (see skeleton.woven_views)
        self.view_table = CharTable(self.folder, lambda f: woven_piece(f, codes))
        for control in CONTROLS:  # invisible, and marked: a field holding one is read in display order
            self.view_table[ord(control)] = BIDI + FILL * 2

    def skeleton(self, value: str) -> View:
        """The skeleton of a term as written (bidi controls dropped like any invisible character)."""
        woven = woven_views(self.folder, self.view_table, value, display=True)
        assert woven is not None  # display=True never asks for display order
        return woven.skeleton

    def views(self, value: str) -> FieldViews:
        return FieldViews(self, value)


class FieldViews:
    """The views of one field value. The woven views (skeleton, codes, marked, the digit and letter tests) are
    read by every request and built at once, as plain attributes; the pinyin and contact views are built on first
    use (a request with no pattern rules never builds the contact view)."""

    __slots__ = ("normalizer", "value", "_woven", "_pinyin", "_pinyin_late", "_contact", "_heard", "_bidi",
                 "skeleton", "codes", "marked", "digits", "latin")

    skeleton: View
    codes: str  # per skeleton position, the syllable code of its Han character (skeleton.Woven.codes): the field as
    # heard, one code per character, so spans of it are spans of the skeleton
    marked: str  # the skeleton's text with FILL where separators or invisibles stood: word boundaries of Latin runs
    digits: bool  # the skeleton holds a digit (numbers in any style are read as digits there)
    latin: bool  # the skeleton holds a Latin letter (look-alikes of other scripts folded to Latin there): only such a
    # field can hold typed pinyin; a field without has the syllable codes as its pinyin view's text

    def __init__(self, normalizer: Normalizer, value: str) -> None:
        self.normalizer = normalizer
        self.value = value
        self._pinyin: View | None = None
        self._pinyin_late: View | None = None
        self._contact: View | None = None
        self._heard: bool | None = None  # digits_heard, once asked
        self._bidi: tuple[str, list[int], list[bool]] | None = None
        woven = woven_views(normalizer.folder, normalizer.view_table, value)
        if woven is None:  # a bidi control
            woven = self._weave_display_order()
        self._woven = woven
        self.skeleton, self.codes, self.marked, self.digits, self.latin = (
            woven.skeleton, woven.codes, woven.marked, woven.digits, woven.latin)

    def _weave_display_order(self) -> Woven:
        """Views of what users see when the field carries bidi controls (normalize/bidi.py), mapped back to
        what they typed; positions shown right to left carry Flag.BIDI (method `bidi`)."""
        n = self.normalizer
        self._bidi = visual_order(self.value)
        woven = woven_views(n.folder, n.view_table, self._bidi[0], display=True)
        assert woven is not None  # display=True never asks for display order
        return woven._replace(skeleton=self._typed_offsets(woven.skeleton))

    def _typed_offsets(self, inner: View) -> View:
        """A view built over the display string, its offsets mapped back to the typed value."""
        assert self._bidi is not None
        _, order, rtl = self._bidi
        return View(inner.name, self.value, inner.text, lambda: remap(inner._get(), order, rtl, Flag.BIDI),
                    reordered=True)

    @property
    def pinyin(self) -> View:
        if self._pinyin is None:
            self._pinyin = self._pinyin_view(late=False)
        return self._pinyin

    @property
    def pinyin_late(self) -> View:
        """The pinyin view with the other reading of ambiguous typed letters (PinyinTable._segment `late`: pingan
        as ping an, not pin gan); the same text as `pinyin` for most fields."""
        if self._pinyin_late is None:
            self._pinyin_late = self._pinyin_view(late=True)
        return self._pinyin_late

    def _pinyin_view(self, late: bool) -> View:
        woven = self._woven
        return pinyin_view(self.normalizer.pinyin, woven.skeleton, woven.codes, woven.marked, woven.latin, late)

    @property
    def contact_text(self) -> str:
        """The contact view's text without building the view when the field holds no digit and no number word
        next to another (then nothing in it is read as a number, so the text is the woven one): what the
        cross-field contact pass joins."""
        if self._contact is not None:
            return self._contact.text
        woven = self._woven
        return self.contact.text if woven.digits or may_hold_number_words(woven.contact) else woven.contact

    @property
    def digits_heard(self) -> bool:
        """A run of digits heard in Chinese characters (衣巴尔溜儿衣溜伞寺衣遛), which the contact view reads as a
        number though the field holds no digit (normalize/number_words.py). One regex search a field at most."""
        heard = self._heard
        if heard is None:
            heard = self._heard = may_hold_heard_digits(self._woven.contact)
        return heard

    def hear_no_digits(self) -> None:
        """The contact view of this field reads no digits heard in characters (checks/contact.py: only a field
        with a contact word may hold them; the search costs a charset test a character)."""
        if self._contact is None:
            self._heard = False

    @property
    def contact(self) -> View:
        view = self._contact
        if view is None:
            woven = self._woven
            if self._bidi is None:
                view = contact_view(self.normalizer.folder, self.value, woven.contact, woven.digits,
                                    self.digits_heard)
            else:
                view = self._typed_offsets(contact_view(self.normalizer.folder, self._bidi[0], woven.contact,
                                                         woven.digits, self.digits_heard))
            self._contact = view
        return view


_DEFAULT: Normalizer | None = None


def default_normalizer() -> Normalizer:
    global _DEFAULT
    if _DEFAULT is None:
        _DEFAULT = Normalizer()
    return _DEFAULT
