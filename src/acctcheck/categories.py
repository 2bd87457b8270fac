"""The finding categories: the single list that docs, OpenAPI and pack validation read.

Each category names the article of 《互联网用户账号信息管理规定》 it rests on, so a finding can always be traced
back to the regulation.
"""

from __future__ import annotations

from enum import StrEnum


class Category(StrEnum):
    official_impersonation = "official_impersonation"
    state_impersonation = "state_impersonation"
    media_impersonation = "media_impersonation"
    place_name_misuse = "place_name_misuse"
    contact_smuggling = "contact_smuggling"
    misleading_claim = "misleading_claim"
    prohibited_content = "prohibited_content"
    strict_term = "strict_term"
    profession_unverified = "profession_unverified"
    institution_mismatch = "institution_mismatch"
    institution_scope = "institution_scope"
    deceptive_text = "deceptive_text"
    protected_name = "protected_name"
    closed_account_name = "closed_account_name"


#: category -> (article it enforces, one-line description). Shown in OpenAPI and the README.
CATEGORY_ARTICLES: dict[Category, tuple[str, str]] = {
    Category.official_impersonation: ("第八条第（二）项", "假冒、仿冒政党、党政军机关、企事业单位、人民团体和社会组织"),
    Category.state_impersonation: ("第八条第（三）项", "假冒、仿冒国家（地区）、国际组织"),
    Category.media_impersonation: ("第八条第（四）项", "假冒、仿冒新闻媒体，或擅自使用新闻属性名称"),
    Category.place_name_misuse: ("第八条第（五）项", "恶意关联行政区域、机构所在地、标志性建筑物"),
    Category.contact_smuggling: ("第八条第（六）项", "夹带二维码、网址、邮箱、联系方式"),
    Category.misleading_claim: ("第八条第（七）项", "名不副实、夸大其词"),
    Category.prohibited_content: ("第八条第（一）、（八）项", "违法和不良信息"),
    Category.strict_term: ("第十条第二款", "中国、中华、中央、全国、国家等需从严核验"),
    Category.profession_unverified: ("第七条、第十一条", "职业信息与认证不符或未认证"),
    Category.institution_mismatch: ("第七条", "机构账号名称与认证主体不一致"),
    Category.institution_scope: ("第七条", "机构账号名称与机构性质、行业不符"),
    Category.deceptive_text: ("第八条第（六）项", "使用相近的符号等隐藏或颠倒文字（如文字方向控制符）"),
    Category.protected_name: ("第八条第（二）项", "假冒、仿冒平台已认证的企业、机构、组织或公众人物账号名称"),
    Category.closed_account_name: ("第十条", "依法依约关闭的账号重新注册，或与其关联度高的账号名称"),
}


def describe_categories() -> str:
    """Markdown list of categories for OpenAPI descriptions."""
    return "\n".join(f"- `{c.value}`: {a} {d}" for c, (a, d) in CATEGORY_ARTICLES.items())
