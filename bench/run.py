"""Benchmark kzjp beside SQLite FTS5 on generated corpora; print a table and write JSON.

    python bench/run.py --sizes 1000,10000 --json bench/out/results.json
    python bench/run.py --sizes 1000,10000,50000,100000    # the scale curve: 11-13 minutes on 2 quiet cores, 17-25 busy

Every kzjp figure is also given as a ratio to FTS5 (or to a minimal Whoosh
script) measured in the same run: the machines are shared and noisy, and
ratios taken side by side are what count. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import json
import os
import random
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


def fts5_build(corpus: Path, db: Path) -> tuple[float, float]:
    """Wall and CPU seconds to build the FTS5 index of ``corpus`` in this one process, the rows streamed from
    the files (never all held at once)."""
    from kzjp_cli.articles import parse_article

    start, cpu = time.perf_counter(), time.process_time()
    con = sqlite3.connect(db)
    con.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, date UNINDEXED, title, body, tokenize='porter')")

    def rows() -> Iterator[tuple[str, str | None, str, str]]:
        for path in sorted(corpus.rglob("*.md")):
            article = parse_article(path.read_text(encoding="utf-8"), id=path.stem, path=str(path), suffix=".md")
            yield article.id, article.date.isoformat() if article.date else None, article.title, article.body

    con.executemany("INSERT INTO docs VALUES (?, ?, ?, ?)", rows())
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
        for _, query, dates in QUERIES:
            if query is None:
                continue
            extra, params = "", [query]
            if dates:
                extra, params = "AND date BETWEEN ? AND ?", [query, *dates]
            start = time.perf_counter()
            con.execute(sql.format(extra=extra), params).fetchall()
            latencies.append(time.perf_counter() - start)
    con.close()
    return latencies


# --- kzjp -----------------------------------------------------------------------------


def kzjp_latencies(corpus: Path, index: Path, rounds: int, shared: bool = False) -> list[float]:
    """kzjp's in-process latency of each query (with ``shared``, only those FTS5 runs too: the same set for
    both engines)."""
    from kzjp_cli import search
    from kzjp_cli.index import open_index

    ci = open_index(corpus.resolve(), index)
    latencies = []
    for _ in range(rounds):
        for query, fts_query, _ in QUERIES:
            if shared and fts_query is None:
                continue
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


def bench_size(size: int, seed: int, jobs: int, rounds: int, repeat: int, work: Path) -> dict[str, object]:
    began = time.perf_counter()
    corpus, index, db = work / f"corpus-{size}", work / f"index-{size}", work / f"fts-{size}.db"
    for path in (corpus, index):
        shutil.rmtree(path, ignore_errors=True)
    db.unlink(missing_ok=True)
    megabytes = generate.generate(corpus, size, seed) / 1e6
    env_args = ["--corpus", str(corpus), "--index", str(index)]
    result: dict[str, object] = {"articles": size, "megabytes": round(megabytes, 1), "jobs": jobs}

    build = timed([KZJP, "index", "--rebuild", "-q", "--jobs", str(jobs), *env_args])
    one = timed([KZJP, "index", "--rebuild", "-q", "--jobs", "1", *env_args]) if jobs > 1 else build
    fts_build, fts_cpu = fts5_build(corpus, db)
    changed = mutate(corpus, seed)
    update = timed([KZJP, "index", "-q", *env_args])
    fts_lat = fts5_latencies(db, rounds)
    kz_lat = kzjp_latencies(corpus, index, rounds)
    kz_shared = kzjp_latencies(corpus, index, rounds, shared=True)
    bare_lat = whoosh_latencies(index, rounds)

    some_id = sorted(p.relative_to(corpus).with_suffix("").as_posix() for p in corpus.rglob("*.md"))[0]
    pair = paired(
        [KZJP, "search", "tourism", "-q", *env_args],
        [sys.executable, "-c", WHOOSH_SCRIPT, str(index), "tourism"],
        repeat,
    )
    for cache in index.glob("gen-*/cache/topics*.json"):
        cache.unlink()
    topics_cold = timed([KZJP, "topics", "-q", *env_args])
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
        help_seconds=timed([KZJP, "--help"], repeat)["seconds"],
        search_process_seconds=pair["first_seconds"],
        search_process_cpu_seconds=pair["first_cpu_seconds"],
        search_process_peak_mb=pair["first_peak_mb"],
        whoosh_script_seconds=pair["second_seconds"],
        whoosh_script_cpu_seconds=pair["second_cpu_seconds"],
        search_vs_whoosh_script=pair["ratio"],
        summarize_seconds=timed([KZJP, "summarize", some_id, "-q", *env_args], repeat)["seconds"],
        topics_cold_seconds=topics_cold["seconds"],
        topics_cold_peak_mb=topics_cold["peak_mb"],
        topics_cached_seconds=timed([KZJP, "topics", "-q", *env_args], repeat)["seconds"],
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
LANGUAGE_SOURCES = {
    "en": Path(__file__).resolve().parent.parent / "corpus",
    **{code: Path(__file__).resolve().parent.parent / "tests" / "data" / "multilingual" for code in ("ru", "kk", "ja")},
}


def language_corpus(code: str, out: Path, articles: int, seed: int) -> float:
    """``articles`` articles in one language, each 8-24 sentences recombined from kzjp's own texts in it; MB."""
    from kzjp_cli.articles import parse_article
    from kzjp_cli.languages import sentences

    pool = []
    for path in sorted(LANGUAGE_SOURCES[code].iterdir()):
        article = parse_article(path.read_text(encoding="utf-8"), id=path.stem, path=str(path), suffix=path.suffix)
        if article.lang == code:
            pool += [s.text for s in sentences.split(article.body, code)]
    rng = random.Random(seed)
    out.mkdir(parents=True, exist_ok=True)
    size = 0
    for number in range(articles):
        body = "\n\n".join(
            " ".join(rng.choice(pool) for _ in range(rng.randint(2, 4))) for _ in range(rng.randint(4, 6))
        )
        text = f"---\nlang: {code}\ndate: 2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}\n---\n{body}\n"
        (out / f"{code}{number:05d}.md").write_text(text, encoding="utf-8")
        size += len(text.encode("utf-8"))
    return size / 1e6


def bench_languages(work: Path, articles: int, seed: int) -> list[dict[str, object]]:
    """Per language: a one-process full build's throughput (MB/s) and in-process search latency."""
    from kzjp_cli import search
    from kzjp_cli.index import open_index

    results = []
    for code, queries in LANGUAGE_QUERIES.items():
        corpus, index = work / f"lang-{code}", work / f"lang-index-{code}"
        shutil.rmtree(corpus, ignore_errors=True)
        shutil.rmtree(index, ignore_errors=True)
        megabytes = language_corpus(code, corpus, articles, seed)
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
                "build_mb_per_second": megabytes / build["seconds"],
                "search_p50_ms": statistics.median(latencies) * 1e3,
            }
        )
    return results


def language_table(results: list[dict[str, object]]) -> str:
    lines = [f"{'language':10}{'articles':>10}{'MB':>8}{'build':>10}{'MB/s':>8}{'search p50':>12}"]
    for r in results:
        lines.append(
            f"{r['lang']:10}{r['articles']:>10}{r['megabytes']:>8.2f}{r['build_seconds']:>9.1f}s"
            f"{r['build_mb_per_second']:>8.2f}{r['search_p50_ms']:>10.1f}ms"
        )
    return "\n".join(lines)


ROWS = [
    ("corpus", "megabytes", "{:.1f} MB", None),
    ("full build, all processes", "build_seconds", "{:.1f} s", "build_ratio"),
    ("  per article", "build_ms_per_article", "{:.2f} ms", "growth"),
    ("  its CPU", "build_cpu_seconds", "{:.1f} s", None),
    ("full build, one process", "build_one_seconds", "{:.1f} s", "build_one_ratio"),
    ("  its CPU", "build_one_cpu_seconds", "{:.1f} s", "build_cpu_ratio"),
    ("  CPU per article", "build_cpu_ms_per_article", "{:.2f} ms", "growth"),
    ("  FTS5 build (one process)", "fts5_build_seconds", "{:.1f} s", None),
    ("  FTS5 CPU", "fts5_build_cpu_seconds", "{:.1f} s", None),
    ("  FTS5 CPU per article", "fts5_cpu_ms_per_article", "{:.2f} ms", None),
    ("  build peak memory", "build_peak_mb", "{:.0f} MB", None),
    ("  per 1,000 articles", "build_mb_per_1000", "{:.1f} MB", "growth"),
    ("update 1% changed + 1% added", "update_seconds", "{:.1f} s", None),
    ("  share of a full build", "update_share_of_build", "{:.0%}", None),
    ("search p50 (in process)", "search_p50_ms", "{:.1f} ms", "search_p50_ratio"),
    ("search p95 (in process)", "search_p95_ms", "{:.1f} ms", None),
    ("  on FTS5's queries, p50", "shared_p50_ms", "{:.1f} ms", "shared_p50_ratio"),
    ("  on FTS5's queries, p95", "shared_p95_ms", "{:.1f} ms", None),
    ("  FTS5 p50 / p95", "fts5_p50_ms", "{:.2f} ms", None),
    ("  bare Whoosh p50, no snippets", "whoosh_p50_ms", "{:.1f} ms", "whoosh_p50_ratio"),
    ("  bare Whoosh p95", "whoosh_p95_ms", "{:.1f} ms", None),
    ("kzjp --help", "help_seconds", "{:.2f} s", None),
    ("kzjp search (process)", "search_process_seconds", "{:.2f} s", "search_vs_whoosh_script"),
    ("  its CPU", "search_process_cpu_seconds", "{:.2f} s", None),
    ("  minimal Whoosh script", "whoosh_script_seconds", "{:.2f} s", None),
    ("    its CPU", "whoosh_script_cpu_seconds", "{:.2f} s", None),
    ("  search peak memory", "search_process_peak_mb", "{:.0f} MB", None),
    ("kzjp summarize ID", "summarize_seconds", "{:.2f} s", None),
    ("kzjp topics (cold)", "topics_cold_seconds", "{:.1f} s", None),
    ("kzjp topics (cached)", "topics_cached_seconds", "{:.2f} s", None),
    ("this size's benchmark", "bench_seconds", "{:.0f} s", None),
]


def table(results: list[dict[str, object]]) -> str:
    header = f"{'':32}" + "".join(f"{str(r['articles']) + ' articles':>26}" for r in results)
    lines = [header]
    for label, key, fmt, ratio in ROWS:
        cells = []
        for r in results:
            cell = fmt.format(r[key])
            if key == "fts5_p50_ms":
                cell += f" / {r['fts5_p95_ms']:.2f}"
            if ratio == "growth":  # against the smallest size: 1.0x everywhere is linear growth
                cell += f" ({r[key] / results[0][key]:.2f}x)"
            elif ratio:
                suffix = " vs FTS5" if ratio != "search_vs_whoosh_script" else " vs Whoosh"
                cell += f" ({r[ratio]:.1f}x{suffix})"
            cells.append(f"{cell:>26}")
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
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="kzjp-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    compile_bytecode()
    results = []
    for size in (int(s) for s in args.sizes.split(",")):
        print(f"benchmarking {size} articles in {work} …", file=sys.stderr)
        results.append(bench_size(size, args.seed, args.jobs, args.rounds, args.repeat, work))
    bundled = bench_bundled(work, args.repeat)
    print(f"benchmarking each language ({args.language_articles} articles) …", file=sys.stderr)
    per_language = bench_languages(work, args.language_articles, args.seed)
    print(table(results))
    print(
        f"\nbundled corpus: kzjp search {bundled['search_seconds']:.2f} s, minimal Whoosh script "
        f"{bundled['whoosh_script_seconds']:.2f} s ({bundled['ratio']:.2f}x, median of alternating pairs)"
    )
    print("\nper language (one-process full build, in-process search):\n" + language_table(per_language))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    summary = {"python": sys.version.split()[0], "results": results, "bundled": bundled, "languages": per_language}
    args.json.write_text(json.dumps(summary, indent=2))
    print(f"\nwrote {args.json}", file=sys.stderr)
    if not args.work:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
