"""The languages kzjp knows, one object each, looked up by code; what the rest of kzjp asks of a language.

English, Russian, Kazakh and Japanese each have a ``Language`` (in a module of
their own); any other language gets ``OTHER``'s behaviour under its own code:
Unicode words, lower-cased, no stemming. The rest of kzjp asks
``language(code)`` and never tests for a code itself. Adding a language is a
module beside these and a line in ``LANGUAGES``.
"""

from __future__ import annotations

from functools import lru_cache

from kzjp_cli.languages.base import Language
from kzjp_cli.languages.english import ENGLISH
from kzjp_cli.languages.japanese import JAPANESE
from kzjp_cli.languages.kazakh import KAZAKH
from kzjp_cli.languages.russian import RUSSIAN

LANGUAGES: dict[str, Language] = {lang.code: lang for lang in (ENGLISH, RUSSIAN, KAZAKH, JAPANESE)}
OTHER = Language("other", "other", "other", "latin")
"""Any other language: Unicode words, lower-cased, no stemming."""
ALL = (*LANGUAGES.values(), OTHER)
"""Every language object, in the order the index's fields follow."""


def language(code: str | None) -> Language:
    """The language object for a code: English for None, ``OTHER`` for one kzjp has no special behaviour for."""
    return LANGUAGES.get(code or "en", OTHER)


def script_of_chain(chain: str) -> str:
    """The script of the articles an analysis chain indexes (``latin`` for an unknown chain)."""
    return next((lang.script for lang in ALL if lang.chain == chain), "latin")


@lru_cache(maxsize=8)
def stop_words(code: str | None = None) -> frozenset[str]:
    """The stop words of a language (English by default): its own list, else sumy's, else none."""
    spec = language(code)
    if spec.own_stop_words or not spec.sumy:
        return spec.own_stop_words
    from sumy.utils import get_stop_words

    try:
        return frozenset(get_stop_words(spec.sumy))
    except LookupError:
        return frozenset()


def count_words(text: str, code: str | None) -> int:
    """How many words ``text`` has: space-separated ones, or for Japanese the tokenizer's words."""
    if language(code).spaced:
        return len(text.split())
    from kzjp_cli.languages import japanese

    return len(japanese.words(text))
