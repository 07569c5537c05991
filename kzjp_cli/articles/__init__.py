"""The article and its files: the field list, the text and page formats, the one reader, the corpus scan,
duplicate keys and signatures."""

from kzjp_cli.articles.corpus import CorpusFile, assign_ids, list_corpus, match_id, scan_corpus, shown_path, stat_files
from kzjp_cli.articles.fields import FIELDS, Article, FieldSpec, parse_date, parse_day
from kzjp_cli.articles.pages import HTML_SUFFIXES
from kzjp_cli.articles.reading import (
    MAX_BYTES,
    decode_bytes,
    from_bytes,
    from_file,
    from_text,
    read_article,
    read_bytes,
)
from kzjp_cli.articles.text import SUFFIXES, clean_text, decode, derive_title, parse_article, write_article

__all__ = [
    "FIELDS",
    "HTML_SUFFIXES",
    "MAX_BYTES",
    "SUFFIXES",
    "Article",
    "CorpusFile",
    "FieldSpec",
    "assign_ids",
    "clean_text",
    "decode",
    "decode_bytes",
    "derive_title",
    "from_bytes",
    "from_file",
    "from_text",
    "list_corpus",
    "match_id",
    "parse_article",
    "parse_date",
    "parse_day",
    "read_article",
    "read_bytes",
    "scan_corpus",
    "shown_path",
    "stat_files",
    "write_article",
]
