"""Sentence splitting against the segments of a sentence-aligned parallel news set (NTREX-128's shape).

    python bench/sentences.py --parallel DIR [--docs odd]

Each document's segments (one a line, the headline left out) are joined into
one paragraph and split again; a segment counts as reproduced when the splitter gives it back
exactly (white space counted as one space). NTREX's segments are translators' units: a few hold two sentences,
so no splitter reaches 1.0. The baseline cuts after every . ! ? (。！？ in
Japanese) that a space or the end follows.
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--parallel", type=Path, required=True)
    parser.add_argument("--docs", choices=["all", "even", "odd"], default="all")
    args = parser.parse_args()
    docs = documents(args.parallel, args.docs)
    print("lang  segments  kzjp   naive")
    for lang, texts in docs.items():
        count = sum(len(t) - 1 for t in texts)
        ours, naive = agreement(texts, kzjp_split, lang), agreement(texts, naive_split, lang)
        print(f"{lang:<4}  {count:>8}  {ours:.3f}  {naive:.3f}")


if __name__ == "__main__":
    main()
