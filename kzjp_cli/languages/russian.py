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
    dictionary_form=lambda words: nominative(words),
    not_topical=lambda word: not_topical(word),
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


_DECLINED = frozenset({"NOUN", "ADJF", "PRTF"})
_NOT_TOPICAL = frozenset({"VERB", "INFN", "GRND", "PRTS", "NPRO", "PREP", "CONJ", "PRCL", "INTJ", "PRED", "ADVB"})


def _named_first(parses: list) -> list:  # type: ignore[type-arg]
    return sorted(parses, key=lambda p: (not (_NAMES & p.tag.grammemes), "masc" not in p.tag))


def _recased(original: str, word: str) -> str:
    """``word`` written with ``original``'s capitals, part by part (Нью-Йорке -> Нью-Йорк, ООН -> ООН)."""
    if original.isupper() and len(original) > 1:
        return word.upper()
    parts = word.split("-")
    for n, part in enumerate(original.split("-")[: len(parts)]):
        if part[:1].isupper():
            parts[n] = parts[n][:1].upper() + parts[n][1:]
    return "-".join(parts)


def _likely(word: str, share: float = 4) -> list:  # type: ignore[type-arg]
    """A word's declined readings at least ``1/share`` as likely as its likeliest, names first."""
    parses = _analyser().parse(word.lower().replace("ё", "е"))  # type: ignore[attr-defined]
    likely = [p for p in parses if p.score * share >= parses[0].score and p.tag.POS in _DECLINED and p.tag.case]
    return sorted(likely, key=lambda p: (not (_NAMES & p.tag.grammemes), -p.score))


def _head(parse: object) -> bool:
    """A common noun: it heads its phrase, and the words after it are its complement."""
    return parse.tag.POS == "NOUN" and not _NAMES & parse.tag.grammemes  # type: ignore[attr-defined]


_CASES = ("gent", "datv", "accs", "ablt", "loct")


def nominative(words: list[str]) -> list[str]:
    """A phrase in the nominative, as a dictionary or a headline names it: its leading adjectives and head noun
    (a person's every name) put in the nominative, in the head's gender and number, what follows the head left
    in its own case (Кубка Райдера -> Кубок Райдера, искусственного интеллекта -> искусственный интеллект,
    Западной Вирджинии -> Западная Вирджиния, Джеффа Флейка -> Джефф Флейк). A phrase whose first word reads
    likeliest as a nominative is kept, and so is one the dictionary can only guess at."""
    lead: list[tuple[str, list]] = []  # type: ignore[type-arg]
    for word in words:
        if not _CYRILLIC.fullmatch(word.lower().replace("-", "").replace("ё", "е")):
            break
        likely = _likely(word)
        lead.append((word, likely))
        if not likely or _head(likely[0]):
            break
    if not lead or not lead[0][1]:
        return list(words)
    first = lead[0][1][0]
    person = "Name" in first.tag
    if first.tag.case == "nomn" or not (first.is_known or person):
        return list(words)
    if len(words) == 1 and words[0][:1].isupper() and not _NAMES & first.tag.grammemes:
        return list(words)  # a name read as a common noun (Палу as пал): the dictionary does not know it
    # the likeliest case of the first word that every other word of the lead can be in (a guessed surname aside)
    every = sorted(_likely(lead[0][0], share=1000), key=lambda p: -p.score)
    cases = [c for c in dict.fromkeys(p.tag.case for p in every) if c in _CASES]
    fits = [c for c in cases if all(any(p.tag.case == c for p in likely) for _, likely in lead[1:] if not person)]
    if not fits:
        return list(words)
    case = fits[0]
    chosen = [next((p for p in likely if p.tag.case == case), None) for _, likely in lead]
    chosen[0] = chosen[0] or next(p for p in every if p.tag.case == case)
    head = next((p for p in reversed(chosen) if p is not None and p.tag.POS == "NOUN"), None)
    shown = list(words)
    old_end = new_end = ""
    for n, ((word, _), parse) in enumerate(zip(lead, chosen, strict=True)):
        if parse is None or (n and person and not parse.is_known):
            if person and old_end and word.lower().endswith(old_end) and len(word) > len(old_end) + 2:
                shown[n] = word[: len(word) - len(old_end)] + new_end  # an unknown surname: the first name's ending
            continue
        wanted = {"nomn", parse.tag.number or "sing"}
        if parse.tag.POS != "NOUN" and head is not None and head.tag.number != "plur" and head.tag.gender:
            wanted.add(head.tag.gender)
        made = parse.inflect(wanted) or parse.inflect({"nomn"})
        if made is None:
            return list(words)
        shown[n] = _recased(word, made.word if "ё" in word.lower() else made.word.replace("ё", "е"))
        if n == 0 and person:
            common = next(
                (i for i, (a, b) in enumerate(zip(word.lower(), made.word, strict=False)) if a != b), len(made.word)
            )
            old_end, new_end = word.lower()[common:], made.word[common:]
    return shown


def not_topical(word: str) -> bool:
    """Whether a lower-case word is a verb form, a pronoun or a function word by its likeliest reading (тех,
    пор in "с тех пор"; сообщили): such a word never stands in a topic."""
    if not _CYRILLIC.fullmatch(word):
        return False
    parses = _analyser().parse(word.replace("ё", "е"))  # type: ignore[attr-defined]
    best = parses[0].tag
    return best.POS in _NOT_TOPICAL or "Apro" in best or word in _FIXED_PHRASE_WORDS


_FIXED_PHRASE_WORDS = frozenset({"пор", "тех", "мере", "смысле", "образом", "случае", "время", "итоге", "счете"})


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
