"""Russian: the Snowball stems (PyStemmer, in C) of dictionary forms (pymorphy3), stop words, abbreviations and
topic word lists."""

from __future__ import annotations

import re
from functools import lru_cache

from kzjp_cli.languages.base import Language, TopicWords, abbreviations

STOP_WORDS = frozenset(
    """и в во не что он на я с со как а то все всё она так его но да ты к у же вы за бы по только ее её мне было
    вот от меня еще ещё нет о об из ему теперь когда даже ну ли если уже или ни быть был него до вас нибудь уж вам
    ведь там потом себя ей может они тут где есть надо ней для мы тебя их чем была сам без чего раз тоже себе под
    будет ж тогда кто этот того потому этого какой ним здесь этом один почти мой тем чтобы нее неё сейчас были куда
    можно при два другой хоть после над больше тот через эти нас про всего них какая много три эту моя свою этой
    перед такой им более всегда между это также которые который которая которых которой котором которого этих
    года году год г гг т е д п к""".split()
)

TOPICS = TopicWords(
    titles=frozenset(
        """президент вице-президент премьер-министр министр глава заместитель император императрица губернатор мэр
        аким председатель посол генеральный секретарь директор депутат сенатор спикер лидер господин госпожа""".split()
    ),
    generic=frozenset(
        """заявил заявила отметил отметила сообщил сообщила сказал сказала подчеркнул подчеркнула также кроме
        новый новые новых году года годах время ранее сегодня вчера январь февраль март апрель май июнь июль август
        сентябрь октябрь ноябрь декабрь января февраля марта апреля мая июня июля августа сентября октября ноября
        декабря понедельник вторник среда четверг пятница суббота воскресенье стороны страны страна""".split()
    ),
    conjunction="и",
    # adjectives, and verbs in the past or present tense
    modifier=r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ых|их|ую|юю|ли|ла|ло|ет|ит|ют|ят|ся)$",
)


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer

    return Stemmer.Stemmer("russian").stemWord


_NAMES = frozenset({"Surn", "Name", "Patr", "Geox", "Orgn"})
_CYRILLIC = re.compile(r"[а-яё]+")


@lru_cache(maxsize=1)
def _analyser() -> object:
    import pymorphy3

    return pymorphy3.MorphAnalyzer(lang="ru")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """One lower-case Russian word's index key: the Snowball stem of its dictionary form (its lemma, by
    pymorphy3's OpenCorpora dictionary), so every case of a noun finds every other, fleeting vowels
    included (рынка, рынков: рынок); an indeclinable word (Токио) is itself, not a stem (ток); a word the
    dictionary lacks is Snowball-stemmed as it stands.

    Snowball alone stemmed Астана to астан but Астане to астане; lemmas alone split one name's cases
    between guesses (Астану: астан or астана); the stem of the lemma joins them."""
    word = word.replace("ё", "е")
    if not word.isalpha() or not _CYRILLIC.fullmatch(word):  # a number, a Latin word: no dictionary to ask
        return _stemmer()(word)  # type: ignore[operator]
    parses = _analyser().parse(word)  # type: ignore[attr-defined]
    # names first, known or guessed (Токаев is not in the dictionary), a man's before a woman's
    likely = [p for p in parses if p.score >= parses[0].score / 4]  # порту is rarely Porto
    named = sorted((p for p in likely if _NAMES & p.tag.grammemes), key=lambda p: ("masc" not in p.tag, not p.is_known))
    parsed = named[0] if named else parses[0]
    if not parsed.is_known and not named:
        return _stemmer()(word)  # type: ignore[operator]
    if "Fixd" in parsed.tag:
        return str(parsed.normal_form)
    return _stemmer()(parsed.normal_form)  # type: ignore[operator]


RUSSIAN = Language(
    "ru",
    "Russian",
    "ru",
    "cyrillic",
    stem=stem,
    abbreviations=abbreviations(
        """г гг т.е т.д т.п т.к т.н др пр им ул пл пер просп д кв стр с см ср рис табл млн млрд трлн тыс руб
        долл коп ч мин сек кг км тов гр г-н г-жа проф акад доц чл.-корр н.э до н.э в вв напр св
        янв фев февр мар апр авг сен сент окт ноя нояб дек"""
    ),
    sumy="russian",
    own_stop_words=STOP_WORDS,
    topics=TOPICS,
)
