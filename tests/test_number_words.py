"""Numbers spelt out in English or pinyin words, alone or mixed with digits and look-alikes, or heard in Chinese
characters, read as digits in the contact view (normalize/number_words.py), while ordinary words that are also
number words stay words."""

from __future__ import annotations

import pytest

from acctcheck.contract import ValidateRequest
from acctcheck.engine import validate
from acctcheck.normalize.chars import Flag
from acctcheck.normalize.normalizer import default_normalizer
from acctcheck.normalize.number_words import read_heard_digits, read_number_words
from acctcheck.packs.snapshot import Snapshot


@pytest.mark.parametrize(("text", "digits"), [
    ("yi qi er si jiu liu ling si er qi ling", "17249604270"),
    ("7 two 2 four 5 nine two three 7 zero", "7224592370"),
    ("13lingqi3babayi583", "13073881583"),
    ("l s san 8 four ȣ yi 2 з si eight", "15384812348"),
    ("yi guai san dong dong liang guai liu gou guai dong", "17300276970"),  # radio speech typed in pinyin
])
def test_spelt_out_numbers_read_as_digits(text: str, digits: str) -> None:
    read, origin = read_number_words(text)
    assert read == digits and origin is not None and len(origin) == len(read)


@pytest.mark.parametrize("text", ["someone told me", "one two three", "i love you baby", "wu yi ba er jiu",
                                  "bigbag2020", "tonight at nine", "qingdao",
                                  "dongdong liangliang gougou"])
def test_words_stay_words(text: str) -> None:
    assert read_number_words(text) == (text, None)


def test_the_view_maps_each_digit_back_to_its_word() -> None:
    value = "薇 yi qi er si jiu liu ling si er qi ling"
    view = default_normalizer().views(value).contact
    at = view.text.index("17249604270")
    assert value[slice(*view.span(at, at + 1))] == "yi"
    assert view.flags[at] & Flag.NUMBER
    assert value[slice(*view.span(at, at + 11))] == value[2:]


@pytest.mark.parametrize("fields", [
    {"nickname": "七七收藏交流", "bio": "yi qi er si jiu liu ling si er qi ling（热线）"},
    {"nickname": "阿杰代购", "bio": "接单找我🐧号7 two 2 four 5 nine two three 7 zero"},
    {"nickname": "花花", "bio": "联系 l s san 8 four ȣ yi 2 з si eight"},
])
def test_a_number_in_words_after_a_cue_is_contact(snapshot: Snapshot, fields: dict[str, str]) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": fields}))
    assert any(f.category == "contact_smuggling" for f in v.findings), v.findings


@pytest.mark.parametrize(("text", "digits"), [
    ("衣巴尔溜儿衣溜伞寺衣遛", "18262163416"),
    ("吧铃漆1舞妻丝巴", "80715748"),  # 幺 is folded to 1 before (chars.py)
    ("酒-久-舞 8 3 3 吧", "9-9-5 8 3 3 8"),
])
def test_digits_heard_in_characters_read_one_for_one(text: str, digits: str) -> None:
    read, at = read_heard_digits(text)
    assert read == digits and len(read) == len(text) and at


@pytest.mark.parametrize("text", ["巴山夜雨涨秋池", "久思吾儿山", "柳丝舞午", "儿女情长，衣锦还乡", "2024年 吧 酒"])
def test_poems_and_short_runs_stay_words(text: str) -> None:
    assert read_heard_digits(text) == (text, [])


@pytest.mark.parametrize("fields", [
    {"nickname": "木子李｜薇同号衣巴尔溜儿衣溜伞寺衣遛"},
    {"nickname": "小王", "bio": "烘焙工作室 定制蛋糕 | 企鹅：丝遛吧寺舞溜幺妻"},
])
def test_a_number_heard_in_characters_is_contact(snapshot: Snapshot, fields: dict[str, str]) -> None:
    v = validate(snapshot, ValidateRequest.model_validate({"fields": fields}))
    assert [f.method for f in v.findings if f.category == "contact_smuggling"] == ["number_style"], v.findings
