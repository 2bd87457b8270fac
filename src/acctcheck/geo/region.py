"""Wire-neutral result of an IP-region lookup (Article 12, IP属地)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

Scope = Literal["domestic", "hmt", "foreign", "reserved", "unknown"]
Precision = Literal["province", "country", "none"]
Source = Literal["domestic", "main", "embedded"]


class IpRegion(BaseModel):
    """The IP属地 label for one address and how it was derived.

    - ``label``: the text a platform shows (``广东``, ``中国``, ``中国香港``, ``美国``, ``未知``).
    - ``country_code``: ISO 3166-1 alpha-2 (``CN`` for the mainland, ``HK``/``MO``/``TW``), or None.
    - ``province``: short name of the provincial-level unit (``广东``, ``内蒙古``; ``香港`` for HK), or None.
    - ``scope``: ``domestic`` (mainland), ``hmt`` (Hong Kong, Macau, Taiwan), ``foreign``,
      ``reserved`` (non-global address, decided before any lookup), ``unknown`` (not in the data).
    - ``precision``: level of the label: ``province`` (provincial-level unit, incl. HK/MO/TW),
      ``country``, or ``none``.
    - ``source``: which layer answered (``domestic``, ``main``, ``embedded``); None when none did.
    - ``database``: build date (YYYY-MM-DD, UTC) of that layer's database; None when no layer answered.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    ip: str
    label: str
    country_code: str | None
    province: str | None
    scope: Scope
    precision: Precision
    source: str | None
    database: str | None
