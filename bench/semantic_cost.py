"""What ``kzjp search --semantic`` costs a query, beside search by words, on a generated corpus.

    python bench/semantic_cost.py --articles 10000

The corpus is ``generate.py``'s; its vectors are random unit vectors (what a
query costs does not depend on where the vectors point, and computing 10,000
real ones takes most of an hour: ``bench/crosslingual.py`` measures that and
the quality). The query's vector is the real model's. Prints the in-process
p50 and p95 of both, over the benchmark's queries, and the vector file's size.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
import run as bench_run  # noqa: E402

QUERIES = [
    "state visit to Japan",
    "uranium supplies for power plants",
    "Middle Corridor transit",
    "tourism visa",
    "hydrogen",
    "Tokayev Takaichi",
    "rail freight through the Caspian Sea",
    "judo championships in Almaty",
    "rare earth elements",
    "customs at the Port of Aktau",
    "investment forum",
    "grain exports",
]


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="Runs of every query.")
    args = parser.parse_args()

    from kzjp_cli import search
    from kzjp_cli.index import embedding, open_index
    from kzjp_cli.index.vectors import VectorStore
    from kzjp_cli.store import SearchOptions

    work = Path(tempfile.mkdtemp(prefix="kzjp-semantic-"))
    try:
        corpus = work / "corpus"
        command = [sys.executable, str(HERE / "generate.py"), "--articles", str(args.articles), "--out", str(corpus)]
        subprocess.run(command, check=True, capture_output=True)
        count = bench_run.random_vectors(corpus, work / "index")
        index = open_index(corpus, work / "index")
        store = VectorStore(work / "index")
        embedding.query("warm up")
        times: dict[str, list[float]] = {"words": [], "semantic": []}
        for _ in range(args.repeat):
            for query in QUERIES:
                for name, run in (("words", search.search), ("semantic", search.semantic)):
                    started = time.perf_counter()
                    run(index, query, SearchOptions(limit=10))
                    times[name].append(time.perf_counter() - started)
        for name, values in times.items():
            p50, p95 = 1000 * statistics.median(values), 1000 * percentile(values, 0.95)
            print(f"{name:>9}: p50 {p50:.1f} ms, p95 {p95:.1f} ms ({len(values)} queries, {args.articles:,} articles)")
        size = store.bytes_on_disk()
        print(f"vectors: {size:,} bytes for {count:,} ({size / count * 1000 / 1e6:.2f} MB per 1,000)")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
