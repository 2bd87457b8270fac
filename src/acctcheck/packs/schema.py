"""The rule-pack schema: strict pydantic models (unknown keys are errors), exported as JSON Schema.

The format is documented for operators in docs/rule-packs.md; this module is its single definition.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from typing import Annotated, Any, ClassVar, Literal, TypeVar, cast, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from acctcheck.categories import Category
from acctcheck.contract import AccountType, Action, InstitutionKind, Method, Verified
from acctcheck.match.word_finder import WordFinder

SCHEMA_VERSION = 1
RuleAction = Action  # the contract's actions: a rule may take any of them
TextField = Literal["nickname", "bio", "signature", "certification"]
ImageField = Literal["avatar", "cover"]
RULE_ID = r"^[a-z0-9][a-z0-9/_.-]*$"


T = TypeVar("T")


def _list_of(*values: T) -> Callable[[], list[T]]:
    """A list default, fresh per model (typed from the field, where a lambda's literals would widen to str)."""
    return lambda: list(values)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class _RuleBase(_Strict):
    id: str = Field(pattern=RULE_ID, max_length=120)
    category: Category
    article: str = Field(min_length=1)
    action: RuleAction
    message: str = Field(min_length=1, description="Chinese reviewer text; {matched} and {text} are substituted")
    mode: Literal["enforce", "shadow"] = "enforce"
    fields: Sequence[str]  # declared by each kind: the text fields, or avatar/cover (image_code)
    field_actions: dict[TextField, RuleAction] = Field(
        default_factory=dict,
        description="a different action in some fields (a name in the nickname rejects, in the bio it is reviewed)",
    )
    account_types: list[AccountType] = Field(default_factory=_list_of("personal", "institution"))
    exempt_kinds: list[InstitutionKind] | None = Field(
        default=None,
        description="verified institution kinds whose registered name may contain the term; null = any kind",
    )
    exempt_match: Literal["name", "kind", "head"] = Field(
        default="name",
        description="name: exempt only if the registered name contains the term; "
        "kind: any verified institution of exempt_kinds (e.g. news_media may use 新闻); "
        "head (compose rules): if the registered name contains the first part (京东 of 京东客服)",
    )
    description: str = ""

    # the categories a kind may report, where the kind fixes them (a profession rule reports
    # profession_unverified); empty: any
    CATEGORIES: ClassVar[tuple[Category, ...]] = ()

    @model_validator(mode="after")
    def _exempt_kind_needs_kinds(self) -> _RuleBase:
        if self.exempt_match == "kind" and not self.exempt_kinds:
            raise ValueError("exempt_match: kind needs a non-empty exempt_kinds list")
        stray = sorted(set(self.field_actions) - set(self.fields))
        if stray:
            raise ValueError(f"field_actions names fields the rule does not look at: {stray}")
        if self.CATEGORIES and self.category not in self.CATEGORIES:
            kind = str(getattr(self, "kind", "rule"))
            which = f"category {self.CATEGORIES[0].value}" if len(self.CATEGORIES) == 1 else \
                f"one of {[c.value for c in self.CATEGORIES]}"
            raise ValueError(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} rule reports {which}")
        return self

    @field_validator("message")
    @classmethod
    def _placeholders(cls, v: str) -> str:
        try:
            v.format(matched="", text="")
        except (KeyError, IndexError, ValueError) as exc:
            raise ValueError(f"only {{matched}} and {{text}} may be substituted: {exc}") from None
        return v


class _TextRule(_RuleBase):
    fields: list[TextField] = Field(default_factory=_list_of(*get_args(TextField)))


_WORD_ORDER = Field(default=False, description="also index word-order variants of names joined by 和/与/及 "
                   "(社会保障和人力资源局 for 人力资源和社会保障局); the organ-type endings kept in place are "
                   "policy.word_order_tails")


class _ListedRule(_TextRule):
    """A rule whose names are listed (`terms`, `terms_file`) and indexed in the term automata: terms,
    profession and institution_nature rules."""

    terms: list[str] = Field(default_factory=list)
    terms_file: str | None = None
    homophone: bool = False
    pinyin: bool = True
    pinyin_min_syllables: int = Field(default=0, ge=0, le=12, description="typed pinyin of this rule's names counts "
                                      "only from this many syllables (0: policy.pinyin_min_syllables): yangshi "
                                      "is an ordinary word, yangshixinwen is 央视新闻")
    pinyin_name_min_syllables: int = Field(default=0, ge=0, le=12, description="in a nickname that reads as "
                                           "a personal name typed in pinyin (policy.pinyin_name_syllables), this "
                                           "rule's names count only from this many syllables: wujing is 武警 and Wu "
                                           "Jing, zhongyang 中央 and 钟阳; in renminwujing or zhong央 they count")

    @model_validator(mode="after")
    def _has_terms(self) -> _ListedRule:
        if not self.terms and not self.terms_file:
            kind = str(getattr(self, "kind", "terms"))
            raise ValueError(f"{'an' if kind[0] in 'aeiou' else 'a'} {kind} rule needs `terms` or `terms_file`")
        return self


class TermsRule(_ListedRule):
    kind: Literal["terms"]
    word_order: bool = _WORD_ORDER
    initials: bool = Field(default=False, description="also match a name of policy.initials_min_syllables or more "
                           "Chinese syllables typed as its pinyin initials, as a whole Latin word (rmrb for 人民日报), "
                           "or half typed so (renminrb, rmribao, rm日报)")
    homophone_min_syllables: int = Field(default=0, ge=0, le=12, description="names heard alike count only from "
                                         "this many syllables (0: policy.homophone_min_syllables): a list of organ "
                                         "types' short words (公安局, 派出所) is heard in ordinary phrases, its long "
                                         "ones (海关缉私局) are not")


class ComposePart(_Strict):
    """A list of names given inline (`values`) or in a file (`file`): the parts of compose, frame and
    institution_name rules."""

    values: list[str] | None = None
    file: str | None = None

    @model_validator(mode="after")
    def _one_source(self) -> ComposePart:
        if (self.values is None) == (self.file is None):
            raise ValueError("a part has exactly one of `values` or `file`")
        return self


class ComposeRule(_TextRule):
    kind: Literal["compose"]
    parts: list[ComposePart] = Field(min_length=2, max_length=4)
    homophone: bool = False
    word_swaps: bool = Field(default=False, description="with homophone: the place written exactly and one "
                             "two-character word of the name heard with both characters swapped (广州攻岸 for "
                             "广州公安) still matches, past policy homophone_max_swaps. Only for rules whose first "
                             "part is an unambiguous place: an idiom can read as an ambiguous place and a swapped "
                             "word")
    pinyin: bool = True
    head_initials: bool = Field(default=False, description="also match the first part's names of two or more "
                                "Chinese characters typed as their pinyin initials, as a whole Latin word, before "
                                "the rest written out (hz公安, bj发布): reported as typed pinyin, at "
                                "policy.initials_certainty")
    tail_initials: bool = Field(default=False, description="also match the last part's names of two or more Chinese "
                                "characters typed as their pinyin initials, as the end of a Latin word, after the rest "
                                "written out (平安bj for 平安北京, 健康gd): as head_initials")
    initials: bool = Field(default=False, description="also match the whole name typed as the pinyin initials of "
                           "both parts, as one Latin word of five letters or more (mdjxf for 牡丹江消防, jygsylbzj "
                           "for 嘉峪关市医疗保障局), or the first part's initials before the second typed out "
                           "(xzribao for 西藏日报): reported as typed pinyin, at policy.initials_certainty. Two-part "
                           "rules only")
    word_order: bool = _WORD_ORDER


class FrameRule(_TextRule):
    """A name framed like an organ's: a head (a division's full name, 杭州市) and an organ-type ending (局,
    委员会, 管理中心) with only a few Han characters between them. It catches the organ names nobody listed,
    words swapped or reordered (杭州市健康卫生委员会, 宝鸡市公共安全局), that a cartesian compose rule cannot
    enumerate. The ending may not close an ordinary word (`unless`: 饭局, 餐厅)."""

    kind: Literal["frame"]
    head: ComposePart
    tail: ComposePart
    unless: ComposePart | None = Field(default=None, description="words ending where the tail ends that make it "
                                       "ordinary (饭局, 格局, 餐厅): a frame closed by one of them is no frame")
    min_gap: int = Field(default=1, ge=0, le=24, description="Han characters at least between head and tail")
    max_gap: int = Field(default=8, ge=0, le=24, description="Han characters at most between head and tail")
    gap_excludes: str = Field(default="的之", max_length=32,
                              description="characters that may not stand in the gap (杭州市最好吃的饭局)")
    tail_not_before: str = Field(default="", max_length=32, description="characters that may not follow the "
                                 "ending (长, 员: 美食局长 and 政协委员 name a person, not an organ)")
    homophone: bool = Field(default=False, description="also find the frame heard: a head or ending of two Han "
                            "characters or more written with one sound-alike character swapped (杭州市健康卫生委员惠, "
                            "空将兵特战团); reported as method homophone, with the look-alike edit limits")
    head_endings: str = Field(default="", max_length=64, description="if set, only full forms open a frame: "
                              "head names ending with one of these characters (市省县区州盟旗) that extend another "
                              "name of their line or stand alone (杭州市 and 延边州, not 杭州): a bare place name "
                              "is too common before an ending")

    @model_validator(mode="after")
    def _gap_order(self) -> FrameRule:
        if self.min_gap > self.max_gap:
            raise ValueError("min_gap is greater than max_gap")
        return self


class PatternRule(_TextRule):
    kind: Literal["pattern"]
    patterns: list[str] = Field(min_length=1)
    min_digits: int = Field(default=0, ge=0, le=64)
    max_digits: int = Field(default=64, ge=0, le=256)
    digit_stand_ins: str = Field(default="", max_length=64, description="letters of other scripts counted as digits "
                                 "for min_digits (з 3, б 6, ȣ 8): they stand for nothing else, so 7ЗZBSSg after a "
                                 "QQ cue has four digits, not one")
    min_letters: int = Field(default=0, ge=0, le=64, description="Latin letters the hit must hold (an ID "
                             "of letters and digits, not a number)")
    min_id_chars: int = Field(default=0, ge=0, le=64, description="letters, digits and _ the hit must hold, "
                              "whatever marks stand between them (an ID cut into pieces: e/n/j/4/5/a)")
    digit_boundary: bool = False
    not_after: list[str] = Field(default_factory=list, description="a hit straight after one of these words "
                                 "(separators between them ignored) is dropped: 手机用户1234567890 is a default name")
    not_whole: str = Field(default="", max_length=4096, description="an RE2 pattern (the pack's define fragments "
                           "allowed): a field whose whole contact view it matches is a name a platform generated "
                           "(王兵205827048, a real name and nine digits): no hit of this rule in that field counts")
    not_near: list[str] = Field(default_factory=list, max_length=256, description="a hit with one of these "
                                "words in the twelve characters before it, on its line, is dropped: they make the cue "
                                "before them a product (qq音乐 vlog2023, 微信读书 第3周), not an account")
    ordinary: list[str] = Field(default_factory=list, description="hits that are exactly one of these words (in "
                                "lower case, as the contact view is) are dropped: asp.net is a framework, not a site")
    styled_share: float = Field(default=0, ge=0, le=1, description="the share of the hit's digits that must have "
                                "been typed in a style (circled, full-width, superscript, Chinese or radio "
                                "numerals): nobody writes an ordinary number ①⑨⑥④⑤①④ or 四五三八三洞八, so such a "
                                "run needs no cue. 0: any digits")
    across_fields: bool = Field(default=False, description="run on the rule's fields joined in the order "
                                "nickname, bio, signature, certification, one line each (\\n between them), not on "
                                "each field alone: a number or an ID split between the name and the bio. The hit is "
                                "reported in the field where it starts")
    hit_on_line: str = Field(default="", max_length=4096, description="an RE2 pattern (the pack's define "
                             "fragments allowed). When set, `patterns` find a cue and the hits are what this "
                             "pattern finds anywhere on the cue's line, before or after it, whatever stands between "
                             "(嘉我 lichen88819 拿货, mltian7505 是我的微信号): a cue and an ID apart. It runs only on "
                             "a line where a cue was found, so a window of any width costs nothing elsewhere")
    han_cues: list[str] = Field(default_factory=list, max_length=16, description="words that let this detector "
                                "read a field holding no digit and no Latin letter (公众号：小林读书笔记); other "
                                "detectors skip such fields, as a hit needs one. The field is read when its text "
                                "holds one of these words as typed")


CodeFormat = Literal[
    "QRCode", "MicroQRCode", "RMQRCode", "Aztec", "DataMatrix", "PDF417", "MaxiCode",
    "EAN13", "EAN8", "UPCA", "UPCE", "Code128", "Code39", "Code93", "Codabar", "ITF", "DataBar",
]


class ImageCodeRule(_RuleBase):
    """A machine-readable code (QR, barcode) in an account image (Article 8(6)); its payload also goes through
    the text rules as if it were the `payload_as` field, so a WeChat ID or an official name inside is found."""

    kind: Literal["image_code"]
    fields: list[ImageField] = Field(default_factory=_list_of("avatar", "cover"))
    formats: list[CodeFormat] = Field(min_length=1, description="zxing-cpp format names this rule reports")
    payload_as: TextField = Field(
        default="bio", description="the text field whose rules a decoded payload is checked against"
    )


class CharactersRule(_TextRule):
    """Characters whose mere presence deceives (Article 8(6): 相近的符号): bidi controls that make reversed text
    display as a name or a contact line. Found in the text as typed, before any view drops them."""

    kind: Literal["characters"]
    characters: str = Field(min_length=1, description="every character reported; \\uXXXX escapes in YAML")


CODE = r"^[a-z][a-z0-9_]*$"


class ProfessionRule(_ListedRule):
    """Titles of one profession code (Articles 7 and 11). Indexed in the term automata like a terms rule; the
    professions check compares a hit's code with `verified.professions` instead of always reporting it."""

    kind: Literal["profession"]
    code: str = Field(pattern=CODE, max_length=64, description="profession code the platform verifies, e.g. physician")
    domain: str = Field(pattern=CODE, max_length=64, description="medical, legal, finance, education, …")
    regulated: bool = Field(default=False, description="an Article 11 field: a verified claim adds the domain label")
    satisfied_by: list[Annotated[str, Field(pattern=CODE)]] = Field(
        default_factory=list, description="other verified codes that also entitle to these titles (professor → 老师)"
    )
    account_types: list[AccountType] = Field(  # institutions are checked against their registered name instead
        default_factory=_list_of("personal")
    )
    CATEGORIES = (Category.profession_unverified,)


class InstitutionNamePart(ComposePart):
    """Words a registered name carries and an account name usually drops (or adds, for `decoration`)."""

    role: Literal["region", "legal_form", "branch", "industry", "decoration", "generic", "brand"] = Field(
        description="region: stripped from the front; legal_form, industry, decoration: stripped from the end; "
        "branch: stripped from the end with the region before it (北京分行); "
        "generic: nature words that are never a name on their own (大学, 银行): a region is kept before them; "
        "brand: `name|brand|brand…` lines: the brands of every institution whose registered name contains name"
    )


class InstitutionNameRule(_TextRule):
    """Account name vs verified registered name (Article 7): both reduced to their core, then scored with
    rapidfuzz. The word lists are called `parts` so the loader reads and fingerprints their files."""

    kind: Literal["institution_name"]
    fields: list[TextField] = Field(
        default_factory=_list_of("nickname")
    )
    account_types: list[AccountType] = Field(default_factory=_list_of("institution"))
    threshold: float = Field(default=80, ge=0, le=100, description="minimum similarity score (0-100) of the cores")
    kinds: list[InstitutionKind] = Field(
        default_factory=_list_of("enterprise", "public_institution", "social_organization", "other"),
        description="verified kinds whose account names are compared. Government bodies "
        "and news media name accounts after programmes and campaigns (上海发布, 湖南卫视, 平安北京) that no "
        "core of the registered name predicts; their names are still checked by every impersonation pack.",
    )
    min_core: int = Field(default=2, ge=1, le=16, description="stripping never leaves fewer characters than this")
    parts: list[InstitutionNamePart] = Field(min_length=1)
    CATEGORIES = (Category.institution_mismatch,)


class InstitutionNatureRule(_ListedRule):
    """Nature words (银行, 医院, 协会, 新闻…) an institution may only use if its verified kind is one of `kinds`
    or its registered name contains one of `registered_name_any` (Article 7: name fits nature and scope)."""

    kind: Literal["institution_nature"]
    fields: list[TextField] = Field(
        default_factory=_list_of("nickname", "certification")
    )
    account_types: list[AccountType] = Field(default_factory=_list_of("institution"))
    kinds: list[InstitutionKind] = Field(default_factory=list)
    registered_name_any: list[str] = Field(default_factory=list)
    pinyin: bool = False
    CATEGORIES = (Category.institution_scope,)

    @model_validator(mode="after")
    def _valid(self) -> InstitutionNatureRule:
        if not self.kinds and not self.registered_name_any:
            raise ValueError("an institution_nature rule needs `kinds` and/or `registered_name_any`")
        return self


REGISTRY_CATEGORIES = (Category.protected_name, Category.closed_account_name)


class RegistryRule(_TextRule):
    """A platform's own list of names (verified accounts to protect, closed accounts not to register again):
    a plain UTF-8 text file of millions of lines, `name` or `name<TAB>account_id`, `.gz` read as gzip. It is
    compiled once into a content-addressed artifact (acctcheck.registry) that every worker memory-maps.
    article, action and message default to policy.registry (filled in by the compiler)."""

    kind: Literal["registry"]
    file: str = Field(min_length=1, description="the names file, relative to the rules directory (.txt or .gz)")
    article: str = ""
    action: RuleAction = Field(default="reject", description="an exact hit (the whole name) after normalisation; "
                               "the name inside a longer one or with an association suffix: "
                               "policy.registry.related_action")
    message: str = ""
    fields: list[TextField] = Field(
        default_factory=_list_of("nickname"), description="account names by default: a bio may mention anyone")

    CATEGORIES = REGISTRY_CATEGORIES


AnyRule = (TermsRule | ComposeRule | FrameRule | PatternRule | ImageCodeRule | ProfessionRule | InstitutionNameRule
           | InstitutionNatureRule | CharactersRule | RegistryRule)
Rule = Annotated[AnyRule, Field(discriminator="kind")]
RULE_KINDS: frozenset[str] = frozenset(get_args(m.model_fields["kind"].annotation)[0] for m in get_args(AnyRule))


EXAMPLE_IMAGE_CHARS = 64 * 1024  # base64 characters: a pack example is a small image, not a photo


class Example(_Strict):
    """A case a pack must get right: `expect` lists categories that must be found, or `pass`."""

    fields: dict[TextField, str]
    account_type: AccountType = "personal"
    verified: Verified | None = None
    images: dict[Literal["avatar", "cover"], Annotated[str, Field(max_length=EXAMPLE_IMAGE_CHARS)]] = Field(
        default_factory=dict, description="base64 images scanned as in a request (image_code rules have examples)")
    expect: Literal["pass"] | list[Category]
    note: str = ""

    @field_validator("fields")
    @classmethod
    def _needs_nickname(cls, v: dict[str, str]) -> dict[str, str]:
        if "nickname" not in v:
            raise ValueError("an example needs a nickname")
        return v


DEFINE_NAME = "[A-Z][A-Z0-9_]*"  # {NAME} in a pattern: RE2's own braces hold digits ({2,5}), never a capital


class Pack(_Strict):
    schema_version: Literal[1]
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=64)
    version: str = Field(min_length=1, max_length=64)
    description: str = Field(min_length=1)
    allow: list[str] = Field(default_factory=list, description="allow-list: overlapping hits of this pack are dropped")
    allow_file: str | None = None
    define: dict[str, str] = Field(
        default_factory=dict, description="pattern fragments: {NAME} in a pattern rule of this pack stands for the "
        "fragment (one vocabulary of contact cues shared by the rules that read them). Names are upper case")
    rules: list[Rule] = Field(min_length=1)
    examples: list[Example] = Field(default_factory=list)

    @model_validator(mode="after")
    def _defined_names(self) -> Pack:
        bad = [k for k in self.define if not re.fullmatch(DEFINE_NAME, k)]
        if bad:
            raise ValueError(f"define: names are upper case letters, digits and _ (not {', '.join(bad)})")
        return self

    @model_validator(mode="after")
    def _unique_ids(self) -> Pack:
        seen: set[str] = set()
        for rule in self.rules:
            if rule.id in seen:
                raise ValueError(f"duplicate rule id {rule.id!r}")
            seen.add(rule.id)
        return self


class MentionPolicy(_Strict):
    """Free text (a bio, a signature) often names an organ or an outlet without claiming to be it: 每天读人民日报,
    湖南卫视忠实观众. A name hit there keeps its action only when a claim cue stands next to it or the name is the
    whole field; next to a mention cue it is lowered to `mention_action`; otherwise to `bare_action`."""

    fields: list[TextField] = Field(
        default_factory=_list_of("bio", "signature"))
    categories: list[Category] = Field(default_factory=list, description="categories this applies to")
    category_fields: dict[Category, list[TextField]] = Field(
        default_factory=dict, description="other fields for some categories (a title in a name: 护士的女儿)")
    window: int = Field(default=4, ge=1, le=16, description="characters either side of the name searched for cues")
    claim_cues: list[str] = Field(default_factory=list, description="官方, 官微, 本号 …: the name is claimed")
    source_cues: list[str] = Field(default_factory=list, description="获取权威信息, 权威发布 … anywhere in the field: "
                                   "the account offers itself as the source, so every name in it is claimed, a "
                                   "mention cue (关注X，获取权威信息) included")
    mention_before: list[str] = Field(default_factory=list, description="读, 关注, 粉丝 … before the name")
    mention_after: list[str] = Field(default_factory=list, description="观众, 读者 … after the name")
    list_joiners: str = Field(default="、，,和与及/ ", description="a name joined by only these characters to a "
                              "mentioned name is mentioned too (读报：人民日报、参考消息)")
    title_quotes: str = Field(default="《》", pattern=r"^(..)?$", description="opening and closing marks of a "
                              "work's title: a name inside one (看了三遍《警察荣誉》) is mentioned; empty: none")
    mention_action: RuleAction = "inform"
    bare_action: RuleAction = "review"
    claim_action: RuleAction = Field(default="reject", description="the least action of a name next to a claim "
                                     "cue (我是玉树州公安局官方账号), whatever the rule's action in that field")
    claim_fields: list[TextField] = Field(
        default_factory=list, description="fields (names) where only claim cues count: a name of `categories` next "
        "to one takes at least claim_action (杭州在线官方), a mention cue lowers nothing")

    def covers(self, category: str, field: str) -> bool:
        """Whether a hit of `category` in `field` is judged as mention or claim."""
        if category not in self.categories:
            return False
        by_name = cast(dict[str, list[TextField]], self.category_fields)  # StrEnum keys hash as their strings
        return field in by_name.get(category, self.fields)


class RegistryPolicy(_Strict):
    """How a hit on a registry name (kind: registry) is judged. The whole name equal to a listed name after
    normalisation takes the rule's action (reject by default); a listed name with an association suffix
    (备用, 小号, 2, official…), or inside a longer name, takes `related_action`."""

    association_suffixes: list[str] = Field(
        default_factory=lambda: ["备用", "备用号", "小号", "二号", "2号", "2", "官方", "official", "工作室",
                                 "新号", "回来了"],
        description="the whole name is a listed name followed by one of these (after normalisation, so 二号, "
        "2号 and ②号 are one suffix)")
    min_inner_chars: int = Field(default=3, ge=1, le=64, description="a listed name shorter than this (after "
                                 "normalisation) is reported only as the whole name or with a suffix, never "
                                 "inside a longer name (王伟 would be inside thousands of names)")
    related_action: RuleAction = "review"
    sound_min_syllables: int = Field(default=0, ge=0, le=16, description="if set, a whole name that sounds like a "
                                     "listed name of at least this many syllables (张三峰 for 张三丰, typed "
                                     "zhangsanfeng) is a hit too, at the homophone or pinyin certainty; 0: off")
    messages: dict[Category, str] = Field(
        default_factory=lambda: {
            Category.protected_name: "账号名称“{text}”与平台认证账号名称“{matched}”相同或近似，涉嫌假冒、仿冒",
            Category.closed_account_name: "账号名称“{text}”与已依法依约关闭的账号名称“{matched}”相同或关联度高",
        },
        description="default message of a registry rule that has none, per category")


def _default_certainty() -> dict[Method, float]:
    return {
        "exact": 1.0, "traditional": 1.0, "separator": 0.95, "number_style": 0.95, "lookalike": 0.9,
        "pinyin": 0.8, "homophone": 0.6, "pattern": 1.0, "fuzzy": 0.8, "qr_code": 1.0, "bidi": 1.0,
        "characters": 1.0,
    }


def _alternation(words: list[str]) -> re.Pattern[str] | None:
    """One pattern for "one of `words` occurs": a single C scan, compiled once when the policy is first used
    (a per-request `any(w in text for w in words)` cost several µs for forty words). A pattern, not a
    function, so that a snapshot holding the policy still pickles."""
    return re.compile("|".join(map(re.escape, sorted(words, key=len, reverse=True)))) if words else None


class FieldNamesPolicy(_Strict):
    """A bio or signature that holds nothing but a name (湘西头条, 沈阳市消防救援支队) presents the account as that
    body, as a nickname would: its hits take the rule's own action, not the gentler `field_actions` that free
    text gets (寿光公安提醒大家… informs)."""

    fields: list[TextField] = Field(default_factory=_list_of("bio", "signature"))
    categories: list[Category] = Field(default_factory=list, description="the categories of names (organs, "
                                       "outlets, places): a bio that is only 中国人 uses a strict word, not a name")
    slack: int = Field(default=2, ge=0, le=16, description="letters or Han characters the field may hold "
                       "besides the name (punctuation, spaces and emoji are not counted)")
    one_edit_max_chars: int = Field(default=16, ge=0, le=64, description="a bio or signature this short (in "
                                    "skeleton characters) may be a name: it is searched for one-edit spellings "
                                    "(look-alikes) as names are; longer free text is not (the search costs more)")


class NameSlotsPolicy(_Strict):
    """A bio or signature that introduces the account by name (欢迎关注X, 我们是X, 本号为X唯一官方账号, 由X主办, 来自X,
    a signature's —— X) holds that name as a nickname does. The free-text rules know listed names only; the
    stretch between such a cue and the end of its clause is also read with the nickname's rules (outlet and organ
    shapes, frames, one-edit spellings), so a fabricated body introduced there (欢迎关注国际生态文明协会, 来自台江晚报)
    is judged as it would be as the account's name."""

    fields: list[TextField] = Field(default_factory=_list_of("bio", "signature"))
    categories: list[Category] = Field(default_factory=list, description="categories of the names read there "
                                       "(organs, outlets, states): not strict words (来自中国 names no body)")
    before: list[str] = Field(default_factory=list, description="cues a name follows: 欢迎关注, 我们是, 本号为, 来自 …")
    after: list[str] = Field(default_factory=list, description="cues a name precedes: 官方, 主办, 唯一官方 …")
    breaks: str = Field(default="，。！？；、,!?;\n|", description="characters that end a clause, and so a name")
    max_chars: int = Field(default=24, ge=2, le=64, description="the longest stretch read as a name")

    @functools.cached_property
    def _cues(self) -> WordFinder:
        return WordFinder([*self.before, *self.after])

    @functools.cached_property
    def _opening(self) -> frozenset[int]:
        """Indices in _cues.words of the `before` cues."""
        before = set(self.before)
        return frozenset(i for i, w in enumerate(self._cues.words) if w in before)

    def slots(self, value: str) -> list[tuple[int, int]]:
        """The (start, end) stretches of `value` that a cue presents as a name, in order, without repeats."""
        found_cues = self._cues.find(value)
        if not found_cues:
            return []
        opening = self._opening
        marks = [(s, e, i in opening) for s, e, i in found_cues]
        found: list[tuple[int, int]] = []
        last_end = 0  # end of the last cue: a name before an after-cue starts no earlier
        for i, (cs, ce, opens) in enumerate(marks):
            if opens:
                s = ce
                while s < len(value) and value[s] in _OPENERS:
                    s += 1
                e = s
                limit = min(len(value), s + self.max_chars, marks[i + 1][0] if i + 1 < len(marks) else len(value))
                while e < limit and value[e] not in self.breaks:
                    e += 1
            else:
                e = cs
                s = max(last_end, e - self.max_chars)
                for j in range(e - 1, s - 1, -1):
                    if value[j] in self.breaks:
                        s = j + 1
                        break
            last_end = ce
            if e - s >= 2 and (s, e) not in found:
                found.append((s, e))
        return found


_OPENERS = frozenset(" \u3000:：\"“「『【[（(—-－~·")


class EverydayNamesPolicy(_Strict):
    """A name plainly about the person's own life (a diary, a pet, a child, a joke about oneself) uses a news
    word, 官方 or 全国第一 as an everyday word: 我的减肥日报, 猫咪日报今天也很可爱, 官方吐槽小王. With one of `cues`
    anywhere in the field, hits of `rules` (generic words that name no outlet, organ or place) are lowered to
    `action`. Listed outlets, organ names and place-shaped outlets are other rules and keep their actions."""

    fields: list[TextField] = Field(default_factory=_list_of("nickname"))
    rules: list[str] = Field(default_factory=list, description="rule ids (as in findings: news-words, claims/official)")
    cues: list[str] = Field(default_factory=list, description="我的, 我家, 打卡, 猫咪, 吐槽 …")
    whole_rules: list[str] = Field(default_factory=list, description="rule ids whose hit that is the whole field "
                                   "is an idiom used as a name (无与伦比, 立竿见影), not a claim about a product")
    action: RuleAction = "inform"

    @functools.cached_property
    def _cues(self) -> re.Pattern[str] | None:
        return _alternation(self.cues)

    def cued(self, value: str) -> bool:
        return self._cues is not None and self._cues.search(value) is not None

    def cap(self, field: str, rule_id: str, value: str, span: tuple[int, int] = (0, 0)) -> RuleAction | None:
        if field not in self.fields:
            return None
        if rule_id in self.rules and self.cued(value):
            return self.action
        if rule_id in self.whole_rules and not value[:span[0]].strip() and not value[span[1]:].strip():
            return self.action
        return None


class ProfessionServicePolicy(_Strict):
    """A title in the account information is a claim the platform verifies (Article 7), and the regulated
    domains' content producers need their qualification shown (Article 11). An unverified account whose
    information offers the profession's service (咨询, 问诊, 普法 … in any field) keeps the rules' action; one that
    only names its job (律师小王的日常, 数学老师张姐, 儿科医生，下班后是两个娃的妈) gets `uncued_action`: the platform
    sees the title and asks for the credential before it shows a domain label, and nobody is held for review."""

    service_cues: list[str] = Field(default_factory=list, description="咨询, 问诊, 答疑 … anywhere in the fields")
    uncued_action: RuleAction = "inform"
    speaking: list[str] = Field(default_factory=list, description="verbs straight after a title that make the name "
                                "a content account (李医生说健康, 王老师讲数学): the title keeps its action")
    fields: list[TextField] = Field(default_factory=_list_of("nickname", "bio", "signature"),
                                    description="fields where a named job informs (the certification text, which "
                                    "the platform verifies, is not one)")
    ranked: list[str] = Field(default_factory=list, description="rank words (主任, 执业, 特级 …): a title holding one "
                              "keeps its action in `ranked_fields` without a cue (王主任医师 claims a credential)")
    ranked_fields: list[TextField] = Field(default_factory=_list_of("nickname", "certification"))
    always_codes: list[str] = Field(default_factory=list, description="profession codes whose titles keep their "
                                    "action without a cue: a police officer's or a journalist's title is how "
                                    "impersonators of the police and the press name themselves (广州交警, 记者报)")

    @functools.cached_property
    def _service(self) -> re.Pattern[str] | None:
        return _alternation(self.service_cues)

    def offered(self, values: list[str]) -> bool:
        service = self._service
        return service is not None and any(service.search(v) for v in values)


class Policy(_Strict):
    """How findings become a decision. Kept in YAML (rules/policy.yaml) so platforms tune it without code."""

    schema_version: Literal[1] = 1
    method_certainty: dict[Method, float] = Field(default_factory=_default_certainty)
    reject_min_certainty: float = Field(default=0.85, ge=0, le=1)
    homophone_min_syllables: int = Field(default=3, ge=2, le=12)
    sound_reject_min_syllables: int = Field(
        default=4, ge=2, le=32, description="a homophone or typed-pinyin hit this long keeps a reject action"
    )
    pinyin_min_syllables: int = Field(default=2, ge=1, le=12)
    pinyin_name_syllables: int = Field(default=3, ge=0, le=12, description="a nickname typed wholly in pinyin "
                                       "(digits and marks aside) of at most this many syllables reads as a "
                                       "personal name (Wang Jing, zhongyang, Dong Mingwei): rule option "
                                       "pinyin_name_min_syllables applies in it")
    compose_homophone_min_syllables: int = Field(
        default=4, ge=2, le=32, description="a composed name (place × word) is matched by sound only from this "
        "many syllables: 兰陵王 ≈ 兰陵网 is a title, 杭州宫安 an evasion")
    initials_min_syllables: int = Field(default=4, ge=3, le=16, description="names shorter than this are never "
                                        "matched by their initials (rule option initials): rmrb is 人民日报, but three "
                                        "letters are some other word's too")
    initials_certainty: float = Field(default=0.6, ge=0, le=1, description="certainty of a name typed as its "
                                      "initials: below reject_min_certainty, a person decides (rmrb is 人民日报 to "
                                      "most readers, but it is four letters)")
    homophone_max_swaps: int = Field(
        default=1, ge=0, le=12, description="a composed name (place × organ word), or a term shorter than "
        "sound_reject_min_syllables, matched by sound may differ from the listed spelling in at most this many "
        "characters: 杭州宫安 (one swap) is an evasion, 引以为鉴 ≈ 烟台卫健 (three, through heteronyms) is an idiom")
    similar_shape_certainty: float = Field(
        default=0.9, ge=0, le=1,
        description="certainty of a term of similar_shape_min_chars or more spelt with one similar-shape or split "
        "character or one slipped-in letter (深圳市公安扃, 夕卜交部, 外a交部)",
    )
    similar_shape_min_chars: int = Field(
        default=4, ge=3, le=16, description="shorter terms spelt with one visual edit get short_similar_shape_certainty"
    )
    short_similar_shape_certainty: float = Field(default=0.7, ge=0, le=1)
    one_edit_fields: list[TextField] = Field(
        default_factory=_list_of("nickname", "certification"),
        description="fields searched for terms spelt with one visual edit: names are where impersonators use "
        "it; a bio costs several times a name to search this way",
    )
    near_sound_min_syllables: int = Field(
        default=0, ge=0, le=32, description="whole names this long are also heard with near sounds (z/zh, c/ch, "
        "s/sh, n/l, in/ing, en/eng, an/ang: 宁夏回族自治区人名政府) in the one_edit_fields, as weak evidence "
        "(short_similar_shape_certainty); 0: off")
    near_sound_syllables_per_swap: int = Field(
        default=5, ge=2, le=32, description="a near-sound spelling may differ from the listed name in one character "
        "per this many syllables")
    homophone_more_swaps_syllables: int = Field(
        default=99, ge=2, le=99, description="a place × organ name (compose rules with word_swaps) heard alike "
        "from this many syllables may differ in one character more than homophone_max_swaps (航州市宫安)")
    category_actions: dict[Category, RuleAction] = Field(default_factory=dict)
    mention: MentionPolicy | None = Field(default=None, description="names mentioned, not claimed, in free text")
    profession_service: ProfessionServicePolicy | None = Field(
        default=None, description="an unverified title informs unless the information offers the service")
    everyday_names: EverydayNamesPolicy | None = Field(
        default=None, description="generic words in a name about the person's own life (我的减肥日报)")
    field_names: FieldNamesPolicy | None = Field(
        default=None, description="a bio or signature that is only a name is judged as a name")
    name_slots: NameSlotsPolicy | None = Field(
        default=None, description="a name a bio introduces (欢迎关注X, 本号为X官方账号) is read as a name")
    sentence_breaks: str = Field(default="", description="in sentence_break_fields, a term hit whose span holds one "
                                 "of these characters spans two sentences and is dropped (乌鲁木齐人，大盘鸡)")
    sentence_break_fields: list[TextField] = Field(
        default_factory=list)
    word_order_joiners: str = Field(default="和与及", min_length=1,
                                    description="characters joining the two halves of a multi-part organ name")
    word_order_tails: list[str] = Field(
        default_factory=list, description="organ-type endings that stay at the end when the halves of a "
        "word_order rule's names are swapped (局, 委员会, 厅 …); longest first is tried")
    registry: RegistryPolicy = Field(default_factory=RegistryPolicy,
                                     description="registries of protected and closed account names")

    def heard_min_syllables(self, rule: object) -> int:
        """The fewest syllables a name of `rule` needs to match as heard: the policy's, or the rule's own if more
        (rule option homophone_min_syllables)."""
        return max(self.homophone_min_syllables, getattr(rule, "homophone_min_syllables", 0))


def pack_json_schema() -> dict[str, Any]:
    """JSON Schema for editors (acctcheck lint --schema)."""
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "acctcheck rule pack",
        **Pack.model_json_schema(),
    }
