"""Sentence splitting against the segments of a sentence-aligned parallel news set (NTREX-128's shape).

    python bench/sentences.py --parallel DIR [--docs odd]
    python bench/sentences.py --summaries DIR     # the BBC News Summary set: English

Each document's segments (one a line, the headline left out) are joined into
one paragraph and split again; a segment counts as reproduced when the splitter gives it back
exactly (white space counted as one space). NTREX's segments are translators' units: a few hold two sentences,
so no splitter reaches 1.0. The baseline cuts after every . ! ? (。！？ in
Japanese) that a space or the end follows.

With ``--summaries``, a set laid out as BBC News Summary's (``News
Articles/TOPIC/N.txt`` beside ``Summaries/TOPIC/N.txt``, each summary a run of
the article's own sentences written together): the share of the summaries'
text (white space aside) that lies in sentences the splitter gives whole.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from crosslingual import documents

NAIVE = {"ja": re.compile(r"(?<=[。！？])"), "other": re.compile(r"(?<=[.!?])\s+")}


def agreement(docs: list[list[str]], split: object, lang: str) -> float:
    """The share of gold segments that come back exactly."""
    found = total = 0
    joiner = "" if lang == "ja" else " "
    for segments in docs:
        gold = [" ".join(s.split()) for s in segments[1:] if s]  # the first is the headline, with no final stop
        got = {" ".join(s.split()) for s in split(joiner.join(gold), lang)}  # type: ignore[operator]
        found += sum(1 for s in gold if s in got)
        total += len(gold)
    return found / max(total, 1)


def kzjp_split(text: str, lang: str) -> list[str]:
    from kzjp_cli.languages import sentences

    return [s.text for s in sentences.split(text, lang)]


def naive_split(text: str, lang: str) -> list[str]:
    pattern = NAIVE["ja" if lang == "ja" else "other"]
    return [s.strip() for s in pattern.split(text) if s.strip()]


def summary_coverage(root: Path, split: object) -> float:
    """The share of the summaries' characters inside sentences ``split`` gives whole from the articles."""
    covered = total = 0
    for article in sorted((root / "News Articles").glob("*/*.txt")):
        summary = root / "Summaries" / article.parent.name / article.name
        wanted = re.sub(r"\s+", "", summary.read_bytes().decode("utf-8", "replace"))
        body = article.read_bytes().decode("utf-8", "replace").strip().partition("\n")[2]
        pieces = [re.sub(r"\s+", "", s) for line in body.splitlines() if line.strip() for s in split(line, "en")]  # type: ignore[operator]
        covered += min(len(wanted), sum(len(p) for p in pieces if p and p in wanted))
        total += len(wanted)
    return covered / max(total, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parallel", type=Path)
    parser.add_argument("--summaries", type=Path)
    parser.add_argument("--docs", choices=["all", "even", "odd"], default="all")
    args = parser.parse_args()
    if args.summaries:
        ours, naive = summary_coverage(args.summaries, kzjp_split), summary_coverage(args.summaries, naive_split)
        print(f"summary text in whole sentences: kzjp {ours:.4f}, naive {naive:.4f}")
    if not args.parallel:
        return
    docs = documents(args.parallel, args.docs)
    print("lang  segments  kzjp   naive")
    for lang, texts in docs.items():
        count = sum(len(t) - 1 for t in texts)
        ours, naive = agreement(texts, kzjp_split, lang), agreement(texts, naive_split, lang)
        print(f"{lang:<4}  {count:>8}  {ours:.3f}  {naive:.3f}")


if __name__ == "__main__":
    main()
