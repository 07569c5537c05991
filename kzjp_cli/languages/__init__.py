"""Everything that differs by language: one ``Language`` object each (words, stems, stop words, abbreviations,
topic word lists, query rules), detection, Japanese words, the Kazakh stemmer, sentences."""

from kzjp_cli.languages.base import Language, TopicWords
from kzjp_cli.languages.detection import detect, normalize
from kzjp_cli.languages.registry import ALL, LANGUAGES, OTHER, count_words, language, script_of_chain, stop_words
from kzjp_cli.languages.scripts import KANA_KANJI, has_japanese, script, script_letters

__all__ = [
    "ALL",
    "KANA_KANJI",
    "LANGUAGES",
    "OTHER",
    "Language",
    "TopicWords",
    "count_words",
    "detect",
    "has_japanese",
    "language",
    "normalize",
    "script",
    "script_letters",
    "script_of_chain",
    "stop_words",
]
