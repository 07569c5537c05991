"""Kazakh: a light stemmer (neither Snowball nor PyPI has one), stop words, abbreviations, topic word lists.

Kazakh builds a noun as stem + plural + possessive + case, each suffix in a
back-vowel (а о ұ ы) or front-vowel (ә е ө ү і) form and with a consonant that
follows the stem's last sound: Жапония-ға, Тоқаев-тың, порт-ы-ндағы,
келіссөз-дер, компания-лар-ы-н. ``stem`` takes at most one case suffix, then
one possessive, then one plural, longest match first, only where the suffix's
first sound fits the sound before it (``-ты`` after a voiceless consonant,
``-ды`` after a voiced one, ``-ның`` after a vowel or a nasal…) and only while
at least ``MIN_STEM`` letters are left. Names that merely end like a suffix
(Қасым, Алматы, Астана, -стан countries) are never cut, nor are their
inflected forms cut past them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kzjp_cli.languages.base import Language, TopicWords, abbreviations

MIN_STEM = 3

_CASE = """
ындағы індегі сындағы сіндегі дағы дегі тағы тегі
ының інің сының сінің ның нің дың дің тың тің
ынан інен сынан сінен нан нен дан ден тан тен
ында інде сында сінде да де та те
ына іне сына сіне ға ге қа ке
ымен імен сымен сімен менен бенен пенен мен бен пен
ын ін сын сін ны ні ды ді ты ті
""".split()
_POSSESSIVE = """ымыз іміз ыңыз іңіз мыз міз ңыз ңіз ым ім ың ің сы сі ы і""".split()
_PLURAL = """лар лер дар дер тар тер""".split()

EXCEPTIONS = frozenset(
    """
    қасым алматы астана ақтау атырау шымкент тараз семей орал көкшетау талдықорған қызылорда түркістан
    жезқазған өскемен павлодар петропавл қостанай ақтөбе байқоңыр маңғыстау қарағанды екібастұз
    токио осака киото иокогама хиросима нагасаки саппоро нагоя фукуока кобе
    ресей қытай корея үндістан түркия моңғолия өзбекстан қырғызстан тәжікстан түрікменстан
    азия еуропа америка африка канада италия франция германия испания ұлыбритания
    тоқаев назарбаев такаити кисида исиба абэ
    мен бен пен және да де та те ол бұл осы сол кім не
    """.split()
)
"""Words kept whole: names that end like a suffix, and short function words."""

_ORDERED = [sorted(group, key=len, reverse=True) for group in (_CASE, _POSSESSIVE, _PLURAL)]
_VOWELS = frozenset("аәеёиоөуұүыіэюя")
_VOICELESS = frozenset("кқпстфхцчшщ")


def _fits(stem: str, suffix: str) -> bool:
    """Whether ``suffix`` is the form Kazakh puts after ``stem``'s last sound."""
    last, first = stem[-1], suffix[0]
    if first in "тқк":
        return last in _VOICELESS or last == "в"  # Тоқаевтың: a Russian -ев ends like a voiceless sound
    if first in "дғг":
        return (last not in _VOICELESS and last not in _VOWELS) or (first == "д" and last in _VOWELS) or first in "ғг"
    if first == "н":
        return last in _VOWELS or last in "мнң"
    if first == "с":
        return last in _VOWELS
    if first in "ыі":
        return last not in _VOWELS
    if first == "л":
        return last in _VOWELS or last in "йуұрл"
    return True


def _cuttable(word: str, suffix: str, shortest: int = MIN_STEM) -> bool:
    """Whether ``suffix`` can come off ``word``: it ends with it, in the form that fits, leaving a stem of at
    least ``shortest`` letters."""
    return word.endswith(suffix) and len(word) - len(suffix) >= shortest and _fits(word[: -len(suffix)], suffix)


def _protected(word: str) -> bool:
    return word in EXCEPTIONS or word.endswith("стан")


@lru_cache(maxsize=100_000)
def stem(word: str) -> str:
    """The stem of one lower-case Kazakh word (the word itself when nothing can be cut)."""
    if _protected(word):
        return word
    for suffixes in _ORDERED:
        for suffix in suffixes:
            if _cuttable(word, suffix):
                word = word[: -len(suffix)]
                break
        if _protected(word):
            break
    return word


def has_case_ending(word: str) -> bool:
    """Whether a lower-case word ends in a case suffix (Жапонияға, Токиода), which closes its noun phrase."""
    if _protected(word):
        return False
    return any(_cuttable(word, suffix) for suffix in _ORDERED[0])


def without_case(words: list[str]) -> list[str]:
    """A phrase in the nominative: its last word without its case ending (Джефф Флейктің -> Джефф Флейк,
    Біріккен Ұлттар Ұйымының -> Біріккен Ұлттар Ұйымы, Жапонияға -> Жапония); possessive and plural kept."""
    if not words:
        return words
    last = words[-1]
    lowered = last.lower()
    if _protected(lowered):
        return list(words)
    for suffix in _ORDERED[0]:
        if _cuttable(lowered, suffix, shortest=2):  # a name shown may keep a short stem: Ким Чен Ынның
            kept = next((p for p in ("сы", "сі", "ы", "і") if suffix.startswith(p) and len(suffix) > len(p)), "")
            return [*words[:-1], last[: len(last) - len(suffix) + len(kept)]]  # Ұйымының: Ұйымы, its possessive
    return list(words)


_VERB_FORM = re.compile(
    r"(?:уға|уге|юға|юге|ып|іп|ап|еп|ған|ген|қан|кен|атын|етін|йтын|йтін|мақ|мек|пақ|пек"
    r"|ылды|ілді|лды|лді|ынды|інді)$"  # not -анды: жасанды (artificial) is no verb
)
_NOUNS_LIKE_VERBS = frozenset("кітап кітапхана сап шап тап жап қап".split())


def verb_form(word: str) -> bool:
    """Whether a lower-case word ends like a Kazakh verb form (сақтап, қалуға, айтқан, қабылданды), which a
    topic never holds."""
    return len(word) > 4 and word not in _NOUNS_LIKE_VERBS and bool(_VERB_FORM.search(word))


STOP_WORDS = frozenset(
    """және мен бен пен да де та те ол бұл осы сол мұндай бір екі ма ме ба бе па пе ғана ғой туралы үшін дейін
    кейін бойынша арқылы сияқты секілді бірге арасында ретінде әрі не немесе бірақ алайда себебі өйткені егер
    онда мұнда сонда қазір енді тағы әлі барлық көп өте ең кім қандай қай неше қанша менің сенің оның біздің
    сіздің олардың біз сіз олар сен оған оны одан бар жоқ емес болды болып болады болған деп деді дейді жылы жыл
    ж т б""".split()
)

TOPICS = TopicWords(
    titles=frozenset(
        """президент президенті премьер-министр премьер-министрі министр министрі басшысы басшы төраға төрағасы
        елші елшісі әкім әкімі депутат сенатор император императоры мырза ханым""".split()
    ),
    generic=frozenset(
        """деді атап айтты хабарлады мәлімдеді сондай ақ жаңа жылы жыл уақыт бүгін кеше қаңтар ақпан наурыз сәуір
        мамыр маусым шілде тамыз қыркүйек қазан қараша желтоқсан тараптар ел елдер""".split()
    ),
    conjunction="және",
    modifier=r"(?:лық|лік|дық|дік|тық|тік|ғы|гі|қы|кі|ды|ді|ты|ті)$",
    closes_name=has_case_ending,
    dictionary_form=without_case,
    not_topical=verb_form,
)

KAZAKH = Language(
    "kk",
    "Kazakh",
    "kk",
    "cyrillic",
    stem=stem,
    abbreviations=abbreviations("ж жж т.б т.с.с т.с б.з.б б.з млн млрд трлн мың теңге ш ауд обл көш үй пәт проф акад"),
    own_stop_words=STOP_WORDS,
    topics=TOPICS,
)
