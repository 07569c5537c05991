"""Benchmark kzjp beside SQLite FTS5 (and tantivy, where installed) on generated corpora; print a table, write JSON.

    python bench/run.py --sizes 1000,10000 --json bench/out/results.json
    python bench/run.py --sizes 1000,10000,50000,100000    # the scale curve (see bench/README.md for its time)
    pip install -e '.[bench]'                                # tantivy, the second anchor

The corpus mixes English, Russian, Kazakh and Japanese articles (``--languages``),
half without ``lang:`` and some as saved pages, as users' corpora do. Every kzjp
figure is also given as a ratio to FTS5 (or to a minimal Whoosh script) measured
in the same run, with CPU seconds beside wall: the machines are shared and
noisy, and ratios taken side by side are what count. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate

KZJP = str(Path(sys.executable).with_name("kzjp"))

# (kzjp query, FTS5 query, FTS5 date filter): single words rare and common, phrases, boolean, fuzzy, dates.
QUERIES = [
    ("tourism", "tourism", None),
    ("judo", "judo", None),
    ("Tokayev", "tokayev", None),
    ("Aktau", "aktau", None),
    ("hydrogen", "hydrogen", None),
    ("uranium", "uranium", None),
    ("lithium", "lithium", None),
    ("the", None, None),
    ("kainbashi", "kainbashi", None),
    ("transported", "transported", None),
    ('"Middle Corridor"', '"middle corridor"', None),
    ('"Port of Aktau"', '"port of aktau"', None),
    ('"green hydrogen"', '"green hydrogen"', None),
    ('"rare earth elements"', '"rare earth elements"', None),
    ('"foreign direct investment"', '"foreign direct investment"', None),
    ("judo sumo", "judo sumo", None),
    ("tourism visa", "tourism visa", None),
    ("Takaichi Tokayev", "takaichi tokayev", None),
    ("judo OR sumo", "judo OR sumo", None),
    ("hydrogen OR uranium OR lithium", "hydrogen OR uranium OR lithium", None),
    ("tourism NOT visa", "tourism NOT visa", None),
    ("(judo OR sumo) AND Tokyo", "(judo OR sumo) AND tokyo", None),
    ("pipeline AND refinery", "pipeline AND refinery", None),
    ("Tokaev~", None, None),
    ("hidrogen~", None, None),
    ("Kassymbek~", None, None),
    ("touris*", "touris*", None),
    ("date:2024", "tourism OR judo OR hydrogen", ("2024-01-01", "2024-12-31")),
    ("tourism date:>2025-06-01", "tourism", ("2025-06-02", "9999-12-31")),
    ("judo date:[2020 to 2021]", "judo", ("2020-01-01", "2021-12-31")),
    ("Astana date:2023-05", "astana", ("2023-05-01", "2023-05-31")),
    ('"state visit" Tokyo', '"state visit" tokyo', None),
]


SHARED = [(query, fts, dates) for query, fts, dates in QUERIES if fts is not None and "*" not in fts]
"""The queries every engine runs (tantivy's parser has no prefix query): the set the engines are compared on."""


def _tree_peak(pid: int) -> int:
    """Sum of peak resident bytes (VmHWM) of a process and all its descendants (Linux /proc; 0 elsewhere)."""
    total, stack = 0, [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status") as handle:
                for line in handle:
                    if line.startswith("VmHWM:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                with open(f"/proc/{current}/task/{task}/children") as handle:
                    stack.extend(int(child) for child in handle.read().split())
        except (OSError, ValueError):
            continue
    return total


def timed(args: list[str], repeat: int = 1) -> dict[str, float]:
    """Median wall time, median CPU time (user and system, the command's worker processes included) and
    largest peak memory over ``repeat`` runs of a command. CPU time says what the work costs on a machine
    whose load moves wall time about; wall time says what a user waits.

    Peak memory is the sum of the peaks of the process and its workers (builds
    run several), read from /proc every 10 ms. Not ``ru_maxrss``: on Linux a
    child's figure includes the benchmark's own memory at the fork before exec.
    """
    walls, cpus, peaks = [], [], []
    for _ in range(repeat):
        start = time.perf_counter()
        proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        done, tree_peak = threading.Event(), [0]

        def sample(pid: int = proc.pid, done: threading.Event = done, tree_peak: list[int] = tree_peak) -> None:
            while not done.wait(0.01):
                tree_peak[0] = max(tree_peak[0], _tree_peak(pid))

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)  # a child's usage includes the workers it waited for
        walls.append(time.perf_counter() - start)
        cpus.append(usage.ru_utime + usage.ru_stime)
        done.set()
        sampler.join()
        peaks.append(tree_peak[0] / 2**20)
        if os.waitstatus_to_exitcode(status) not in (0, 1):
            raise SystemExit(f"{' '.join(args)} failed: {proc.stderr.read().decode() if proc.stderr else ''}")
    return {"seconds": statistics.median(walls), "cpu_seconds": statistics.median(cpus), "peak_mb": max(peaks)}


def paired(first: list[str], second: list[str], repeat: int) -> dict[str, float]:
    """Two commands run in alternating pairs, ``repeat`` pairs: each one's median wall and CPU time, and the
    median of the pairs' wall-time ratios (first / second). Load that drifts during the runs then falls on
    both alike, where timing all runs of one and then all of the other made a drift into a ratio."""
    a_runs, b_runs = [], []
    for _ in range(max(1, repeat)):
        a_runs.append(timed(first))
        b_runs.append(timed(second))
    ratios = [a["seconds"] / b["seconds"] for a, b in zip(a_runs, b_runs, strict=True)]
    return {
        "first_seconds": statistics.median(r["seconds"] for r in a_runs),
        "first_cpu_seconds": statistics.median(r["cpu_seconds"] for r in a_runs),
        "first_peak_mb": max(r["peak_mb"] for r in a_runs),
        "second_seconds": statistics.median(r["seconds"] for r in b_runs),
        "second_cpu_seconds": statistics.median(r["cpu_seconds"] for r in b_runs),
        "ratio": statistics.median(ratios),
    }


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


# --- SQLite FTS5 ------------------------------------------------------------------


def article_files(corpus: Path) -> list[Path]:
    """The corpus's article files (text and saved pages), in path order."""
    return sorted(p for p in corpus.rglob("*") if p.suffix in (".md", ".txt", ".html") and p.is_file())


def prepare(corpus: Path, out: Path) -> float:
    """Read every article with kzjp's reader (front matter, saved pages extracted, language detected) and
    analyse its text with kzjp's chain, one JSON line an article streamed to ``out``; returns the CPU seconds.

    The other engines build from these lines, so their figures are the engine's own work: FTS5 from the text
    (its own tokenizer), tantivy from kzjp's terms (engine against engine)."""
    from kzjp_cli.articles import from_file

    cpu = time.process_time()
    with open(out, "w", encoding="utf-8") as handle:
        for path in article_files(corpus):
            article = from_file(path)
            row = {"id": path.stem, "date": article.date.isoformat() if article.date else None}
            row.update(title=article.title, body=article.body)
            row.update(
                title_terms=_analysed(article.title, article.lang), body_terms=_analysed(article.body, article.lang)
            )
            handle.write(json.dumps(row, ensure_ascii=False) + "\n")
    return time.process_time() - cpu


def prepared(rows: Path) -> Iterator[dict[str, str]]:
    with open(rows, encoding="utf-8") as handle:
        for line in handle:
            yield json.loads(line)


def fts5_build(rows: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds to build the FTS5 index of the prepared articles in this one process, the rows
    streamed (never all held at once)."""
    start, cpu = time.perf_counter(), time.process_time()
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, date UNINDEXED, title, body, tokenize='porter')")
    con.executemany(
        "INSERT INTO docs VALUES (?, ?, ?, ?)", ((r["id"], r["date"], r["title"], r["body"]) for r in prepared(rows))
    )
    con.commit()
    con.close()
    return time.perf_counter() - start, time.process_time() - cpu


def fts5_latencies(db: Path, rounds: int) -> list[float]:
    con = sqlite3.connect(db)
    sql = (
        "SELECT id, title, snippet(docs, 3, '[', ']', '…', 24), bm25(docs, 0, 0, 2.0, 1.0) AS s "
        "FROM docs WHERE docs MATCH ? {extra} ORDER BY s LIMIT 10"
    )
    latencies = []
    for _ in range(rounds):
        for _, query, dates in SHARED:
            extra, params = "", [query]
            if dates:
                extra, params = "AND date BETWEEN ? AND ?", [query, *dates]
            start = time.perf_counter()
            con.execute(sql.format(extra=extra), params).fetchall()
            latencies.append(time.perf_counter() - start)
    con.close()
    return latencies


# --- tantivy (the second anchor, where installed) ------------------------------------


def has_tantivy() -> bool:
    try:
        import tantivy  # noqa: F401
    except ImportError:
        return False
    return True


def _analysed(text: str, code: str | None) -> str:
    """``text`` as kzjp's analysis chain for ``code`` makes it: one term a word (the stem, a stop word marked),
    space-separated, for an engine that then splits on spaces."""
    from kzjp_cli.languages import language
    from kzjp_cli.store.analysis import chain

    return " ".join(terms[0] for *_, terms in chain(language(code).chain).tokens(text, phrase=True))


def tantivy_build(rows: Path, folder: Path) -> dict[str, float]:
    """Wall and CPU seconds to build a tantivy index of the prepared articles (kzjp's terms, split on spaces) in
    this one process with one writer thread."""
    import tantivy

    start, cpu = time.perf_counter(), time.process_time()
    builder = tantivy.SchemaBuilder()
    builder.add_text_field("id", stored=True, tokenizer_name="raw")
    builder.add_text_field("date", tokenizer_name="raw")
    builder.add_text_field("title", tokenizer_name="whitespace")
    builder.add_text_field("body", tokenizer_name="whitespace")
    folder.mkdir(parents=True, exist_ok=True)
    index = tantivy.Index(builder.build(), path=str(folder))
    writer = index.writer(heap_size=256_000_000, num_threads=1)
    for row in prepared(rows):
        fields = {"id": row["id"], "title": row["title_terms"], "body": row["body_terms"]}
        if row["date"]:
            fields["date"] = row["date"]
        writer.add_document(tantivy.Document(**fields))
    writer.commit()
    writer.wait_merging_threads()
    return {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu}


def tantivy_query(fts_query: str) -> str:
    """An FTS5 query of ``SHARED`` in tantivy's syntax, its words and phrases analysed as kzjp analyses them."""
    import re

    parts = []
    for phrase, bracket, word in re.findall(r'"([^"]*)"|([()])|([^\s()"]+)', fts_query):
        if phrase:
            parts.append(f'"{_analysed(phrase, "en")}"')
        elif bracket or word in ("AND", "OR", "NOT"):
            parts.append(bracket or word)
        else:
            parts.append(_analysed(word, "en") or word)
    return " ".join(parts).replace("( ", "(").replace(" )", ")")


def tantivy_latencies(folder: Path, rounds: int) -> list[float]:
    """In-process latency of ``SHARED`` on the tantivy index: parse, rank, the ten ids read."""
    import tantivy

    index = tantivy.Index.open(str(folder))
    searcher = index.searcher()
    queries = []
    for _, query, dates in SHARED:
        text = tantivy_query(query)
        if dates:
            text = f"({text}) AND date:[{dates[0]} TO {dates[1]}]"
        queries.append(text)
    latencies = []
    for _ in range(rounds):
        for text in queries:
            start = time.perf_counter()
            parsed = index.parse_query(
                text, ["title", "body"], field_boosts={"title": 2.0}, conjunction_by_default=True
            )
            [searcher.doc(address)["id"] for _, address in searcher.search(parsed, 10).hits]
            latencies.append(time.perf_counter() - start)
    return latencies


# --- kzjp -----------------------------------------------------------------------------


def kzjp_latencies(corpus: Path, index: Path, rounds: int, shared: bool = False) -> list[float]:
    """kzjp's in-process latency of each query (with ``shared``, only those every engine runs)."""
    from kzjp_cli import search
    from kzjp_cli.index import open_index

    ci = open_index(corpus.resolve(), index)
    latencies = []
    for _ in range(rounds):
        for query, _, _ in SHARED if shared else QUERIES:
            start = time.perf_counter()
            try:
                search.search(ci, query, search.SearchOptions(limit=10), each=True)
            except Exception as exc:  # a query kzjp rejects still costs its time
                if type(exc).__name__ != "QueryError":
                    raise
            latencies.append(time.perf_counter() - start)
    return latencies


def whoosh_latencies(index: Path, rounds: int) -> list[float]:
    """The same queries through bare Whoosh on the same index: parse and rank, no snippets, ids only.

    The floor for kzjp's in-process figure: what Whoosh itself costs.
    """
    from whoosh.filedb.filestore import FileStorage
    from whoosh.qparser import FuzzyTermPlugin, GtLtPlugin, MultifieldParser

    marker = json.loads((index / "kzjp-index.json").read_text())
    ix = FileStorage(str(index / marker["generation"]), supports_mmap=False).open_index()
    parser = MultifieldParser(["title", "body"], ix.schema)
    parser.add_plugin(FuzzyTermPlugin())
    parser.add_plugin(GtLtPlugin())
    latencies = []
    with ix.searcher() as searcher:
        for _ in range(rounds):
            for query, _, _ in QUERIES:
                start = time.perf_counter()
                [hit["id"] for hit in searcher.search(parser.parse(query), limit=10)]
                latencies.append(time.perf_counter() - start)
    return latencies


WHOOSH_SCRIPT = """
import json, sys
from whoosh.filedb.filestore import FileStorage
from whoosh.qparser import MultifieldParser
marker = json.load(open(sys.argv[1] + "/kzjp-index.json"))
# without mmap, as kzjp opens it: index.open_dir maps whole segments (840 MB resident at 50,000 articles)
ix = FileStorage(sys.argv[1] + "/" + marker["generation"], supports_mmap=False).open_index("MAIN")
q = MultifieldParser(["title", "body"], ix.schema).parse(sys.argv[2])
with ix.searcher() as s:
    for hit in s.search(q, limit=10):
        print(hit["id"])
"""


def mutate(corpus: Path, seed: int, fraction: float = 0.01) -> int:
    """Change ``fraction`` of the articles and add as many new ones; returns how many of each."""
    files = sorted(corpus.rglob("*.md"))
    count = max(1, int(len(files) * fraction))
    rng = random.Random(seed)
    for path in rng.sample(files, count):
        with open(path, "a", encoding="utf-8") as handle:
            handle.write("\nA late correction was added to this article about the Middle Corridor.\n")
    gen = generate.Generator(seed + 1000)
    folder = corpus / "new"
    folder.mkdir(exist_ok=True)
    for number in range(count):
        (folder / f"n{number:06d}.md").write_text(gen.article(900_000 + number), encoding="utf-8")
    return count


def random_vectors(corpus: Path, index: Path) -> int:
    """Give every article of the index a random unit vector, as ``kzjp index --vectors`` keeps them (what a
    query costs does not depend on where the vectors point); returns how many."""
    import numpy as np

    from kzjp_cli.index import embedding, open_index
    from kzjp_cli.index.vectors import VectorStore

    keys = sorted(set(open_index(corpus.resolve(), index).text_keys().values()))
    vectors = np.random.default_rng(1).standard_normal((len(keys), embedding.DIM)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    store = VectorStore(index)
    store.add(keys, vectors)
    store.save()
    return len(keys)


def semantic_latencies(corpus: Path, index: Path, rounds: int) -> list[float]:
    """In-process latency of ``search --semantic`` over ``SHARED``'s kzjp queries, with a random unit vector for
    every article (what a query costs does not depend on where the vectors point; computing real ones for a
    large corpus takes hours, and ``vectors_cost`` measures that per 1,000 articles). Empty without the model."""
    from kzjp_cli import search
    from kzjp_cli.index import embedding, open_index

    if not embedding.available():
        return []
    random_vectors(corpus, index)
    ci = open_index(corpus.resolve(), index)
    embedding.query("warm up")
    latencies = []
    for _ in range(rounds):
        for query, _, _ in SHARED:
            start = time.perf_counter()
            try:
                search.semantic(ci, query, search.SearchOptions(limit=10))
            except Exception as exc:  # a query kzjp rejects still costs its time
                if type(exc).__name__ != "QueryError":
                    raise
            latencies.append(time.perf_counter() - start)
    return latencies


def vectors_cost(work: Path, articles: int, seed: int, languages: tuple[str, ...]) -> dict[str, float]:
    """CPU and wall seconds per 1,000 articles of ``kzjp index --vectors`` (the model's real vectors) beyond
    the index alone, on ``articles`` articles of the mixed corpus; empty without the model."""
    from kzjp_cli.index import embedding

    if not embedding.available():
        return {}
    corpus, index = work / "vectors-corpus", work / "vectors-index"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.rmtree(index, ignore_errors=True)
    generate.generate(corpus, articles, seed, languages)
    env_args = ["--corpus", str(corpus), "--index", str(index)]
    timed([KZJP, "index", "-q", "--jobs", "1", *env_args])
    made = timed([KZJP, "index", "--vectors", "-q", "--jobs", "1", *env_args])
    return {
        "articles": articles,
        "cpu_seconds_per_1000": made["cpu_seconds"] / articles * 1000,
        "seconds_per_1000": made["seconds"] / articles * 1000,
    }


def bench_size(
    size: int, seed: int, jobs: int, rounds: int, repeat: int, work: Path, languages: tuple[str, ...]
) -> dict[str, object]:
    began = time.perf_counter()
    corpus, index, db = work / f"corpus-{size}", work / f"index-{size}", work / f"fts-{size}.db"
    for path in (corpus, index, work / f"tantivy-{size}"):
        shutil.rmtree(path, ignore_errors=True)
    db.unlink(missing_ok=True)
    megabytes = generate.generate(corpus, size, seed, languages) / 1e6
    env_args = ["--corpus", str(corpus), "--index", str(index)]
    result: dict[str, object] = {"articles": size, "megabytes": round(megabytes, 1), "jobs": jobs}

    build = timed([KZJP, "index", "--rebuild", "-q", "--jobs", str(jobs), *env_args])
    one = timed([KZJP, "index", "--rebuild", "-q", "--jobs", "1", *env_args]) if jobs > 1 else build
    rows = work / f"prepared-{size}.jsonl"
    prepare_cpu = prepare(corpus, rows)
    result["prepare_cpu_ms_per_article"] = prepare_cpu / size * 1000
    fts_build, fts_cpu = fts5_build(rows, db)
    if has_tantivy():
        tv = tantivy_build(rows, work / f"tantivy-{size}")
        tv_lat = tantivy_latencies(work / f"tantivy-{size}", rounds)
        shutil.rmtree(work / f"tantivy-{size}", ignore_errors=True)
        result.update(
            tantivy_build_seconds=tv["seconds"],
            tantivy_build_cpu_seconds=tv["cpu_seconds"],
            tantivy_cpu_ms_per_article=tv["cpu_seconds"] / size * 1000,
            build_vs_tantivy_cpu=one["cpu_seconds"] / tv["cpu_seconds"],
            build_vs_tantivy=one["seconds"] / tv["seconds"],
            tantivy_p50_ms=percentile(tv_lat, 0.5) * 1000,
            tantivy_p95_ms=percentile(tv_lat, 0.95) * 1000,
        )
    rows.unlink()
    changed = mutate(corpus, seed)
    update = timed([KZJP, "index", "-q", *env_args])
    fts_lat = fts5_latencies(db, rounds)
    kz_lat = kzjp_latencies(corpus, index, rounds)
    kz_shared = kzjp_latencies(corpus, index, rounds, shared=True)
    bare_lat = whoosh_latencies(index, rounds)

    some_id = sorted(p.relative_to(corpus).with_suffix("").as_posix() for p in corpus.rglob("*.md"))[0]
    check_pair = paired(
        [KZJP, "search", "tourism", "-q", *env_args],
        [KZJP, "search", "tourism", "-q", "--no-refresh", *env_args],
        repeat,
    )
    pair = paired(
        [KZJP, "search", "tourism", "-q", *env_args],
        [sys.executable, "-c", WHOOSH_SCRIPT, str(index), "tourism"],
        repeat,
    )
    for cache in index.glob("gen-*/cache/topics*.json"):
        cache.unlink()
    topics_cold = timed([KZJP, "topics", "-q", *env_args])
    topics_cached = timed([KZJP, "topics", "-q", *env_args], repeat)
    summarize = timed([KZJP, "summarize", some_id, "-q", *env_args], repeat)
    help_run = timed([KZJP, "--help"], repeat)
    semantic = semantic_latencies(corpus, index, rounds)  # last: the vectors it adds would change what follows
    if semantic:
        result.update(
            semantic_p50_ms=percentile(semantic, 0.5) * 1000,
            semantic_p95_ms=percentile(semantic, 0.95) * 1000,
        )
    if "tantivy_p50_ms" in result:
        result["shared_vs_tantivy"] = percentile(kz_shared, 0.5) * 1000 / float(result["tantivy_p50_ms"])
    result.update(
        build_seconds=build["seconds"],
        build_cpu_seconds=build["cpu_seconds"],
        build_one_seconds=one["seconds"],
        build_one_cpu_seconds=one["cpu_seconds"],
        build_peak_mb=build["peak_mb"],
        build_ms_per_article=build["seconds"] / size * 1000,
        build_cpu_ms_per_article=one["cpu_seconds"] / size * 1000,
        build_mb_per_1000=build["peak_mb"] / size * 1000,
        fts5_build_seconds=fts_build,
        fts5_build_cpu_seconds=fts_cpu,
        fts5_cpu_ms_per_article=fts_cpu / size * 1000,
        build_ratio=build["seconds"] / fts_build,
        build_one_ratio=one["seconds"] / fts_build,
        build_cpu_ratio=one["cpu_seconds"] / max(fts_cpu, 1e-9),
        build_all_cpu_ratio=build["cpu_seconds"] / max(fts_cpu, 1e-9),
        update_changed_added=changed,
        update_seconds=update["seconds"],
        update_share_of_build=update["seconds"] / build["seconds"],
        search_p50_ms=percentile(kz_lat, 0.5) * 1000,
        search_p95_ms=percentile(kz_lat, 0.95) * 1000,
        fts5_p50_ms=percentile(fts_lat, 0.5) * 1000,
        fts5_p95_ms=percentile(fts_lat, 0.95) * 1000,
        search_p50_ratio=percentile(kz_lat, 0.5) / percentile(fts_lat, 0.5),
        shared_p50_ms=percentile(kz_shared, 0.5) * 1000,
        shared_p95_ms=percentile(kz_shared, 0.95) * 1000,
        shared_p50_ratio=percentile(kz_shared, 0.5) / percentile(fts_lat, 0.5),
        whoosh_p50_ms=percentile(bare_lat, 0.5) * 1000,
        whoosh_p50_ratio=percentile(bare_lat, 0.5) / percentile(fts_lat, 0.5),
        whoosh_p95_ms=percentile(bare_lat, 0.95) * 1000,
        help_seconds=help_run["seconds"],
        help_cpu_seconds=help_run["cpu_seconds"],
        search_process_seconds=pair["first_seconds"],
        search_process_cpu_seconds=pair["first_cpu_seconds"],
        search_process_peak_mb=pair["first_peak_mb"],
        whoosh_script_seconds=pair["second_seconds"],
        whoosh_script_cpu_seconds=pair["second_cpu_seconds"],
        search_vs_whoosh_script=pair["ratio"],
        search_no_refresh_seconds=check_pair["second_seconds"],
        search_no_refresh_cpu_seconds=check_pair["second_cpu_seconds"],
        search_vs_no_refresh=check_pair["ratio"],
        summarize_seconds=summarize["seconds"],
        summarize_cpu_seconds=summarize["cpu_seconds"],
        topics_cold_seconds=topics_cold["seconds"],
        topics_cold_cpu_seconds=topics_cold["cpu_seconds"],
        topics_cold_peak_mb=topics_cold["peak_mb"],
        topics_cached_seconds=topics_cached["seconds"],
    )
    result["bench_seconds"] = time.perf_counter() - began  # generating the corpus included
    return result


def bench_bundled(work: Path, repeat: int) -> dict[str, float]:
    """``kzjp search`` on the bundled corpus beside the minimal Whoosh script on the same index."""
    bundled = Path(__file__).resolve().parent.parent / "corpus"
    index = work / "index-bundled"
    env_args = ["--corpus", str(bundled), "--index", str(index)]
    timed([KZJP, "index", "-q", *env_args])
    pair = paired(
        [KZJP, "search", "Tokayev", "-q", *env_args],
        [sys.executable, "-c", WHOOSH_SCRIPT, str(index), "Tokayev"],
        repeat,
    )
    return {
        "search_seconds": pair["first_seconds"],
        "whoosh_script_seconds": pair["second_seconds"],
        "ratio": pair["ratio"],
    }


# --- languages ---------------------------------------------------------------------------

LANGUAGE_QUERIES = {
    "en": ["Tokayev", "visa", '"Middle Corridor"', "tourism Japan", "judo"],
    "ru": ["визит", "Токаева", '"Центральная Азия"', "туристы Япония", "дзюдо"],
    "kk": ["сапар", "Жапонияға", "Тоқаев", "туристер", "дзюдо"],
    "ja": ["東京", "トカエフ", "首相官邸", "観光", "柔道"],
}


STARTUP_ARTICLES = 10
"""Articles in the small build that measures a language's start-up CPU."""


def bench_languages(work: Path, articles: int, seed: int) -> list[dict[str, object]]:
    """Per language: a one-process full build of ``articles`` generated articles in it (half without ``lang:``,
    some saved pages), its CPU per article, with and without the start-up a build of ``STARTUP_ARTICLES``
    costs, and in-process search latency."""
    from kzjp_cli import search
    from kzjp_cli.index import open_index

    results = []
    for code, queries in LANGUAGE_QUERIES.items():
        corpus, index = work / f"lang-{code}", work / f"lang-index-{code}"
        few = work / f"lang-{code}-{STARTUP_ARTICLES}"
        for folder in (corpus, index, few):
            shutil.rmtree(folder, ignore_errors=True)
        megabytes = generate.generate(corpus, articles, seed, (code,)) / 1e6
        generate.generate(few, STARTUP_ARTICLES, seed, (code,))
        # start-up (interpreter, imports, the language's analysers and models): the median of three small builds
        startup = statistics.median(
            timed([KZJP, "index", "--rebuild", "-q", "--jobs", "1", "--corpus", str(few), "--index", str(index)])[
                "cpu_seconds"
            ]
            for _ in range(3)
        )
        build = timed([KZJP, "index", "--rebuild", "-q", "--jobs", "1", "--corpus", str(corpus), "--index", str(index)])
        ci = open_index(corpus.resolve(), index)
        latencies = []
        for _ in range(3):
            for query in queries:
                start = time.perf_counter()
                search.search(ci, query, search.SearchOptions(limit=10), each=True)
                latencies.append(time.perf_counter() - start)
        results.append(
            {
                "lang": code,
                "articles": articles,
                "megabytes": megabytes,
                "build_seconds": build["seconds"],
                "build_cpu_seconds": build["cpu_seconds"],
                "build_cpu_ms_per_article": build["cpu_seconds"] / articles * 1000,
                "startup_cpu_seconds": startup,
                "build_cpu_ms_per_further_article": (build["cpu_seconds"] - startup)
                / (articles - STARTUP_ARTICLES)
                * 1000,
                "build_mb_per_second": megabytes / build["seconds"],
                "search_p50_ms": statistics.median(latencies) * 1e3,
            }
        )
    return results


def language_table(results: list[dict[str, object]]) -> str:
    lines = [
        f"{'language':10}{'articles':>10}{'MB':>8}{'build':>10}{'CPU':>10}{'CPU/article':>13}"
        f"{'start-up':>10}{'CPU/further':>13}{'search p50':>12}"
    ]
    for r in results:
        lines.append(
            f"{r['lang']:10}{r['articles']:>10}{r['megabytes']:>8.2f}{r['build_seconds']:>9.1f}s"
            f"{r['build_cpu_seconds']:>9.1f}s{r['build_cpu_ms_per_article']:>11.2f}ms"
            f"{r['startup_cpu_seconds']:>9.2f}s{r['build_cpu_ms_per_further_article']:>11.2f}ms"
            f"{r['search_p50_ms']:>10.1f}ms"
        )
    return "\n".join(lines)


ROWS = [
    ("corpus", "megabytes", "{:.1f} MB", None),
    ("full build, all processes", "build_seconds", "{:.1f} s", "build_ratio"),
    ("  per article", "build_ms_per_article", "{:.2f} ms", "growth"),
    ("  its CPU", "build_cpu_seconds", "{:.1f} s", "build_all_cpu_ratio"),
    ("full build, one process", "build_one_seconds", "{:.1f} s", "build_one_ratio"),
    ("  its CPU", "build_one_cpu_seconds", "{:.1f} s", "build_cpu_ratio"),
    ("  CPU per article", "build_cpu_ms_per_article", "{:.2f} ms", "growth"),
    ("  FTS5 build (one process)", "fts5_build_seconds", "{:.1f} s", None),
    ("    (FTS5 and tantivy build from text kzjp has read, and tantivy from its terms)", None, "", None),
    ("  FTS5 CPU", "fts5_build_cpu_seconds", "{:.1f} s", None),
    ("  FTS5 CPU per article", "fts5_cpu_ms_per_article", "{:.2f} ms", None),
    ("  tantivy build (one thread)", "tantivy_build_seconds", "{:.1f} s", "build_vs_tantivy"),
    ("  tantivy CPU per article", "tantivy_cpu_ms_per_article", "{:.2f} ms", "build_vs_tantivy_cpu"),
    ("  kzjp's reading and analysis", "prepare_cpu_ms_per_article", "{:.2f} ms", None),
    ("  build peak memory", "build_peak_mb", "{:.0f} MB", None),
    ("  per 1,000 articles", "build_mb_per_1000", "{:.1f} MB", "growth"),
    ("update 1% changed + 1% added", "update_seconds", "{:.1f} s", None),
    ("  share of a full build", "update_share_of_build", "{:.0%}", None),
    ("search p50 (in process)", "search_p50_ms", "{:.1f} ms", None),
    ("search p95 (in process)", "search_p95_ms", "{:.1f} ms", None),
    ("  shared queries, p50", "shared_p50_ms", "{:.1f} ms", "shared_p50_ratio"),
    ("  shared queries, p95", "shared_p95_ms", "{:.1f} ms", None),
    ("  FTS5 p50 / p95", "fts5_p50_ms", "{:.2f} ms", None),
    ("  tantivy p50 / p95", "tantivy_p50_ms", "{:.2f} ms", "shared_vs_tantivy"),
    ("  bare Whoosh p50, no snippets", "whoosh_p50_ms", "{:.1f} ms", "whoosh_p50_ratio"),
    ("  bare Whoosh p95", "whoosh_p95_ms", "{:.1f} ms", None),
    ("  --semantic p50 / p95", "semantic_p50_ms", "{:.1f} ms", None),
    ("kzjp --help", "help_seconds", "{:.2f} s", None),
    ("  its CPU", "help_cpu_seconds", "{:.3f} s", None),
    ("kzjp search (process)", "search_process_seconds", "{:.2f} s", "search_vs_whoosh_script"),
    ("  its CPU", "search_process_cpu_seconds", "{:.2f} s", None),
    ("  minimal Whoosh script", "whoosh_script_seconds", "{:.2f} s", None),
    ("    its CPU", "whoosh_script_cpu_seconds", "{:.2f} s", None),
    ("  with --no-refresh", "search_no_refresh_seconds", "{:.2f} s", "search_vs_no_refresh"),
    ("    its CPU", "search_no_refresh_cpu_seconds", "{:.2f} s", None),
    ("  search peak memory", "search_process_peak_mb", "{:.0f} MB", None),
    ("kzjp summarize ID", "summarize_seconds", "{:.2f} s", None),
    ("  its CPU", "summarize_cpu_seconds", "{:.2f} s", None),
    ("kzjp topics (cold)", "topics_cold_seconds", "{:.1f} s", None),
    ("  its CPU", "topics_cold_cpu_seconds", "{:.1f} s", None),
    ("kzjp topics (cached)", "topics_cached_seconds", "{:.2f} s", None),
    ("this size's benchmark", "bench_seconds", "{:.0f} s", None),
]
SUFFIXES = {
    "search_vs_whoosh_script": "x the script",
    "search_vs_no_refresh": "x unchecked",
    "shared_vs_tantivy": "x tantivy",
    "build_vs_tantivy_cpu": "x tantivy",
    "build_vs_tantivy": "x tantivy",
}
"""How a ratio is labelled; the rest are against FTS5."""
PAIRED = {"fts5_p50_ms": "fts5_p95_ms", "tantivy_p50_ms": "tantivy_p95_ms", "semantic_p50_ms": "semantic_p95_ms"}


def table(results: list[dict[str, object]]) -> str:
    header = f"{'':32}" + "".join(f"{str(r['articles']) + ' articles':>28}" for r in results)
    lines = [header]
    for label, key, fmt, ratio in ROWS:
        if key is None:
            lines.append(label)
            continue
        if not any(key in r for r in results):
            continue  # tantivy not installed, or no model for vectors
        cells = []
        for r in results:
            if key not in r:
                cells.append(f"{'-':>28}")
                continue
            cell = fmt.format(r[key])
            if key in PAIRED:
                cell += " / " + fmt.split()[0].format(r[PAIRED[key]])
            if ratio == "growth":  # against the smallest size: 1.0x everywhere is linear growth
                cell += f" ({r[key] / results[0][key]:.2f}x)"
            elif ratio and ratio in r:
                cell += f" ({r[ratio]:.1f}{SUFFIXES.get(ratio, 'x FTS5')})"
            cells.append(f"{cell:>28}")
        lines.append(f"{label:32}" + "".join(cells))
    return "\n".join(lines)


def compile_bytecode() -> None:
    """Compile kzjp's modules, as pip does when it installs a wheel.

    An editable install leaves that to the first run, which never happens when
    PYTHONDONTWRITEBYTECODE is set (as on this project's machines): every
    command would then compile kzjp from source, about 30 ms a run.
    """
    import compileall

    import kzjp_cli

    compileall.compile_dir(Path(kzjp_cli.__file__).parent, quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3, help="passes over the query set, in process")
    parser.add_argument("--repeat", type=int, default=5, help="runs of each whole-process command")
    parser.add_argument("--json", type=Path, default=Path(__file__).parent / "out" / "results.json")
    parser.add_argument("--work", type=Path, help="folder for corpora and indexes (default: a temporary one)")
    parser.add_argument(
        "--language-articles", type=int, default=1000, help="articles per language for the per-language measure"
    )
    parser.add_argument("--languages", default="en,ru,kk,ja", help="the generated corpus's languages")
    parser.add_argument(
        "--vector-articles", type=int, default=200, help="articles whose real vectors are timed (0: not measured)"
    )
    args = parser.parse_args()
    languages = tuple(args.languages.split(","))
    work = args.work or Path(tempfile.mkdtemp(prefix="kzjp-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    load_before = round(os.getloadavg()[0], 2)
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {size} articles in {work} …", file=sys.stderr)
        results.append(bench_size(size, args.seed, args.jobs, args.rounds, args.repeat, work, languages))
        print(table(results), file=sys.stderr)  # so far: a long run's sizes are not lost to a later failure
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"python": sys.version.split()[0], "results": results}, indent=2))
    bundled = bench_bundled(work, args.repeat)
    print(f"benchmarking each language ({args.language_articles} articles) …", file=sys.stderr)
    per_language = bench_languages(work, args.language_articles, args.seed)
    vectors = vectors_cost(work, args.vector_articles, args.seed, languages) if args.vector_articles else {}
    print(f"load before: {load_before}; after: {os.getloadavg()[0]:.2f} (1-minute average, {os.cpu_count()} CPUs)")
    print(table(results))
    print(
        f"\nbundled corpus: kzjp search {bundled['search_seconds']:.2f} s, minimal Whoosh script "
        f"{bundled['whoosh_script_seconds']:.2f} s ({bundled['ratio']:.2f}x, median of alternating pairs)"
    )
    print("\nper language (one-process full build, in-process search):\n" + language_table(per_language))
    if vectors:
        print(
            f"\nvectors (kzjp index --vectors, {vectors['articles']} articles, one process): "
            f"{vectors['cpu_seconds_per_1000']:.0f} s CPU and {vectors['seconds_per_1000']:.0f} s wall "
            "per 1,000 articles"
        )
    args.json.parent.mkdir(parents=True, exist_ok=True)
    summary = {
        "python": sys.version.split()[0],
        "load_before": load_before,
        "results": results,
        "bundled": bundled,
        "languages": per_language,
        "vectors": vectors,
    }
    args.json.write_text(json.dumps(summary, indent=2))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\nthe benchmark's own peak memory: {peak:.0f} MB; wrote {args.json}", file=sys.stderr)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
