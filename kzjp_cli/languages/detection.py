"""Telling which language a text is in, and reading a language's name.

Detection (``detect``) counts scripts first: kana and kanji are Japanese;
Latin text full of English function words is English; Cyrillic with enough
words carrying a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) is Kazakh. What the
script cannot tell (short Kazakh without those letters, non-English Latin) goes
to py3langid, a langid.py model shipped inside its package, loaded only then.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any

from kzjp_cli.languages.scripts import CYRILLIC_WORD, LATIN_WORD, script_letters

_NAMES = {
    "en": "en eng english англ английский ағылшын 英語",
    "ru": "ru rus russian русский русская орыс орысша ロシア語",
    "kk": "kk kaz kazakh kazak qazaq казахский қазақ қазақша 카자흐어 カザフ語",
    "ja": "ja jp jpn japanese японский жапон жапонша 日本語 にほんご",
}
_CODE_OF = {name.lower(): code for code, names in _NAMES.items() for name in names.split()}


def normalize(value: str | None) -> str | None:
    """A ``lang:`` value as an ISO 639-1 code: ``rus``, ``Russian``, ``Русский``, ``ru-RU`` all give ``ru``.

    An unknown language keeps its primary subtag lower-cased (``de-AT`` → ``de``); nothing gives None.
    """
    text = " ".join((value or "").split()).strip().lower()
    if not text:
        return None
    if text in _CODE_OF:
        return _CODE_OF[text]
    primary = re.split(r"[-_ ]", text, maxsplit=1)[0]
    return _CODE_OF.get(primary, primary)


_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_ENGLISH_WORDS = frozenset(
    """the of and to for on with by at from it was are be this has have its were will which or but not
    said also their been after who more than into about between other over that is""".split()
)
"""English words that are rarely words of the other Latin-script languages a news corpus holds (not "in", "a")."""
SAMPLE_CHARS = 3000
"""Detection reads the start of a text: enough for any article, cheap for long ones."""


def detect(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is mostly written in (``en`` when there is nothing to tell)."""
    sample = text[:SAMPLE_CHARS]
    letters = script_letters(sample)
    if letters["cjk"] and letters["cjk"] >= 0.2 * sum(letters.values()):
        return "ja"
    if letters["cyrillic"] > letters["latin"]:
        cyrillic = CYRILLIC_WORD.findall(sample)
        kazakh = sum(1 for word in cyrillic if _KAZAKH_LETTERS.intersection(word))
        if kazakh >= 0.25 * len(cyrillic):
            return "kk"
        return _identify(sample, ["ru", "kk"])
    latin = LATIN_WORD.findall(sample)
    if not latin:
        return "en"
    english = sum(1 for word in latin if word.lower() in _ENGLISH_WORDS)
    if english >= 0.1 * len(latin) or (len(latin) < 8 and all(word.isascii() for word in latin)):
        return "en"  # a short plain-ASCII headline is English far more often than anything langid guesses
    return _identify(sample, None)


@lru_cache(maxsize=4)
def _identifier(among: tuple[str, ...]) -> Any:
    from py3langid import langid

    identifier = langid.LanguageIdentifier.from_model_file(langid.MODEL_FILE)
    if among:
        identifier.set_languages(list(among))
    return identifier


def _identify(text: str, among: list[str] | None) -> str:
    """py3langid's answer, among the given languages (or all 97 it knows)."""
    return str(_identifier(tuple(among or ())).classify(text)[0])
