"""Story grouping on planted data: pairwise precision and recall of ``kzjp stories``' pairs.

    python bench/stories.py --parallel DIR [--docs odd] [--near 0.3] [--meaning 0.45]

Each document of a parallel news set (NTREX-128's shape, see
``bench/crosslingual.py``) becomes one story told four times: in English,
Russian, Kazakh and Japanese (the cross-language copies). Every third
document also gets an edited reprint in English and in Russian, a day later
from another source: a dateline added, its last sentence dropped, every
eighth word dropped (the near copies). Every document falls within the same
three days, so the date window separates nothing: the other documents are
the negatives, the hardest of them the stories told in one or two languages
only (every fourth document only in English, every fourth from the third
only in Japanese and Kazakh), whose nearest article in another language is
always a wrong one, and synthetic articles from ``bench/generate.py`` on the
corpus's own subject (Kazakhstan and Japan) dated in the same days are
further ones. A pair of articles is right when kzjp puts it in one story
exactly when the truth does. ``--docs even`` and ``--docs odd`` split the
documents, so thresholds chosen on one half are measured on the other;
``--sweep`` prints precision and recall over a range of thresholds.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from crosslingual import documents
from generate import generate

DAY = dt.date(2026, 11, 20)


def plant(docs: dict[str, list[list[str]]], corpus: Path, distractors: int) -> dict[str, str]:
    """Write the planted corpus; return each article id's true story."""
    truth: dict[str, str] = {}

    def write(article_id: str, title: str, body: str, lang: str, day: dt.date, source: str) -> None:
        path = corpus / f"{article_id}.md"
        path.parent.mkdir(parents=True, exist_ok=True)
        title = title.replace('"', "'")
        front = f'---\ntitle: "{title}"\ndate: {day}\nlang: {lang}\nsource: {source}\n---\n'
        path.write_text(front + body + "\n", "utf-8")

    for code, texts in docs.items():
        for number, sentences in enumerate(texts):
            story = f"d{number:03d}"
            if (number % 4 == 1 and code != "en") or (number % 4 == 3 and code not in ("ja", "kk")):
                continue  # stories told in some languages only: their other versions would be the wrong match
            day = DAY + dt.timedelta(days=number % 3)
            write(f"{story}.{code}", sentences[0], "\n".join(sentences[1:]) or sentences[0], code, day, f"Wire {code}")
            truth[f"{story}.{code}"] = story
            if number % 3 == 0 and code in ("en", "ru") and len(sentences) > 3:
                kept = sentences[1:-1]
                edited = [" ".join(w for n, w in enumerate(s.split()) if n % 8 != 7) for s in kept]
                body = "ALMATY (Reprint) — " + "\n".join(edited)
                write(f"{story}.{code}.reprint", sentences[0], body, code, day + dt.timedelta(days=1), "Reprint")
                truth[f"{story}.{code}.reprint"] = story
    if distractors:
        folder = corpus / "same-subject"
        generate(folder, distractors, seed=11)
        for number, path in enumerate(sorted(folder.rglob("*.md"))):
            text = path.read_text("utf-8")
            lines = text.split("\n")
            lines = [
                f"date: {DAY + dt.timedelta(days=number % 3)}" if line.startswith("date:") else line for line in lines
            ]
            path.write_text("\n".join(lines), "utf-8")
            truth[f"same-subject/{path.relative_to(folder).with_suffix('')}"] = f"g{number}"
    return truth


def score(truth: dict[str, str], story_of: dict[str, str]) -> tuple[float, float, int, int]:
    """Pairwise precision and recall of ``story_of`` against ``truth``, and the true and found pair counts."""

    def pairs(mapping: dict[str, str]) -> set[tuple[str, str]]:
        groups: dict[str, list[str]] = {}
        for article_id, story in mapping.items():
            if article_id in truth:
                groups.setdefault(story, []).append(article_id)
        return {tuple(sorted(p)) for g in groups.values() for p in itertools.combinations(g, 2)}  # type: ignore[misc]

    true, found = pairs(truth), pairs(story_of)
    right = len(true & found)
    return right / max(len(found), 1), right / max(len(true), 1), len(true), len(found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parallel", type=Path, required=True, help="Folder of the parallel set.")
    parser.add_argument("--docs", choices=["all", "even", "odd"], default="odd", help="Which half of the documents.")
    parser.add_argument("--distractors", type=int, default=200, help="Synthetic same-subject articles.")
    parser.add_argument("--sweep", action="store_true", help="Precision and recall over thresholds.")
    parser.add_argument("--keep", type=Path, help="Build in this folder and keep it (reused when it exists).")
    args = parser.parse_args()

    from kzjp_cli import stories
    from kzjp_cli.index import open_index

    work = args.keep or Path(tempfile.mkdtemp(prefix="kzjp-stories-"))
    try:
        corpus, ix = work / "corpus", work / "ix"
        if not corpus.exists():
            truth = plant(documents(args.parallel, args.docs), corpus, args.distractors)
            (work / "truth.tsv").write_text("".join(f"{a}\t{s}\n" for a, s in truth.items()), "utf-8")
            started = time.perf_counter()
            where = ["--corpus", str(corpus), "--index", str(ix)]
            subprocess.run(["kzjp", "index", "--vectors", "-q", *where], check=True)
            print(f"indexed with vectors in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        truth = dict(line.split("\t") for line in (work / "truth.tsv").read_text("utf-8").splitlines())
        index = open_index(corpus, ix)
        articles = index.articles()
        ids, matrix = index.vectors()
        settings = [(stories.NEAR, 9.0), (stories.NEAR, stories.MEANING)]  # 9: copies alone, no meaning
        if args.sweep:
            settings = [(n, stories.MEANING) for n in (0.2, 0.3, 0.4, 0.5)]
            settings += [(stories.NEAR, m) for m in (0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6)]
        print(f"{len(truth)} articles, {len(set(truth.values()))} stories ({args.docs} documents)")
        print("near  meaning  precision  recall  true pairs  found pairs  seconds")
        for near, meaning in settings:
            stories.NEAR, stories.MEANING = near, meaning
            started = time.perf_counter()
            found = stories.near_pairs(articles) | stories.meaning_pairs(articles, ids, matrix)
            grouped = stories.group(articles, found)
            took = time.perf_counter() - started
            precision, recall, true, pairs = score(truth, grouped.of)
            print(f"{near:<5} {meaning:<8} {precision:>9.3f}  {recall:>6.3f}  {true:>10}  {pairs:>11}  {took:>7.2f}")
    finally:
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
