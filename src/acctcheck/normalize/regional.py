"""Taiwan and Hong Kong wording of mainland words (发布 → 釋出, 信息 → 資訊, 网络 → 網路), as OpenCC's phrase-level
conversion (s2twp) writes them: a name converted to traditional that way is no longer the same characters, so
the character fold of the skeleton does not bring it back. Terms are indexed under their regional wording too
(packs/compiler.py); only same-length rewordings are kept, so offsets stay one to one."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

import opencc

from acctcheck.normalize.chars import CharFolder

# words of organ, media and platform names that s2twp rewords, besides the common-word list's
_NAME_WORDS = ("发布", "信息", "消息", "网络", "视频", "软件", "数据", "项目", "质量", "打印", "程序", "互联网",
               "信息化", "新闻发布", "短信", "短视频", "网络安全", "服务器", "硬件", "博客", "激光", "导弹", "航天飞机")


@dataclass(frozen=True, slots=True)
class RegionalWording:
    table: dict[str, str]  # mainland word -> its regional wording, folded as the skeleton folds
    pattern: re.Pattern[str] | None

    @classmethod
    def build(cls, folder: CharFolder, words: Iterable[str]) -> RegionalWording:
        convert = opencc.OpenCC("s2twp").convert
        table: dict[str, str] = {}
        for word in {*words, *_NAME_WORDS}:
            regional = folder.fold_text(convert(word))
            if regional != word and len(regional) == len(word):
                table[word] = regional
        alternation = "|".join(map(re.escape, sorted(table, key=len, reverse=True)))
        return cls(table, re.compile(alternation) if table else None)

    def variant(self, key: str) -> str | None:
        """`key` with every mainland word in it reworded, or None if it holds none."""
        if self.pattern is None or self.pattern.search(key) is None:
            return None
        out = self.pattern.sub(lambda m: self.table[m.group()], key)
        return out if out != key else None
