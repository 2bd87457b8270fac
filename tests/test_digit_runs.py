"""Letters and radio words read as digits inside a number (normalize/skeleton.digit_runs): hotline and phone
evasions (杭州I2345, 12З45, 勾六幺幺洞), while words next to numbers keep their letters."""

from __future__ import annotations

import pytest

from acctcheck.normalize.chars import Flag
from acctcheck.normalize.normalizer import default_normalizer


@pytest.mark.parametrize(("value", "skeleton"), [
    ("杭州I2345", "杭州12345"),
    ("济南12ЗЧ5", "济南12345"),  # Cyrillic Ze and Che
    ("123б8", "12368"),
    ("南京lZ34S", "南京12345"),
    ("1Z3O9检察", "12309检察"),
    ("11О报警", "110报警"),  # Cyrillic O
    ("勾六幺幺洞", "96110"),  # radio speech: 勾 9, 洞 0 (幺 and 六 fold anyway)
    ("➀➀🄋", "110"),  # a dingbat zero with no digit property
    ("扣74A75118", "扣74475118"),  # the letters and signs spam accounts use: A 4, B 8, T 7, g 9, Ʒ 3, ȣ 8, ⁊ 7 …
    ("v信I7Ʒ58171903", "v信17358171903"),
    ("ȣZ40з34B8О", "8240334880"),
])
def test_number_runs_read_as_digits(value: str, skeleton: str) -> None:
    view = default_normalizer().skeleton(value)
    assert view.text == skeleton
    folded = [i for i, (a, b) in enumerate(zip(value, view.text, strict=False)) if a != b]
    assert all(view.flags[i] for i in folded)  # reported as a look-alike or number style, never exact


@pytest.mark.parametrize("value", ["kyl2345", "vip0809", "zoe1998", "qq12345", "iphone12", "o2o", "li2", "洞庭湖",
                                   "tb292000818", "gta520", "bigbag2020", "ab12345"])
def test_letters_of_words_stay_letters(value: str) -> None:
    assert default_normalizer().skeleton(value).text == value.lower()


def test_contact_view_reads_a_phone_number_written_with_letters() -> None:
    view = default_normalizer().views("电话 l52l5O9O6l4").contact
    assert "15215090614" in view.text
    assert view.flags[view.text.index("15215090614")] & Flag.LOOKALIKE


@pytest.mark.parametrize("value", ["张三 li12o 小明 ab", "小王lol12 hi", "电话 so1234 ok", "o2o1"])
def test_pinyin_view_reads_the_digits_too(value: str) -> None:
    """The pinyin view segments the Latin runs of the skeleton: a letter read as a digit is no syllable (this
    raised KeyError '0' once, when the view segmented the letters and then looked up the digit)."""
    views = default_normalizer().views(value)
    assert len(views.pinyin.text) >= 1


def test_contact_view_reads_strokes_and_signs_as_digits() -> None:
    """丨 and | stand for 1 where the contact view keeps them (the skeleton drops them as separators)."""
    assert "961820897" in default_normalizer().views("口口9б丨B2О89⁊").contact.text


@pytest.mark.parametrize(("value", "skeleton"), [
    ("手机ⅠⅢⅧⅡⅡⅠⅡⅣⅧⅦⅥ", "手机13822124876"),  # Roman numerals one to nine written for digits (NFKC spells Ⅷ VIII)
    ("qqⅸⅸⅰⅶⅷ", "qq99178"),
    ("ⅴx", "vx"),  # Ⅴ and ⅴ stay the letter v: ⅴx is a WeChat cue as often as a five
    ("西游记Ⅱ", "西游记2"),
])
def test_roman_numerals_are_digits(value: str, skeleton: str) -> None:
    view = default_normalizer().skeleton(value)
    assert view.text == skeleton
