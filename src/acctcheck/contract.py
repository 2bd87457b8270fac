"""The public wire contract (pydantic v2). Importable without FastAPI: the engine, the CLI and the client
all speak these models, so there is one definition of what a request and a verdict are."""

from __future__ import annotations

from typing import Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, field_validator

from acctcheck.categories import Category
from acctcheck.geo.region import IpRegion

AccountType = Literal["personal", "institution"]
InstitutionKind = Literal[
    "enterprise", "government", "public_institution", "social_organization", "news_media", "other"
]
Decision = Literal["pass", "review", "reject"]
Action = Literal["reject", "review", "inform"]
ACTION_RANK: dict[Action, int] = {"inform": 0, "review": 1, "reject": 2}  # a cap or a floor compares by this
Method = Literal[
    "exact", "traditional", "lookalike", "separator", "number_style", "homophone", "pinyin",
    "pattern", "fuzzy", "qr_code", "bidi", "characters",
]
USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: no I, O, S, V, Z
USCC_PATTERN = "^[0-9A-HJ-NPQRTUWXYa-hj-npqrtuwxy]{18}$"  # for the schema; the check character is checked too
TEXT_FIELDS: tuple[str, ...] = ("nickname", "bio", "signature", "certification")
# `ip` is a string the service parses itself (an invalid one is a located 422 `invalid_ip`); the schema says
# which strings are valid so generated clients and schemathesis send addresses, not arbitrary text.
IP_SCHEMA: dict[str, Any] = {"anyOf": [{"type": "string", "format": "ipv4"}, {"type": "string", "format": "ipv6"}]}
FieldName = Literal["nickname", "bio", "signature", "certification", "avatar", "cover", "verified"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AccountFields(_Strict):
    """The account-information fields of Article 23 that are text."""

    nickname: str = Field(description="账号名称 (required)")
    bio: str | None = Field(default=None, description="简介")
    signature: str | None = Field(default=None, description="签名")
    certification: str | None = Field(default=None, description="认证信息")

    def items(self) -> list[tuple[str, str]]:
        """(field name, value) for every field that is present and non-empty, in contract order."""
        out: list[tuple[str, str]] = []
        for name in TEXT_FIELDS:
            value = getattr(self, name)
            if value:
                out.append((name, value))
        return out


class VerifiedInstitution(_Strict):
    name: str = Field(min_length=1, max_length=256, description="营业执照/登记证书上的主体名称")
    uscc: str | None = Field(
        default=None, max_length=32, json_schema_extra={"pattern": USCC_PATTERN},
        description="统一社会信用代码 (GB 32100, 18 characters): a wrong check character is a 422, not a finding",
    )
    kind: InstitutionKind

    @field_validator("uscc")
    @classmethod
    def _uscc(cls, v: str | None) -> str | None:
        """The platform vouches for this code, so a malformed one is a caller error (bad data upstream), not
        something to judge the account by. Own format check: python-stdnum's refuses codes starting with a
        letter (e.g. 管理机关 codes A/N/Y), its check-digit arithmetic is reused."""
        if v is None:
            return None
        from stdnum.cn.uscc import calc_check_digit

        code = v.strip().upper()
        if len(code) != 18 or any(c not in USCC_CHARSET for c in code):
            raise ValueError(f"统一社会信用代码 must be 18 characters of {USCC_CHARSET}")
        expected = calc_check_digit(code[:17])
        if code[17] != expected:
            raise ValueError(f"统一社会信用代码 check character is {code[17]!r}, GB 32100 gives {expected!r}")
        return code


class Verified(_Strict):
    """What the platform has already verified about the account holder."""

    professions: list[str] = Field(default_factory=list, max_length=32, description="已核验的职业代码")
    institution: VerifiedInstitution | None = None


class AccountImages(_Strict):
    """Account images (头像、封面), base64 JPEG/PNG/WebP/GIF (APNG and animations included): checked for smuggled
    QR codes and barcodes on every frame."""

    avatar: str | None = Field(default=None, description="头像, base64 of a JPEG, PNG, WebP or GIF (every frame of "
                               "an animation is scanned)", json_schema_extra={"contentEncoding": "base64"})
    cover: str | None = Field(default=None, description="封面, base64 of a JPEG, PNG, WebP or GIF (every frame of "
                              "an animation is scanned)", json_schema_extra={"contentEncoding": "base64"})

    def items(self) -> list[tuple[str, str]]:
        """(field name, base64) for every image that is present and non-empty."""
        return [(name, value) for name in ("avatar", "cover") if (value := getattr(self, name))]


class ValidateRequest(_Strict):
    account_type: AccountType = "personal"
    fields: AccountFields
    verified: Verified | None = None
    ip: str | None = Field(default=None, max_length=64, description="用户 IP，用于 IP 属地标签（第十二条）; empty or "
                           "null: no label",
                           json_schema_extra={"anyOf": [*IP_SCHEMA["anyOf"], {"type": "string", "maxLength": 0},
                                                        {"type": "null"}]})
    images: AccountImages | None = Field(default=None, description="头像/封面 images, checked for QR codes")
    account_id: str | None = Field(
        default=None, min_length=1, max_length=128,
        description="the platform's opaque id of the account (账号标识). A registry entry (protected or closed "
        "account names) carrying this id is the account's own name and raises no finding",
    )

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {"account_type": "personal", "fields": {"nickname": "外交部官方", "bio": "vx: abc_12345"}},
                {
                    "account_type": "institution",
                    "fields": {"nickname": "外交部"},
                    "verified": {"institution": {"name": "外交部", "kind": "government"}},
                },
            ]
        },
    )


class Finding(_Strict):
    category: Category
    rule_id: str
    pack: str
    field: str
    span: tuple[int, int] | None = Field(description="[start, end) in the original field value (Python str indices)")
    text: str = Field(description="exactly value[start:end]: what the user typed")
    matched: str = Field(description="the canonical term or detector the text was matched to")
    method: Method = Field(description="how the text was seen through: exact, traditional, lookalike, …")
    article: str
    action: Action
    message: str
    box: tuple[int, int, int, int] | None = Field(
        default=None, description="image findings (avatar/cover): [x, y, w, h] of the code in pixels; span is null"
    )


class Verdict(_Strict):
    decision: Decision
    findings: list[Finding]
    shadow_findings: list[Finding] = Field(default_factory=list, description="rules in shadow mode: never decide")
    labels: list[str] = Field(default_factory=list, description="qualification labels to show (第十一条)")
    ip_region: IpRegion | None = None
    rules_revision: str
    decision_id: str
    degraded: bool = Field(default=False, description="set only by the client when acctcheck was unreachable "
                           "and it applied on_unavailable; the server always sends false")

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        json_schema_extra={
            "examples": [
                {
                    "decision": "reject",
                    "findings": [
                        {
                            "category": "official_impersonation", "rule_id": "state-council", "pack": "official-bodies",
                            "field": "nickname", "span": [0, 3], "text": "外交部", "matched": "外交部",
                            "method": "exact", "article": "第八条第（二）项", "action": "reject",
                            "message": "名称仿冒党政军机关：外交部",
                        }
                    ],
                    "shadow_findings": [], "labels": [], "ip_region": None,
                    "rules_revision": "sha256:9f2c…", "decision_id": "01JD…",
                }
            ]
        },
    )


class ErrorDetail(BaseModel):
    loc: list[str | int]
    msg: str
    type: str


class ErrorBody(BaseModel):
    """Every 4xx answer has this shape: a code, a human message and, for input errors, where."""

    error: str
    message: str
    details: list[ErrorDetail] = Field(default_factory=list)


class BatchRequest(_Strict):
    """POST /validate/batch. Each item is an object parsed on its own as a ValidateRequest: one that does not
    validate yields an error entry in the results, not a 422 for the batch (stored accounts are re-checked in
    bulk, and one bad record must not fail its neighbours). An item that is not an object is a 422."""

    items: list[dict[str, Any]] = Field(
        max_length=1000,
        description="up to max_batch_items (default 1000) objects, each a ValidateRequest (see that schema); the "
        "whole batch stays within max_batch_work (characters of text, each image counting batch_image_work)",
    )


class BatchItemError(BaseModel):
    """The result entry of an item that could not be evaluated, in the 422 ErrorBody shape."""

    error: ErrorBody


class BatchResponse(BaseModel):
    results: list[Verdict | BatchItemError] = Field(description="one entry per item, in request order")


_M = TypeVar("_M", bound=BaseModel)


def construct_trusted(cls: type[_M], values: dict[str, Any]) -> _M:
    """A model from values built out of already-validated parts, without validation. It sets the same four
    attributes `model_construct` sets, without its per-field default handling: ~0.7 µs instead of ~3.7 µs,
    on every request's path. Every field must be given."""
    assert values.keys() == cls.__pydantic_fields__.keys(), sorted(values.keys() ^ cls.__pydantic_fields__.keys())
    obj = object.__new__(cls)
    object.__setattr__(obj, "__dict__", values)
    object.__setattr__(obj, "__pydantic_fields_set__", set(values))
    object.__setattr__(obj, "__pydantic_extra__", None)
    object.__setattr__(obj, "__pydantic_private__", None)
    return obj
