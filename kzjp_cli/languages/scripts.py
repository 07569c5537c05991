"""Which script a text is written in: Latin, Cyrillic, or kana and kanji (the piece every language module shares)."""

from __future__ import annotations

import re

KANA_KANJI = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")


def script_letters(text: str) -> dict[str, int]:
    """How many letters of ``text`` are in each script kzjp tells apart: latin, cyrillic, cjk (kana and kanji)."""
    return {
        "latin": sum(map(len, LATIN_WORD.findall(text))),
        "cyrillic": sum(map(len, CYRILLIC_WORD.findall(text))),
        "cjk": len(KANA_KANJI.findall(text)),
    }


def script(text: str) -> str:
    """``latin``, ``cyrillic`` or ``cjk``: the script most of the letters of ``text`` are in (``latin`` if none)."""
    counts = script_letters(text)
    return max(counts, key=lambda name: counts[name])


def has_japanese(text: str) -> bool:
    """Whether ``text`` has any kana or kanji."""
    return KANA_KANJI.search(text) is not None
