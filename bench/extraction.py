"""How well kzjp finds the story in a web page, beside two baselines, on pages no kzjp code was tuned on.

Each page in ``bench/extraction/`` has a ``.expected.txt``: title, date and
language on the first three lines, then the story. The story's words (each
kana or kanji a word of its own) are compared as bags with what each
extractor returns: precision, recall and F1. Baselines: every word of the
page (lxml's ``text_content()``) and sumy's ``HtmlParser`` (breadability, a
readability port).

    .venv/bin/python bench/extraction.py
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kzjp_cli.articles import from_text, parse_article
from kzjp_cli.articles import pages as extract

PAGES = Path(__file__).resolve().parent / "extraction"
WORD = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]|[^\W_]+")


def words(text: str) -> Counter[str]:
    return Counter(WORD.findall(text.lower()))


def score(found: str, expected: str) -> tuple[float, float, float]:
    got, want = words(found), words(expected)
    common = sum((got & want).values())
    precision = common / max(sum(got.values()), 1)
    recall = common / max(sum(want.values()), 1)
    return precision, recall, 2 * precision * recall / max(precision + recall, 1e-9)


def kzjp(html: str) -> str:
    return extract.extract(html).text


def whole_page(html: str) -> str:
    import lxml.html

    tree = lxml.html.document_fromstring(html)
    for bad in tree.xpath("//script|//style"):
        bad.drop_tree()
    return tree.text_content()


def sumy_html(html: str) -> str:
    from sumy.parsers.html import HtmlParser

    class Plain:  # no NLTK data needed: the text is what is measured, not its sentences
        language = "english"

        def to_sentences(self, paragraph: str) -> list[str]:
            return [paragraph]

        def to_words(self, sentence: str) -> list[str]:
            return sentence.split()

    parsed = HtmlParser.from_string(html, None, Plain())
    return "\n".join(str(s) for s in parsed.document.sentences)


def main() -> None:
    extractors = {"kzjp (trafilatura)": kzjp, "sumy HtmlParser": sumy_html, "whole page": whole_page}
    totals = {name: [0.0, 0.0, 0.0] for name in extractors}
    pages = sorted(PAGES.glob("*.html"))
    meta_right = 0
    for page in pages:
        html = extract.decode_html(page.read_bytes())
        title, date, lang, *story = page.with_suffix(".expected.txt").read_text(encoding="utf-8").split("\n")
        expected = "\n".join(story)
        line = [page.stem.ljust(14)]
        for name, run in extractors.items():
            p, r, f = score(run(html), expected)
            for i, v in enumerate((p, r, f)):
                totals[name][i] += v
            line.append(f"{name} P {p:.3f} R {r:.3f} F1 {f:.3f}")
        article = parse_article(extract.extract(html).text, id="x", path="x")
        found = from_text(html, id="x", path="x", suffix=".html")
        got = (found.title, str(found.date), found.lang or article.lang)
        title = " ".join(title.split())  # white space is folded in titles (a full-width space too)
        meta_right += got == (title, date, lang)
        print(" | ".join(line))
        print(f"{'':14}   title/date/lang {'right' if got == (title, date, lang) else f'got {got}'}")
    print()
    for name, (p, r, f) in totals.items():
        n = len(pages)
        print(f"{name:20} precision {p / n:.3f}  recall {r / n:.3f}  F1 {f / n:.3f}")
    print(f"title, date and language all right on {meta_right} of {len(pages)} pages")


if __name__ == "__main__":
    main()
