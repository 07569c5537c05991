"""Cross-language retrieval on parallel news text: words alone, meaning alone, and both fused (``--semantic``).

    python bench/crosslingual.py --parallel DIR [--docs odd] [--chars 600]

DIR holds a parallel news set in four files aligned a sentence a line
(``eng.txt``, ``rus.txt``, ``kaz.txt``, ``jpn.txt``) and ``ids.tsv``, the
document of each line: NTREX-128 (Microsoft, CC BY-SA 4.0: 123 documents
of newstest2019 translated into 128 languages) has that shape. Each document
becomes one article a language (its first sentence the title), indexed by
kzjp with vectors. For each query language and each other language, the
title of every document is searched for among the other language's articles;
success@1 is how often that document's version comes first. Beside it:
English known-item search (the English title among all four languages'
articles) by words alone and fused. ``--docs even`` and ``--docs odd`` split
the documents, so a choice tuned on one half is measured on the other.
"""

from __future__ import annotations

import argparse
import re
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

LANGS = {"en": "eng", "ru": "rus", "kk": "kaz", "ja": "jpn"}
_SPECIAL = re.compile(r"[\"():*?~^\[\]{}+\-!/\\]|\b(?:AND|OR|NOT|ANDNOT|ANDMAYBE)\b")


def documents(folder: Path, which: str) -> dict[str, list[list[str]]]:
    """Each language's documents (lists of sentences), in document order, of the half asked for."""
    ids = (folder / "ids.tsv").read_text(encoding="utf-8").splitlines()
    order = list(dict.fromkeys(ids))
    keep = {doc for n, doc in enumerate(order) if which == "all" or (n % 2 == 0) == (which == "even")}
    found: dict[str, list[list[str]]] = {}
    for code, name in LANGS.items():
        lines = (folder / f"{name}.txt").read_text(encoding="utf-8").splitlines()
        assert len(lines) == len(ids), f"{name}.txt is not aligned with ids.tsv"
        docs: dict[str, list[str]] = {}
        for doc, line in zip(ids, lines, strict=True):
            if doc in keep:
                docs.setdefault(doc, []).append(line.strip())
        found[code] = [docs[doc] for doc in order if doc in keep]
    return found


def write_corpus(docs: dict[str, list[list[str]]], corpus: Path) -> None:
    for code, texts in docs.items():
        for number, sentences in enumerate(texts):
            title, body = sentences[0], "\n".join(sentences[1:]) or sentences[0]
            path = corpus / code / f"{number:03d}.md"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f'---\ntitle: "{title.replace(chr(34), chr(39))}"\nlang: {code}\n---\n{body}\n', "utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parallel", type=Path, required=True, help="Folder of the parallel set (see above).")
    parser.add_argument("--docs", choices=["all", "even", "odd"], default="odd", help="Which half of the documents.")
    parser.add_argument("--chars", type=int, help="Characters of an article a vector reads (default: kzjp's).")
    parser.add_argument("--words-weight", type=float, help="The word ranking's weight in the fusion (default: kzjp's).")
    args = parser.parse_args()

    from kzjp_cli import search
    from kzjp_cli.errors import QueryError
    from kzjp_cli.index import embedding, open_index
    from kzjp_cli.store import SearchOptions

    if args.chars:
        embedding.PASSAGE_CHARS = args.chars
    if args.words_weight is not None:
        search.WORDS_WEIGHT = args.words_weight
    docs = documents(args.parallel, args.docs)
    count = len(docs["en"])
    work = Path(tempfile.mkdtemp(prefix="kzjp-crosslingual-"))
    try:
        write_corpus(docs, work / "corpus")
        index = open_index(work / "corpus", work / "index")
        started, cpu = time.perf_counter(), time.process_time()
        made = index.compute_vectors()
        seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu
        print(
            f"{count} documents x 4 languages; {made} vectors in {seconds:.1f} s wall, {cpu_seconds:.1f} s CPU "
            f"({1000 * seconds / made:.0f} s wall per 1,000 articles); {embedding.PASSAGE_CHARS} characters each"
        )
        ids = index.vectors()[0]
        space = search.Space.of(index)
        print(f"{'query':>5} {'target':>6}  {'words':>6}  {'meaning':>7}  {'fused':>6}")
        fused_times: list[float] = []
        table: dict[tuple[str, str], tuple[float, float, float]] = {}
        for source in LANGS:
            for target in LANGS:
                if source == target:
                    continue
                hits = [0, 0, 0]
                targets = [n for n, article_id in enumerate(ids) if article_id.startswith(f"{target}/")]
                for number in range(count):
                    title = docs[source][number][0]
                    wanted = f"{target}/{number:03d}"
                    words = " ".join(_SPECIAL.sub(" ", title).split())
                    options = SearchOptions(limit=1, langs=(target,), suggest=False)
                    try:  # any of the title's words: every one of them is never in a translation
                        found = search.search(index, " OR ".join(words.split()), options, each=True).hits
                    except QueryError:
                        found = []
                    hits[0] += bool(found) and found[0].article.id == wanted
                    allowed = frozenset(ids[n] for n in targets)
                    best = space.nearest(embedding.query(title), source, allowed=allowed)[0][0]
                    hits[1] += best == wanted
                    started = time.perf_counter()
                    try:  # the title as a user would paste it (the words part skips what it cannot parse)
                        found = search.semantic(index, title, options, each=True).hits
                    except QueryError:
                        found = []
                    fused_times.append(time.perf_counter() - started)
                    hits[2] += bool(found) and found[0].article.id == wanted
                table[(source, target)] = tuple(h / count for h in hits)  # type: ignore[assignment]
                print(
                    f"{source:>5} {target:>6}  {hits[0] / count:6.3f}  {hits[1] / count:7.3f}  {hits[2] / count:6.3f}"
                )
        known = [0, 0]
        for number in range(count):
            title = " ".join(_SPECIAL.sub(" ", docs["en"][number][0]).split())
            for n, run in enumerate((search.search, search.semantic)):
                try:
                    found = run(index, title, SearchOptions(limit=1, suggest=False)).hits
                except QueryError:
                    found = []
                known[n] += bool(found) and found[0].article.id == f"en/{number:03d}"
        print(
            f"English known-item success@1 among all four languages: words {known[0] / count:.3f}, "
            f"fused {known[1] / count:.3f}"
        )
        fused_times.sort()
        print(
            f"--semantic in process: p50 {1000 * statistics.median(fused_times):.0f} ms, "
            f"p95 {1000 * fused_times[int(0.95 * len(fused_times))]:.0f} ms over {len(fused_times)} queries"
        )
        print(f"vectors on disk: {index_vectors_bytes(work / 'index')} bytes for {len(ids)} vectors")
    finally:
        shutil.rmtree(work, ignore_errors=True)


def index_vectors_bytes(root: Path) -> int:
    from kzjp_cli.index.vectors import VectorStore

    return VectorStore(root).bytes_on_disk()


if __name__ == "__main__":
    sys.exit(main())
