"""The public wire contract (pydantic v2). Importable without FastAPI: the engine, the CLI and the client
all speak these models, so there is one definition of what a request and a verdict are."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from acctcheck.categories import Category
from acctcheck.geo.region import IpRegion

AccountType = Literal["personal", "institution"]
InstitutionKind = Literal[
    "enterprise", "government", "public_institution", "social_organization", "news_media", "other"
]
Decision = Literal["pass", "review", "reject"]
Action = Literal["reject", "review", "inform"]
Method = Literal[
    "exact", "traditional", "lookalike", "separator", "number_style", "homophone", "pinyin",
    "pattern", "fuzzy", "qr_code",
]
TEXT_FIELDS: tuple[str, ...] = ("nickname", "bio", "signature", "certification")
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
    uscc: str | None = Field(default=None, max_length=32, description="统一社会信用代码")
    kind: InstitutionKind


class Verified(_Strict):
    """What the platform has already verified about the account holder."""

    professions: list[str] = Field(default_factory=list, max_length=32, description="已核验的职业代码")
    institution: VerifiedInstitution | None = None


class ValidateRequest(_Strict):
    account_type: AccountType = "personal"
    fields: AccountFields
    verified: Verified | None = None
    ip: str | None = Field(default=None, max_length=64, description="用户 IP，用于 IP 属地标签（第十二条）")

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


class Verdict(_Strict):
    decision: Decision
    findings: list[Finding]
    shadow_findings: list[Finding] = Field(default_factory=list, description="rules in shadow mode: never decide")
    labels: list[str] = Field(default_factory=list, description="qualification labels to show (第十一条)")
    ip_region: IpRegion | None = None
    rules_revision: str
    decision_id: str

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
