"""The article and its files: the field list, the text and page formats, the one reader, the corpus scan,
duplicate keys and signatures."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kzjp_cli import exports

if TYPE_CHECKING:
    from kzjp_cli.articles.corpus import (
        CorpusFile,
        assign_ids,
        list_corpus,
        match_id,
        scan_corpus,
        shown_path,
        stat_files,
    )
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

_WHERE = {
    "CorpusFile": "kzjp_cli.articles.corpus",
    "assign_ids": "kzjp_cli.articles.corpus",
    "list_corpus": "kzjp_cli.articles.corpus",
    "match_id": "kzjp_cli.articles.corpus",
    "scan_corpus": "kzjp_cli.articles.corpus",
    "shown_path": "kzjp_cli.articles.corpus",
    "stat_files": "kzjp_cli.articles.corpus",
    "FIELDS": "kzjp_cli.articles.fields",
    "Article": "kzjp_cli.articles.fields",
    "FieldSpec": "kzjp_cli.articles.fields",
    "parse_date": "kzjp_cli.articles.fields",
    "parse_day": "kzjp_cli.articles.fields",
    "HTML_SUFFIXES": "kzjp_cli.articles.pages",
    "MAX_BYTES": "kzjp_cli.articles.reading",
    "decode_bytes": "kzjp_cli.articles.reading",
    "from_bytes": "kzjp_cli.articles.reading",
    "from_file": "kzjp_cli.articles.reading",
    "from_text": "kzjp_cli.articles.reading",
    "read_article": "kzjp_cli.articles.reading",
    "read_bytes": "kzjp_cli.articles.reading",
    "SUFFIXES": "kzjp_cli.articles.text",
    "clean_text": "kzjp_cli.articles.text",
    "decode": "kzjp_cli.articles.text",
    "derive_title": "kzjp_cli.articles.text",
    "parse_article": "kzjp_cli.articles.text",
    "write_article": "kzjp_cli.articles.text",
}
"""Each name's module: imported on first use (PEP 562), so that ``kzjp --help`` loads none of them."""


__getattr__ = exports(__name__, _WHERE)

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
