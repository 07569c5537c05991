"""The store's bulk segment writer: the same index Whoosh's own writer makes, and the same analysis.

These tests read Whoosh directly, to hold kzjp's segments to Whoosh's own.
"""

from __future__ import annotations

import dataclasses
import re
import shutil
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import index as whoosh_index
from whoosh.index import TOC

from kzjp_cli import index, search
from kzjp_cli.articles import assign_ids, read_article, scan_corpus
from kzjp_cli.index import building
from kzjp_cli.store import SearchOptions, analysis, open_store, whoosh_store
from kzjp_cli.store.analysis import chain
from kzjp_cli.store.schema import TEXT_FIELDS, make_schema, to_document
from kzjp_cli.store.segments import SegmentBuilder

from .conftest import BUNDLED, MULTILINGUAL, generate

ENGLISH = chain("en")
ANALYZER = make_schema()["body"].analyzer  # what Whoosh itself runs on English text


def whoosh_positions(text: str) -> dict[str, list[int]]:
    found: dict[str, list[int]] = {}
    for token in ANALYZER(text, positions=True, mode="index"):
        found.setdefault(token.text, []).append(token.pos)
    return found


EDGE_TEXTS = [
    "",
    "the a an of",
    "The cat sat on the mat. The cat!",
    "3.141 big-time under_score x*y e.g. U.S.A. 1,000,000",
    "İstanbul ÅNGSTRÖM ǅemal straße ﬁnance Ωmega",
    "Kassym-Jomart Tokayev met Sanae Takaichi — “Middle Corridor” talks…",
    "a" * 300 + " b " + "runs running ran runner",
]


@pytest.mark.parametrize("text", EDGE_TEXTS)
def test_index_terms_match_whoosh_analysis(text: str) -> None:
    positions, kept = ENGLISH.index_terms(text)
    assert positions == whoosh_positions(text)
    assert sorted(set(kept)) == list(make_schema()["body"].spellable_words(text))


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_index_terms_match_whoosh_analysis_on_any_text(text: str) -> None:
    assert ENGLISH.index_terms(text)[0] == whoosh_positions(text)


WORD_TEXTS = [
    "Токаев провёл переговоры с Такаити в Токио; визита, визиту, Астане, Астану.",
    "Тоқаев Жапонияға ресми сапармен барды. Келісімдер, келісімге қол қойылды.",
    "kazinform.kz 3.5% U.S. e.g. Kassym-Jomart rail-freight 2025-12-19",
    "Смешанный текст with English words и числами 1,000",
]


@pytest.mark.parametrize("code", ["ru", "kk", "other"])
@pytest.mark.parametrize("text", WORD_TEXTS)
def test_a_word_chain_indexes_what_its_tokens_say(code: str, text: str) -> None:
    """The build's fast path through a language with spaces gives the terms ``tokens`` (the query side) gives."""
    word_chain = chain(code)
    expected: dict[str, list[int]] = {}
    for position, _start, _end, terms in word_chain.tokens(text):
        for term in terms:
            expected.setdefault(term, []).append(position)
    for _ in range(2):  # the second time from the chain's table of words
        positions, kept = word_chain.index_terms(text)
        assert positions == expected
        assert kept == [terms[0] for *_, terms in word_chain.tokens(text)]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=200))
def test_a_word_chain_indexes_what_its_tokens_say_on_any_text(text: str) -> None:
    russian = chain("ru")
    expected: dict[str, list[int]] = {}
    for position, _start, _end, terms in russian.tokens(text):
        for term in terms:
            expected.setdefault(term, []).append(position)
    assert russian.index_terms(text)[0] == expected


def documents(corpus: Path) -> list[dict[str, Any]]:
    """The documents a build stores for each article of ``corpus`` (paths relative to it)."""
    files, _ = scan_corpus(corpus)
    ids = assign_ids(files)
    return [to_document(dataclasses.replace(read_article(f, ids[f.rel]), path=f.rel)) for f in files]


def postings(reader: Any, field: str, term: bytes) -> list[tuple[int, float, Any]]:
    matcher = reader.postings(field, term)
    items = []
    while matcher.is_active():
        items.append((matcher.id(), matcher.weight(), matcher.value() or None))
        matcher.next()
    return items


def assert_same_index(expected_dir: Path, actual_dir: Path) -> int:
    """Every term's statistics and postings, stored fields and lengths agree; returns terms compared."""
    expected = whoosh_index.open_dir(str(expected_dir)).reader()
    actual = whoosh_index.open_dir(str(actual_dir)).reader()
    terms = list(expected.all_terms())
    assert list(actual.all_terms()) == terms
    for field, term in terms:
        if field.startswith("spell_"):  # only the words matter; Whoosh pads these with dummy postings
            assert actual.frequency(field, term) == expected.frequency(field, term)
            continue
        want, got = expected.term_info(field, term), actual.term_info(field, term)
        for stat in ("weight", "doc_frequency", "min_length", "max_length", "max_weight", "min_id", "max_id"):
            assert getattr(got, stat)() == getattr(want, stat)(), (field, term, stat)
        assert postings(actual, field, term) == postings(expected, field, term), (field, term)
    assert actual.doc_count_all() == expected.doc_count_all()
    for docnum in range(expected.doc_count_all()):
        assert actual.stored_fields(docnum) == expected.stored_fields(docnum)
        for field in (*TEXT_FIELDS, "source"):
            assert actual.doc_field_length(docnum, field) == expected.doc_field_length(docnum, field)
    for field in (*TEXT_FIELDS, "source"):
        assert actual.field_length(field) == expected.field_length(field)
    return len(terms)


def build_both(docs: list[dict[str, Any]], tmp_path: Path, **options: Any) -> tuple[Path, Path]:
    stock, bulk = tmp_path / "stock", tmp_path / "bulk"
    stock.mkdir()
    bulk.mkdir()
    ix = whoosh_index.create_in(str(stock), make_schema())
    writer = ix.writer()
    for doc in docs:
        writer.add_document(**doc)
    writer.commit()
    whoosh_index.create_in(str(bulk), make_schema())
    ix = whoosh_index.open_dir(str(bulk))  # as a build does: the schema comes back from the TOC
    builder = SegmentBuilder(ix, **options)
    spills = 0
    for doc in docs:
        builder.add_document(**doc)
        spills = max(spills, len(builder.runs))
    if "spill_bytes" in options:
        assert spills > 3, "the budget should have forced several runs"
    segment = builder.finish()
    assert builder.runs == []
    TOC(ix.schema, [segment], 1).write(ix.storage, ix.indexname)
    return stock, bulk


def test_bulk_segment_equals_whoosh_writer_on_the_test_corpus(corpus: Path, tmp_path: Path) -> None:
    assert assert_same_index(*build_both(documents(corpus), tmp_path)) > 50


def test_bulk_segment_equals_whoosh_writer_on_the_bundled_corpus(tmp_path: Path) -> None:
    assert assert_same_index(*build_both(documents(BUNDLED), tmp_path)) > 400


def test_bulk_segment_equals_whoosh_writer_in_every_language(tmp_path: Path) -> None:
    """Russian, Kazakh and Japanese articles, and one in another language, through their own chains."""
    corpus = tmp_path / "corpus"
    shutil.copytree(MULTILINGUAL, corpus)
    (corpus / "de.txt").write_text("Der Präsident traf den Premierminister in Tokio und sprach über Handel.")
    docs = documents(corpus)
    assert {d.get("lang") for d in docs} == {"ru", "kk", "ja", "de"}
    assert {"body_ru", "body_kk", "body_ja", "body_other"} <= {name for d in docs for name in d}
    assert assert_same_index(*build_both(docs, tmp_path)) > 500


@pytest.mark.slow
def test_bulk_segment_equals_whoosh_writer_on_generated_news(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "generated", 120)
    # long posting lists span several blocks; short ones are inlined in the term table
    assert assert_same_index(*build_both(documents(corpus), tmp_path)) > 3000


@pytest.mark.slow
def test_a_segment_spilled_to_runs_equals_whoosh_writer(tmp_path: Path) -> None:
    """A small memory budget writes the postings out in sorted runs; merged back they make the same segment,
    and the run files leave nothing behind in the index folder."""
    corpus = generate(tmp_path / "generated", 120)
    stock, bulk = build_both(documents(corpus), tmp_path, spill_bytes=100_000)
    before = sorted(path.name for path in bulk.iterdir())
    assert assert_same_index(stock, bulk) > 3000
    assert not [name for name in before if name.startswith("tmp")]


def test_a_segment_sorted_in_chunks_equals_whoosh_writer(tmp_path: Path) -> None:
    """Words sorted into many chunks (held in memory, then some spilled to a memory-mapped file) merge back
    into the segment Whoosh's writer makes, in every language."""
    corpus = tmp_path / "corpus"
    shutil.copytree(MULTILINGUAL, corpus)
    shutil.copytree(BUNDLED, corpus / "bundled")
    docs = documents(corpus)
    stock, bulk = build_both(docs, tmp_path, flush_words=300)
    assert assert_same_index(stock, bulk) > 900
    (tmp_path / "again").mkdir()
    stock, bulk = build_both(docs, tmp_path / "again", flush_words=300, spill_bytes=2_000)
    assert assert_same_index(stock, bulk) > 900


@pytest.mark.slow
def test_parallel_build_finds_what_a_single_process_build_finds(tmp_path: Path) -> None:
    corpus = generate(tmp_path / "generated", 150)
    (corpus / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0")
    found = []
    for jobs in (1, 3):
        report = index.update(corpus, tmp_path / f"ix{jobs}", rebuild=True, jobs=jobs)
        assert (report.total, report.skipped) == (150, 1)
        ci = index.open_index(corpus, tmp_path / f"ix{jobs}")
        assert ci.store.count() == 150
        assert len(list((tmp_path / f"ix{jobs}").glob("gen-*/*.seg"))) == jobs
        found.append(
            [
                [
                    (hit.article.id, round(hit.score, 4))
                    for hit in search.search(ci, query, SearchOptions(limit=500), each=True).hits
                ]
                for query in ('"Middle Corridor"', "hydrogen OR uranium", "Tokaev~", "date:2024", "touris*")
            ]
        )
        assert ci.manifest.skipped and set(ci.ids()) == {a.id for a in ci.articles()}
    assert found[0] == found[1] and all(found[0])


@pytest.mark.slow
@pytest.mark.parametrize("forked", [False, True], ids=["one process", "forked halves"])
def test_repeated_updates_match_a_fresh_build_and_keep_few_segments(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forked: bool
) -> None:
    """Also with an update's reading and writing split over two processes (from 500 articles, here from 2):
    the second half's segment and articles come back from the forked process whole."""
    corpus = generate(tmp_path / "generated", 200)
    root = tmp_path / "ix"
    index.update(corpus, root, jobs=2)
    if forked:
        monkeypatch.setattr(whoosh_store, "PARALLEL_DOCS", 2)
        monkeypatch.setattr(building, "PARALLEL_MIN_ARTICLES", 2)
    files = sorted(corpus.rglob("*.md"))
    for round_ in range(6):
        for path in files[round_ * 7 : round_ * 7 + 3]:
            path.write_text(path.read_text() + f"\nUpdate {round_}: green hydrogen talks resumed in Aktau.\n")
        files[round_ * 7 + 4].unlink()
        for n in range(4):
            (corpus / f"new-{round_}-{n}.md").write_text(f"# Kainbashi report {round_} {n}\nUranium and hydrogen.")
        report = index.update(corpus, root)
        assert (report.changed, report.added, report.removed) == (3, 4, 1)
        if round_ == 0:
            assert index.open_index(corpus, root).store.segment_count() == 2 + (2 if forked else 1)
    fresh = tmp_path / "fresh"
    index.update(corpus, fresh, rebuild=True)
    updated_ci, fresh_ci = index.open_index(corpus, root), index.open_index(corpus, fresh)
    assert updated_ci.ids() == fresh_ci.ids()
    assert updated_ci.store.count() == len(fresh_ci.ids())
    assert updated_ci.store.segment_count() <= (6 if forked else 4)  # an update writes its halves apart
    assert updated_ci.manifest.files == fresh_ci.manifest.files
    for query in ("Kainbashi", '"green hydrogen"', "Update", "hydrogen AND Aktau", "date:2024"):
        ids = [{h.article.id for h in search_all(ci, query)} for ci in (updated_ci, fresh_ci)]
        assert ids[0] == ids[1] and ids[0], query
    assert updated_ci.documents() == fresh_ci.documents(), "every stored field survives being written again"


def search_all(ci: index.CorpusIndex, query: str) -> list[search.Hit]:
    return search.search(ci, query, SearchOptions(limit=10_000), each=True).hits


def test_a_store_built_in_segments_reads_back_every_article(corpus: Path, tmp_path: Path) -> None:
    built = index.open_index(corpus, tmp_path / "ix")
    store = open_store(built.generation)
    assert sorted(a.id for a in store.documents()) == built.ids()
    for article in built.articles():
        stored = built.article(article.id)
        assert stored.to_record() == article.to_record(), "the index and the manifest agree on every field"


def test_bulk_entries_hold_position_values_as_bytes_not_protocol_2_calls(tmp_path: Path) -> None:
    """Protocol 2 spells each bytes value as a call to ``_codecs.encode`` on a str; the bulk writer pickles
    the position values of its inlined lists (and blocks) as bytes: smaller, and quicker to write and read.
    They read back as Whoosh's own writer's do (the tests above)."""
    _, bulk = build_both(documents(BUNDLED), tmp_path)
    stored = b"".join(path.read_bytes() for path in bulk.iterdir() if path.suffix == ".seg")
    assert stored.count(b"\x80\x03") > 400  # the inlined lists, protocol 3
    assert b"_codecs" not in stored


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet="aZ9_*.. ,-'\n\t“—\u00a0éİ", max_size=40), st.sampled_from(["en", "ru"]))
def test_ascii_words_are_the_tokenizer_patterns_matches(text: str, code: str) -> None:
    """Text whose word characters are ASCII skips the regular expression (dots joining words, runs of dots,
    dots at either end, curly quotes and no-break spaces between words)."""
    expression = re.compile(chain(code).token_pattern()) if code == "en" else analysis._WORD
    assert analysis._lowered_words(expression, text) == [word.lower() for word in expression.findall(text)]


@pytest.mark.parametrize("code", ["en", "ru"])
def test_every_character_splits_words_as_the_tokenizer_does(code: str) -> None:
    expression = re.compile(chain(code).token_pattern()) if code == "en" else analysis._WORD
    for point in range(0x10000):  # lone surrogates too (a file read with surrogateescape)
        text = f"Ab{chr(point)}c. d"
        assert analysis._lowered_words(expression, text) == [w.lower() for w in expression.findall(text)], point


def test_a_field_with_many_values_stops_being_remembered_and_indexes_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ids and hashes never repeat: past a few values their terms are no longer kept, and the segment is the
    one Whoosh's writer makes either way."""
    from kzjp_cli.store import segments

    monkeypatch.setattr(segments, "INDEX_CACHE", 2)
    corpus = tmp_path / "corpus"
    shutil.copytree(MULTILINGUAL, corpus)
    shutil.copytree(BUNDLED, corpus / "bundled")
    docs = documents(corpus)
    assert len(docs) > 4
    assert assert_same_index(*build_both(docs, tmp_path)) > 900


def test_terms_in_blocks_among_inlined_ones_make_the_same_segment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With lists of two documents or more written as blocks, block terms and inlined ones alternate in every
    field (their table entries written in batches, in key order)."""
    from kzjp_cli.store import segments

    monkeypatch.setattr(segments, "INLINE_LIMIT", 2)
    corpus = tmp_path / "corpus"
    shutil.copytree(MULTILINGUAL, corpus)
    shutil.copytree(BUNDLED, corpus / "bundled")
    assert assert_same_index(*build_both(documents(corpus), tmp_path)) > 900
