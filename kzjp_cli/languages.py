"""The languages kzjp knows, one object each, and telling which one a text is in.

English, Russian, Kazakh and Japanese each have a ``Language``: its analysis
chain (how the index matches its words), how its words are counted, and what
sentence splitting needs (abbreviations, sentence-ending marks). Any other
language gets ``OTHER``'s behaviour under its own code: Unicode words,
lower-cased, no stemming. The rest of kzjp asks ``language(code)`` and never
tests for a code itself.

Detection (``detect``) counts scripts first: kana and kanji are Japanese;
Latin text full of English function words is English; Cyrillic with enough
words carrying a Kazakh-only letter (ә ғ қ ң ө ұ ү һ і) is Kazakh. What the
script cannot tell (short Kazakh without those letters, non-English Latin) goes
to py3langid, a langid.py model shipped inside its package, loaded only then.
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Any, NamedTuple

_COMMON_ABBREVIATIONS = "etc vs e.g i.e a.m p.m"


class Language(NamedTuple):
    """What kzjp does differently for one language."""

    code: str
    """ISO 639-1."""
    name: str
    chain: str
    """The analysis chain (``store.analysis``) and so the index fields its articles use."""
    abbreviations: frozenset[str]
    """Lower-case abbreviations a period does not end a sentence after (without the final period)."""
    spaced: bool = True
    """Whether words are separated by spaces (Japanese: no, so words are counted by the tokenizer)."""
    sumy: str | None = None
    """sumy's name for the language, where sumy has its stemmer or stop words."""
    stop_words: frozenset[str] = frozenset()
    """Words a summary or a topic never turns on (for English and Japanese: sumy's lists)."""


def _abbreviations(words: str) -> frozenset[str]:
    return frozenset((words + " " + _COMMON_ABBREVIATIONS).split())


_RUSSIAN_STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все всё она так его но да ты к у же вы за бы по только ее её мне было
    вот от меня еще ещё нет о об из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь уж вам
    ведь там потом себя ей может они тут где есть надо ней для мы тебя их чем была сам без чего раз тоже себе под
    будет ж тогда кто этот того потому этого какой ним здесь этом один почти мой тем чтобы нее неё сейчас были куда
    можно при два другой хоть после над больше тот через эти нас про всего них какая много три эту моя свою этой
    перед такой им более всегда между это также которые который которая которых которой котором которого этих
    года году год г гг т е д п к""".split()
)
_KAZAKH_STOP_WORDS = frozenset(
    """және мен бен пен да де та те ол бұл осы сол мұндай бір екі ма ме ба бе па пе ғана ғой туралы үшін дейін
    кейін бойынша арқылы сияқты секілді бірге арасында ретінде әрі не немесе бірақ алайда себебі өйткені егер
    онда мұнда сонда қазір енді тағы әлі барлық көп өте ең кім қандай қай неше қанша менің сенің оның біздің
    сіздің олардың біз сіз олар сен оған оны одан бар жоқ емес болды болып болады болған деп деді дейді жылы жыл
    ж т б""".split()
)

LANGUAGES: dict[str, Language] = {
    "en": Language("en", "English", "en", frozenset(), sumy="english"),  # sentences.ABBREVIATIONS is English's list
    "ru": Language(
        "ru",
        "Russian",
        "ru",
        _abbreviations(
            """г гг т.е т.д т.п т.к т.н др пр им ул пл пер просп д кв стр с см ср рис табл млн млрд трлн тыс руб
            долл коп ч мин сек кг км тов гр г-н г-жа проф акад доц чл.-корр н.э до н.э в вв напр"""
        ),
        sumy="russian",
        stop_words=_RUSSIAN_STOP_WORDS,
    ),
    "kk": Language(
        "kk",
        "Kazakh",
        "kk",
        _abbreviations("ж жж т.б т.с.с т.с б.з.б б.з млн млрд трлн мың теңге ш ауд обл көш үй пәт проф акад"),
        stop_words=_KAZAKH_STOP_WORDS,
    ),
    "ja": Language("ja", "Japanese", "ja", frozenset(), spaced=False, sumy="japanese"),
}
OTHER = Language("other", "other", "other", frozenset())
"""Any other language: Unicode words, lower-cased, no stemming."""

_NAMES = {
    "en": "en eng english англ английский ағылшын 英語",
    "ru": "ru rus russian русский русская орыс орысша ロシア語",
    "kk": "kk kaz kazakh kazak qazaq казахский қазақ қазақша 카자흐어 カザフ語",
    "ja": "ja jp jpn japanese японский жапон жапонша 日本語 にほんご",
}
_CODE_OF = {name.lower(): code for code, names in _NAMES.items() for name in names.split()}


def language(code: str | None) -> Language:
    """The language object for a code: English for None, ``OTHER`` for one kzjp has no special behaviour for."""
    return LANGUAGES.get(code or "en", OTHER)


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


def count_words(text: str, code: str | None) -> int:
    """How many words ``text`` has: space-separated ones, or for Japanese the tokenizer's words."""
    if language(code).spaced:
        return len(text.split())
    from kzjp_cli import japanese

    return len(japanese.words(text))


# --- detection -------------------------------------------------------------------------

KANA_KANJI = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff66-\uff9f]")
_CYRILLIC_WORD = re.compile(r"[\u0400-\u04ff]+")
_LATIN_WORD = re.compile(r"[A-Za-z\u00c0-\u024f]+")
_KAZAKH_LETTERS = frozenset("әғқңөұүһіӘҒҚҢӨҰҮҺІ")
_ENGLISH_WORDS = frozenset(
    """the of and to for on with by at from it was are be this has have its were will which or but not
    said also their been after who more than into about between other over that is""".split()
)
"""English words that are rarely words of the other Latin-script languages a news corpus holds (not "in", "a")."""
SAMPLE_CHARS = 3000
"""Detection reads the start of a text: enough for any article, cheap for long ones."""


def script_letters(text: str) -> dict[str, int]:
    """How many letters of ``text`` are in each script kzjp tells apart: latin, cyrillic, cjk (kana and kanji)."""
    return {
        "latin": sum(map(len, _LATIN_WORD.findall(text))),
        "cyrillic": sum(map(len, _CYRILLIC_WORD.findall(text))),
        "cjk": len(KANA_KANJI.findall(text)),
    }


def detect(text: str) -> str:
    """The ISO 639-1 code of the language ``text`` is mostly written in (``en`` when there is nothing to tell)."""
    sample = text[:SAMPLE_CHARS]
    letters = script_letters(sample)
    if letters["cjk"] and letters["cjk"] >= 0.2 * sum(letters.values()):
        return "ja"
    if letters["cyrillic"] > letters["latin"]:
        cyrillic = _CYRILLIC_WORD.findall(sample)
        kazakh = sum(1 for word in cyrillic if _KAZAKH_LETTERS.intersection(word))
        if kazakh >= 0.25 * len(cyrillic):
            return "kk"
        return _identify(sample, ["ru", "kk"])
    latin = _LATIN_WORD.findall(sample)
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
