"""Result quality beside SQLite FTS5 and lead-N: known-item search, phrases, similar articles, summaries.

    python bench/quality.py --articles 2000                    # search on a generated corpus
    python bench/quality.py --articles 2000 --summaries DIR    # and ROUGE on a summary data set

Search, on a corpus made by ``generate.py`` (same seed, same corpus as run.py),
kzjp and FTS5 (porter tokenizer, bm25 with the title weighted 2) each answer:

- known item by title: the words of an article's title; MRR@10 of that article;
- known item by body words: four distinct words drawn from the article's body
  (no stop words); MRR@10;
- phrases with stop words: four-word windows of a body holding exactly two
  stop words ("of the port will"), quoted; success@1 is the first hit holding
  the four words in that order.

Similar articles: the share of each article's five most similar articles that
share its subject (the generator's topic), beside a TF-IDF cosine baseline.

Summaries (``--summaries DIR``): a data set of articles with reference
extractive summaries laid out as ``DIR/article/TOPIC/NAME.txt`` beside
``DIR/summary/TOPIC/NAME.txt`` (the layout of the BBC News Summary data set's
cleaned copies; ``News Articles``/``Summaries`` is read too). Each kzjp
method, and the lead baseline, picks as many sentences as the reference has;
ROUGE-1, ROUGE-2 and ROUGE-L F1 (Google's rouge-score, stemmed) are averaged.
No timing is measured here.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import re
import sqlite3
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import generate
import run

_WORD = re.compile(r"\w+")


def words(text: str) -> list[str]:
    return [w.lower() for w in _WORD.findall(text)]


def stop_words() -> frozenset[str]:
    from whoosh.analysis.filters import STOP_WORDS

    return frozenset(STOP_WORDS)


def load_articles(corpus: Path) -> list[tuple[str, str, str, str]]:
    """(id, title, body, topic) of every generated article, the topic from the generator's title template."""
    from kzjp_cli.articles import parse_article

    found = []
    for path in sorted(corpus.rglob("*.md")):
        identifier = path.relative_to(corpus).with_suffix("").as_posix()  # kzjp's id of the file
        article = parse_article(path.read_text(encoding="utf-8"), id=identifier, path=str(path), suffix=".md")
        found.append((article.id, article.title, article.body, topic_of(article.title)))
    return found


_THEME_OF = {phrase: theme for theme, phrases in generate.PHRASES.items() for phrase in phrases}


def topic_of(title: str) -> str:
    """The generator's subject (theme) of an article: its title is "LEAD and PHRASE: WORD talks"."""
    phrase = title.split(":", 1)[0].rsplit(" and ", 1)[-1].strip()
    return _THEME_OF.get(phrase, "")


def queries(articles: list[tuple[str, str, str, str]], count: int, seed: int) -> dict[str, list[tuple[str, str]]]:
    """(query, the article it came from) for each kind of query."""
    rng = random.Random(seed)
    stops = stop_words()
    chosen = rng.sample(articles, min(count, len(articles)))
    title = [(" ".join(words(t)), i) for i, t, _b, _s in chosen]
    body, phrases = [], []
    for identifier, _title, text, _topic in chosen:
        tokens = words(text)
        content = sorted({w for w in tokens if w not in stops and not w.isdigit() and len(w) > 2})
        if len(content) >= 4:
            body.append((" ".join(rng.sample(content, 4)), identifier))
        windows = [tokens[k : k + 4] for k in range(len(tokens) - 3)]
        windows = [w for w in windows if sum(x in stops for x in w) == 2 and not any(x.isdigit() for x in w)]
        if windows:
            phrases.append(('"' + " ".join(rng.choice(windows)) + '"', identifier))
    return {"title": title, "body": body, "phrase": phrases}


def holds(tokens: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(tokens[k : k + size] == phrase for k in range(len(tokens) - size + 1))


def kzjp_ranked(corpus: Path, index: Path) -> Callable[[str], list[str]]:
    from kzjp_cli import search
    from kzjp_cli.errors import QueryError
    from kzjp_cli.index import open_index

    ci = open_index(corpus.resolve(), index)

    def ranked(query: str) -> list[str]:
        try:
            return [hit.article.id for hit in search.search(ci, query, search.SearchOptions(limit=10), each=True).hits]
        except QueryError:
            return []

    return ranked


def fts5_ranked(db: Path, ids: list[str]) -> Callable[[str], list[str]]:
    con = sqlite3.connect(db)
    sql = "SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 0, 0, 2.0, 1.0) LIMIT 10"
    full = {identifier.rsplit("/", 1)[-1]: identifier for identifier in ids}  # run.py stores the file's stem

    def ranked(query: str) -> list[str]:
        try:
            return [full[row[0]] for row in con.execute(sql, [query])]
        except sqlite3.OperationalError:
            return []

    return ranked


def search_quality(
    corpus: Path, articles: list[tuple[str, str, str, str]], work: Path, count: int, seed: int
) -> dict[str, dict[str, float]]:
    from kzjp_cli import index as kzjp_index

    by_id = {a[0]: words(a[2]) for a in articles}
    asked = queries(articles, count, seed)
    kzjp_index.update(corpus.resolve(), work / "index")
    db = work / "fts5.db"
    db.unlink(missing_ok=True)
    rows = work / "prepared.jsonl"
    run.prepare(corpus, rows)
    run.fts5_build(rows, db)
    engines = {"kzjp": kzjp_ranked(corpus, work / "index"), "fts5": fts5_ranked(db, list(by_id))}
    results: dict[str, dict[str, float]] = {}
    for name, ranked in engines.items():
        row: dict[str, float] = {}
        for kind in ("title", "body"):
            reciprocal = []
            for query, source in asked[kind]:
                ids = ranked(query)
                reciprocal.append(1 / (ids.index(source) + 1) if source in ids else 0.0)
            row[f"{kind}_mrr10"] = sum(reciprocal) / max(1, len(reciprocal))
        first, source_first = 0, 0
        for query, source in asked["phrase"]:
            ids = ranked(query)
            phrase = query.strip('"').split()
            first += bool(ids) and holds(by_id[ids[0]], phrase)
            source_first += bool(ids) and ids[0] == source
        row["phrase_success1"] = first / max(1, len(asked["phrase"]))
        row["phrase_source1"] = source_first / max(1, len(asked["phrase"]))
        results[name] = row
    results["queries"] = {kind: float(len(found)) for kind, found in asked.items()}
    return results


def similar_quality(
    corpus: Path, articles: list[tuple[str, str, str, str]], work: Path, count: int, seed: int
) -> dict[str, float]:
    """Share of the top 5 similar articles on the source's subject: kzjp beside a TF-IDF cosine baseline."""
    from kzjp_cli import search
    from kzjp_cli.index import open_index

    topic = {a[0]: a[3] for a in articles}
    rng = random.Random(seed + 1)
    chosen = rng.sample(articles, min(count, len(articles)))
    ci = open_index(corpus.resolve(), work / "index")
    same = [topic[h.article.id] == topic[a[0]] for a in chosen for h in search.similar(ci, a[0], limit=5)]
    vectors = tfidf([words(a[1] + " " + a[2]) for a in articles])
    ids = [a[0] for a in articles]
    position = {identifier: n for n, identifier in enumerate(ids)}
    baseline = []
    for source in chosen:
        me = vectors[position[source[0]]]
        scores = sorted(
            ((sum(w * other.get(t, 0.0) for t, w in me.items()), ids[n]) for n, other in enumerate(vectors)),
            reverse=True,
        )
        top = [identifier for _, identifier in scores if identifier != source[0]][:5]
        baseline.extend(topic[identifier] == source[3] for identifier in top)
    return {"kzjp": sum(same) / max(1, len(same)), "tfidf": sum(baseline) / max(1, len(baseline))}


def tfidf(documents: list[list[str]]) -> list[dict[str, float]]:
    stops = stop_words()
    frequency = Counter(t for doc in documents for t in set(doc))
    total = len(documents)
    vectors = []
    for doc in documents:
        counts = Counter(t for t in doc if t not in stops)
        vector = {t: (1 + math.log(n)) * math.log(total / frequency[t]) for t, n in counts.items()}
        norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
        vectors.append({t: v / norm for t, v in vector.items()})
    return vectors


def summary_pairs(root: Path) -> list[tuple[str, str, str]]:
    """(name, article text, reference summary) of a data set in the BBC News Summary layout."""
    layouts = [pair for pair in (("article", "summary"), ("News Articles", "Summaries")) if (root / pair[0]).is_dir()]
    if not layouts:
        raise SystemExit(f"{root}: no article/ or 'News Articles/' folder")
    articles, summaries = layouts[0]
    pairs = []
    for path in sorted((root / articles).rglob("*.txt")):
        reference = root / summaries / path.relative_to(root / articles)
        if reference.is_file():
            text = path.read_text(encoding="utf-8", errors="replace")
            pairs.append((str(path.relative_to(root / articles)), text, reference.read_text(encoding="utf-8")))
    return pairs


def reference_sentences(reference: str) -> int:
    """How many sentences the reference has (it is made of the article's sentences, run together or not)."""
    from kzjp_cli.languages import sentences

    lines = [line for line in reference.splitlines() if line.strip()]
    if len(lines) > 1:
        return len(lines)
    return max(1, len(sentences.split(reference)))


def summary_quality(root: Path, limit: int | None) -> dict[str, dict[str, float]]:
    from rouge_score import rouge_scorer

    from kzjp_cli import summarize
    from kzjp_cli.articles import parse_article

    pairs = summary_pairs(root)[:limit] if limit else summary_pairs(root)
    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeL"], use_stemmer=True)
    totals: dict[str, Counter[str]] = {}
    for name, text, reference in pairs:
        article = parse_article(text, id=name, path=name)
        units = summarize.dedupe(summarize.units_of(article))
        count = reference_sentences(reference)
        picks = {"lead": " ".join(u.text for u in units[:count])}
        for method in summarize.METHODS:
            chosen = summarize.summarize(article, method=method, count=count)
            picks[method] = " ".join(s.text for s in chosen.sentences)
        for method, summary in picks.items():
            scores = scorer.score(reference, summary)
            total = totals.setdefault(method, Counter())
            for kind, score in scores.items():
                total[kind] += score.fmeasure * 100
    return {
        method: {kind: value / max(1, len(pairs)) for kind, value in total.items()} | {"articles": float(len(pairs))}
        for method, total in sorted(totals.items(), key=lambda item: -item[1]["rouge1"])
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=2000, help="size of the generated corpus")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--queries", type=int, default=300, help="queries of each kind")
    parser.add_argument("--summaries", type=Path, help="a summary data set (see above)")
    parser.add_argument("--summary-articles", type=int, help="use only the first N of its articles")
    parser.add_argument("--work", type=Path, help="where the corpus and indexes go (default: a temporary folder)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kzjp-quality-") as temporary:
        work = args.work or Path(temporary)
        corpus = work / f"corpus-{args.articles}"
        if not corpus.is_dir():
            generate.generate(corpus, args.articles, args.seed)
        results: dict[str, object] = {"articles": args.articles}
        articles = load_articles(corpus)
        found = search_quality(corpus, articles, work, args.queries, args.seed)
        results["search"] = found
        print(f"search, {args.articles:,} generated articles")
        print(f"  {'':24}{'kzjp':>8}{'FTS5':>8}")
        for key, label in (
            ("title_mrr10", "known item, title MRR@10"),
            ("body_mrr10", "known item, words MRR@10"),
            ("phrase_success1", "phrase success@1"),
            ("phrase_source1", "phrase, source first"),
        ):
            print(f"  {label:24}{found['kzjp'][key]:8.3f}{found['fts5'][key]:8.3f}")
        similar = similar_quality(corpus, articles, work, min(args.queries, 100), args.seed)
        results["similar"] = similar
        print(f"similar: same subject in the top 5: kzjp {similar['kzjp']:.3f}, TF-IDF cosine {similar['tfidf']:.3f}")
        if args.summaries:
            rouge = summary_quality(args.summaries, args.summary_articles)
            results["summaries"] = rouge
            count = int(next(iter(rouge.values()))["articles"]) if rouge else 0
            print(f"summaries, {count} articles of {args.summaries}: ROUGE F1")
            print(f"  {'method':12}{'R-1':>7}{'R-2':>7}{'R-L':>7}")
            for method, row in rouge.items():
                print(f"  {method:12}{row['rouge1']:7.1f}{row['rouge2']:7.1f}{row['rougeL']:7.1f}")
        if args.json:
            args.json.parent.mkdir(parents=True, exist_ok=True)
            args.json.write_text(json.dumps(results, indent=2) + "\n")


if __name__ == "__main__":
    main()
