"""Every command's output formats: text for people; JSON, JSONL, CSV, TSV and ids for scripts.

Commands hand over records (plain dicts from the dataclasses' ``to_record``) and,
for ``text``, a renderer. Text output is stripped of control characters, so an
article cannot drive the user's terminal; colour comes from ``Style`` only.
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, TextIO

import click

from kzjp_cli.articles import FIELDS

MACHINE_FORMATS = ("json", "jsonl", "csv", "tsv", "ids")
ALL_FORMATS = ("text", *MACHINE_FORMATS)

_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]|\x1b")
"""Control characters (so terminal escapes) and the bidirectional overrides and isolates (U+202A-E, U+2066-9)
that can make text on a terminal read other than it is."""


def safe(text: str) -> str:
    """Text with control characters (and so terminal escapes) and bidirectional overrides removed."""
    return _UNPRINTABLE.sub("", text)


def plural(count: int | None, one: str, many: str | None = None) -> str:
    """``1 story``, ``2 stories``, ``1,204 articles``."""
    count = count or 0
    return f"{count:,} {one if count == 1 else many or one + 's'}"


def colour_wanted(choice: str = "auto", stream: TextIO | None = None) -> bool:
    """Colour for ``--color auto|always|never``: auto means a TTY, no NO_COLOR and a TERM other than dumb."""
    if choice != "auto":
        return choice == "always"
    stream = stream or sys.stdout
    return bool(stream.isatty()) and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


@dataclass(frozen=True)
class Style:
    """Applies colour to roles of text, or nothing when colour is off."""

    enabled: bool = False

    _ROLES: ClassVar[dict[str, dict[str, Any]]] = {
        "id": {"fg": "magenta"},
        "title": {"bold": True},
        "date": {"fg": "green"},
        "dim": {"dim": True},
        "match": {"fg": "red", "bold": True},
        "heading": {"bold": True, "underline": True},
    }

    def __call__(self, text: str, role: str) -> str:
        text = safe(text)
        return click.style(text, **self._ROLES[role]) if self.enabled and text else text

    def marked(self, text: str, spans: Sequence[tuple[int, int]]) -> str:
        """``text`` with the given character spans highlighted."""
        if not self.enabled or not spans:
            return safe(text)
        out, last = [], 0
        for start, end in spans:
            out.append(safe(text[last:start]))
            out.append(self(text[start:end], "match"))
            last = end
        out.append(safe(text[last:]))
        return "".join(out)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def json_text(value: Any) -> str:
    """Pretty JSON, UTF-8 kept readable."""
    return json.dumps(value, ensure_ascii=False, indent=2)


def select(records: list[dict[str, Any]], fields: Sequence[str]) -> list[dict[str, Any]]:
    """The records with only ``fields``, in that order (all of each record when none are given)."""
    if not fields:
        return records
    return [{name: record.get(name) for name in fields} for record in records]


def write_records(records: list[dict[str, Any]], fmt: str, out: TextIO, fields: Sequence[str] = ()) -> None:
    """Write records in one of the machine formats; with none, JSON is ``[]`` and CSV/TSV just the header of
    ``fields``."""
    if fmt == "json":
        out.write(json_text(records) + "\n")
    elif fmt == "jsonl":
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    elif fmt == "csv":
        header = list(records[0].keys()) if records else list(fields)
        if header:
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow(header)
            writer.writerows([_cell(v) for v in r.values()] for r in records)
    elif fmt == "tsv":
        header = list(records[0].keys()) if records else list(fields)
        if header:
            out.write("\t".join(header) + "\n")
            for r in records:
                out.write("\t".join(" ".join(_cell(v).split()) for v in r.values()) + "\n")
    elif fmt == "ids":
        for record in records:
            out.write(f"{record['id']}\n")
    else:
        raise ValueError(f"unknown format {fmt!r}")


def emit(
    records: list[dict[str, Any]],
    fmt: str,
    render_text: Callable[[Style], Iterable[str]],
    style: Style,
    out: TextIO | None = None,
    *,
    single_object: bool = False,
    fields: Sequence[str] = (),
) -> None:
    """Write a command's result in ``fmt``; ``render_text`` yields the lines for ``text``.

    With ``single_object``, ``-f json`` of exactly one record prints that object, not a one-item array.
    """
    out = out or sys.stdout
    if fmt == "json" and single_object and len(records) == 1:
        out.write(json_text(records[0]) + "\n")
    elif fmt == "text":
        for line in render_text(style):
            out.write(line + "\n")
    else:
        write_records(records, fmt, out, fields)


# --- text renderers -------------------------------------------------------------


def hits_text(hits: Sequence[Any], style: Style) -> Iterator[str]:
    """Search hits: rank, id, date, language, score, title, then the snippet."""
    for i, hit in enumerate(hits):
        if i:
            yield ""
        article = hit.article
        date = article.date.isoformat() if article.date else "undated"
        yield (
            f"{style(str(hit.rank) + '.', 'dim')} {style(article.id, 'id')}  {style(date, 'date')}  "
            f"{safe(article.lang or '-')}  {style(f'score {hit.score:.2f}', 'dim')}"
        )
        yield f"   {style(article.title, 'title')}"
        if hit.snippet:
            yield f"   {style.marked(hit.snippet, hit.marks)}"
        for sentence in hit.summary or ():
            yield f"   {style('•', 'dim')} {safe(sentence)}"
        if hit.also:
            yield f"   {style('also:', 'dim')} {safe(also_line(hit.also))}"


def also_line(articles: Sequence[Any], shown: int = 4) -> str:
    """The other articles of a story in a few words, each source once with its languages:
    ``TASS (ru), Kyodo (en, ja), +2`` (the id stands in for a missing source)."""
    langs: dict[str, list[str]] = {}
    counted: dict[str, int] = {}
    for article in articles:
        name = article.source or article.id
        found = langs.setdefault(name, [])
        counted[name] = counted.get(name, 0) + 1
        if (article.lang or "-") not in found:
            found.append(article.lang or "-")
    names = list(langs)[:shown]
    more = len(articles) - sum(counted[name] for name in names)
    return ", ".join(f"{name} ({', '.join(langs[name])})" for name in names) + (f", +{more}" if more else "")


def articles_text(articles: Sequence[Any], style: Style) -> Iterator[str]:
    """A table of articles: id, date, language, word count, title."""
    if not articles:
        return
    width = max(columns(safe(a.id)) for a in articles)
    yield style(f"{'ID':<{width}}  {'DATE':<10}  {'LANG':<4}  {'WORDS':>6}  TITLE", "heading")
    for a in articles:
        date = a.date.isoformat() if a.date else "-"
        lang = safe(a.lang or "-").ljust(4)
        yield f"{style(pad(safe(a.id), width), 'id')}  {style(date.ljust(10), 'date')}  {lang}  {a.words:>6}  " + safe(
            a.title
        )


def article_text(articles: Sequence[Any], style: Style) -> Iterator[str]:
    """Full articles: a block of their record fields (empty ones shown only if ``always``), then the text."""
    for i, a in enumerate(articles):
        if i:
            yield ""
            yield style("─" * 40, "dim")
        for name, value in a.to_record().items():
            spec = FIELDS[name]
            if value is None or value == "":
                if not spec.always:
                    continue
                value = "-"
            shown = str(value)
            yield f"{style(f'{name}:'.ljust(8), 'dim')}{style(shown, spec.role) if spec.role else safe(shown)}"
        yield ""
        yield from (safe(line) for line in a.body.splitlines())


def summaries_text(summaries: Sequence[Any], style: Style) -> Iterator[str]:
    """Summaries: a heading (id and title), then one sentence a line."""
    for i, summary in enumerate(summaries):
        if i:
            yield ""
        yield f"{style(summary.id, 'id')}  {style(summary.title, 'title')}"
        combined = summary.combined_ids is not None
        for unit in summary.sentences:
            label = f"{style(f'[{unit.id}]', 'id')} " if combined else ""
            yield f"{label}{safe(unit.text)}"


def topics_text(topics: Sequence[Any], style: Style) -> Iterator[str]:
    """Ranked topics: phrase, score, how many articles, and their first ids."""
    if not topics:
        return
    width = min(max(columns(safe(t.shown)) for t in topics), 48)
    for rank, topic in enumerate(topics, start=1):
        shown = ", ".join(topic.ids[:3]) + (f" +{len(topic.ids) - 3} more" if len(topic.ids) > 3 else "")
        articles = f"{topic.articles} article{'s' if topic.articles != 1 else ''}"
        yield (
            f"{style(f'{rank:>3}.', 'dim')} {style(pad(safe(topic.shown), width), 'title')}  "
            f"{topic.score:6.2f}  {articles:>12}  {style(shown, 'id')}"
        )


def bar(count: int, peak: int, width: int = 40) -> str:
    """A bar of block characters, ``width`` long for ``peak``, to an eighth of a character."""
    eighths = round(count / peak * width * 8) if peak else 0
    return "█" * (eighths // 8) + ("▏▎▍▌▋▊▉"[eighths % 8 - 1] if eighths % 8 else "")


def timeline_text(buckets: Sequence[Any], style: Style, width: int = 40) -> Iterator[str]:
    """A bar chart: one row a period, bars scaled to the largest count; undated apart."""
    dated = [b for b in buckets if b.period is not None]
    peak = max((b.count for b in dated), default=0)
    label_width = max((len(b.period) for b in dated), default=7)
    for bucket in dated:
        yield f"{style(bucket.period.ljust(label_width), 'date')}  {bar(bucket.count, peak, width)} {bucket.count}"
    for bucket in buckets:
        if bucket.period is None:
            yield f"{style('undated'.ljust(label_width), 'dim')}  {bucket.count}"


def stories_text(stories: Sequence[Any], style: Style) -> Iterator[str]:
    """A table of stories: id, size, languages, first and last day, title; its sources on the line below."""
    if not stories:
        return
    width = max(len(s.id) for s in stories)
    langs = max(max(len(",".join(s.languages)) for s in stories), 5)
    yield style(f"{'STORY':<{width}}  {'SIZE':>4}  {'LANGS':<{langs}}  {'FIRST':<10}  {'LAST':<10}  TITLE", "heading")
    for s in stories:
        first = s.first.isoformat() if s.first else "-"
        last = s.last.isoformat() if s.last else "-"
        yield (
            f"{style(s.id.ljust(width), 'id')}  {s.size:>4}  {safe(','.join(s.languages) or '-').ljust(langs)}  "
            f"{style(first.ljust(10), 'date')}  {style(last.ljust(10), 'date')}  {safe(s.title)}"
        )
        if s.sources:
            yield " " * (width + langs + 34) + style(safe(", ".join(s.sources)), "dim")


def outcome_text(outcome: Any, style: Style, dry_run: bool = False) -> Iterator[str]:
    """One source's outcome for ``kzjp add``: what happened, the article's id, date and title (failures go to
    stderr, not here)."""
    if outcome.outcome == "failed":
        return
    article = outcome.article
    label = "would add" if dry_run and outcome.outcome == "added" else outcome.outcome
    if outcome.outcome == "exists":
        yield f"{label:<15} {style(outcome.similar_to or '', 'id')}  {safe(outcome.input)}"
        return
    date = article.date.isoformat() if article.date else "undated"
    line = f"{label:<15} {style(article.id, 'id')}  {style(date, 'date')}  {style(article.title, 'title')}"
    if outcome.outcome == "near-duplicate":
        kept = "not saved" if outcome.skipped else ("would be saved" if dry_run else "saved")
        line += style(f"  ({outcome.similarity:.0%} like {outcome.similar_to}; {kept})", "dim")
    yield line


def stats_text(stats: Any, style: Style) -> Iterator[str]:
    """A corpus's statistics, one ``name: value`` line each."""

    def counts(values: dict[str, int]) -> str:
        return ", ".join(f"{safe(k)} {v}" for k, v in values.items()) or "-"

    span = f"{stats.first} to {stats.last}" if stats.first else "-"
    rows = [
        ("corpus", safe(stats.corpus)),
        ("articles", f"{stats.articles:,} ({stats.skipped} file(s) skipped)"),
        ("words", f"{stats.words:,}"),
        ("dates", f"{span} ({stats.undated} undated)"),
        ("languages", counts(stats.languages)),
        ("years", counts(stats.years)),
        ("sources", counts(stats.sources)),
        ("index", f"{safe(stats.index)} ({stats.index_bytes / (1024 * 1024):.1f} MB, updated {stats.updated or '-'})"),
    ]
    for name, value in rows:
        yield f"{style(f'{name}:'.ljust(11), 'dim')}{value}"


def news_text(news: Sequence[Any], style: Style) -> Iterator[str]:
    """Each saved search with new matches: its name and query, then its hits as search shows them."""
    first = True
    for item in news:
        if not item.hits:
            continue
        if not first:
            yield ""
        first = False
        count = f"{len(item.hits)} new"
        yield f"{style(item.watch.name, 'heading')}  {style(count, 'dim')}  {style(safe(item.watch.query), 'dim')}"
        yield from hits_text(item.hits, style)


def feeds_text(rows: Sequence[Any], style: Style) -> Iterator[str]:
    """Subscriptions: name, stories added, when last checked and last new, failures, address."""
    if not rows:
        return
    width = min(max(columns(safe(r.name)) for r in rows), 32)
    yield style(f"{'NAME':<{width}}  {'ADDED':>5}  {'CHECKED':<20}  {'LAST NEW':<20}  URL", "heading")
    for r in rows:
        failing = style(f"  failing ({r.failures}x: {safe(r.error or '')})", "match") if r.failures else ""
        yield (
            f"{style(pad(safe(r.name), width), 'title')}  {r.added:>5}  {(r.checked or '-'):<20}  "
            f"{(r.last_new or '-'):<20}  {safe(r.url)}{failing}"
        )


def watches_text(rows: Sequence[Any], style: Style) -> Iterator[str]:
    """Saved searches: name, matches, new ones, query and filters."""
    if not rows:
        return
    width = min(max(columns(safe(r.name)) for r in rows), 32)
    yield style(f"{'NAME':<{width}}  {'MATCHES':>7}  {'NEW':>4}  QUERY", "heading")
    for r in rows:
        filters = "".join(f" --lang {code}" for code in r.langs) + (f" --since {r.since}" if r.since else "")
        yield f"{style(pad(safe(r.name), width), 'title')}  {r.matches:>7}  {r.new:>4}  {safe(r.query)}{filters}"


def atom(news: Sequence[Any], title: str, out: TextIO) -> None:
    """Saved searches' new matches as an Atom feed (RFC 4287), newest first, one entry an article and search."""
    import datetime as dt
    import xml.etree.ElementTree as ET
    from urllib.parse import quote

    ns = "http://www.w3.org/2005/Atom"
    ET.register_namespace("", ns)
    feed = ET.Element(f"{{{ns}}}feed")
    entries = [(when, item.watch, hit) for item in news for hit in item.hits for when in [item.added[hit.article.id]]]
    entries.sort(key=lambda entry: (entry[0], entry[2].article.id), reverse=True)
    updated = entries[0][0] if entries else dt.datetime.now(dt.timezone.utc)

    def text(parent: Any, tag: str, value: str, **attributes: str) -> Any:
        element = ET.SubElement(parent, f"{{{ns}}}{tag}", attributes)
        element.text = safe(value)
        return element

    text(feed, "title", title)
    text(feed, "id", "urn:kzjp:new:" + quote(",".join(item.watch.name for item in news)))
    text(feed, "updated", updated.isoformat(timespec="seconds"))
    text(feed, "generator", "kzjp")
    for when, watch, hit in entries:
        article = hit.article
        entry = ET.SubElement(feed, f"{{{ns}}}entry")
        text(entry, "title", article.title)
        text(entry, "id", f"urn:kzjp:{quote(watch.name)}:{quote(article.id)}")
        text(entry, "updated", when.isoformat(timespec="seconds"))
        if article.date:
            text(entry, "published", f"{article.date.isoformat()}T00:00:00Z")
        if article.url:
            ET.SubElement(entry, f"{{{ns}}}link", {"href": article.url})
        ET.SubElement(entry, f"{{{ns}}}category", {"term": watch.name})
        if article.source:
            author = ET.SubElement(entry, f"{{{ns}}}author")
            text(author, "name", article.source)
        text(entry, "summary", hit.snippet)
    ET.indent(feed)
    out.write('<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="unicode") + "\n")


# --- the brief: text, Markdown and one self-contained HTML page -------------------


def _change(now: int, before: int) -> str:
    return f"{now - before:+,}" if now != before else "="


def _period_line(brief: Any, dates: bool = True) -> str:
    w = brief.window
    basis = "by when they were added" if w.by == "added" else "by their own dates"
    said = f"{w.days} day{'s' if w.days != 1 else ''}, articles {basis}"
    if dates:
        said = f"{w.since.isoformat()} to {w.until.isoformat()}, {said}"
    if brief.query:
        said += f"; matching {brief.query}"
    if brief.langs:
        said += f"; in {', '.join(brief.langs)}"
    return said


def _count_rows(brief: Any) -> list[tuple[str, int, int]]:
    now, before = brief.counts, brief.previous
    return [
        ("articles", now.articles, before.articles),
        ("stories", now.stories, before.stories),
        ("sources", now.sources, before.sources),
        ("languages", now.languages, before.languages),
    ]


def _story_facts(story: Any) -> str:
    dates = ""
    if story.first:
        dates = story.first.isoformat() + (f" to {story.last.isoformat()}" if story.last != story.first else "")
    size = f"{len(story.articles)} article{'s' if len(story.articles) != 1 else ''}"
    return " · ".join(part for part in (size, ", ".join(story.languages), ", ".join(story.sources), dates) if part)


def _numbers(story: Any) -> dict[str, int]:
    """Each of a story's articles by its number in the brief's citations: its place in ``links``, from 1."""
    return {link.id: n for n, link in enumerate(story.links, start=1)}


def _unit_heading(unit: str) -> str:
    return f"Articles a {unit}"


def columns(text: str) -> int:
    """How many terminal columns ``text`` takes: East Asian wide and full-width characters take two."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int) -> str:
    """``text`` padded with spaces to ``width`` terminal columns."""
    return text + " " * max(width - columns(text), 0)


def brief_text(brief: Any, style: Style, width: int = 40) -> Iterator[str]:
    """The brief for a terminal: numbers, a bar chart, the top stories with cited sentences, topics, names."""
    yield style(f"Brief: {_period_line(brief)}", "heading")
    yield ""
    yield style(f"{'':<10}  {'NOW':>6}  {'BEFORE':>6}  CHANGE", "dim")
    for name, now, before in _count_rows(brief):
        yield f"{name:<10}  {now:>6,}  {before:>6,}  {_change(now, before)}"
    if brief.empty:
        yield ""
        yield "No articles in this period."
        return
    yield ""
    yield style(_unit_heading(brief.unit), "heading")
    for label, drawn, count in _day_bars(brief, width):
        yield f"{style(label, 'date')}  {drawn} {count}"
    yield ""
    yield style("Top stories", "heading")
    for rank, story in enumerate(brief.stories, start=1):
        yield ""
        yield f"{style(f'{rank}.', 'dim')} {style(story.title, 'title')}"
        yield f"   {style(_story_facts(story), 'dim')}"
        number = _numbers(story)
        for sentence in story.summary:
            yield f"   • {safe(sentence.text)} {style(f'[{number[sentence.article]}]', 'id')}"
        shown = max([3, *(number[c.article] for c in story.summary)])
        for n, link in enumerate(story.links[:shown], start=1):
            where = f"{link.source + ' ' if link.source else ''}({link.lang or '-'})"
            yield f"   {style(f'[{n}]', 'id')} {safe(where)} {safe(link.url or link.id)}"
        if len(story.links) > shown:
            yield f"   {style(f'+{len(story.links) - shown} more', 'dim')}"
    for heading, rows, _ in _trend_lists(brief):
        yield ""
        yield style(heading, "heading")
        wide = max(columns(row.name) for row in rows)
        for row in rows:
            many = "article " if row.articles == 1 else "articles"
            yield f"{pad(safe(row.name), wide)}  {row.articles:>4} {many}  (before: {row.previous})"


def _day_bars(brief: Any, width: int) -> Iterator[tuple[str, str, int]]:
    """Each period of the brief's chart: its label padded to the longest, its bar against the busiest, its
    count."""
    peak = max((n for _, n in brief.days), default=0)
    label_width = max((len(label) for label, _ in brief.days), default=10)
    for label, count in brief.days:
        yield label.ljust(label_width), bar(count, peak, width), count


def _trend_lists(brief: Any) -> list[tuple[str, Any, str]]:
    """The brief's lists of topics and names that have rows: heading, rows, what a row is."""
    lists = [("Rising topics", brief.topics, "Topic"), ("Names most mentioned", brief.names, "Name")]
    return [(heading, rows, what) for heading, rows, what in lists if rows]


_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]<>|#])")


def _md(text: str) -> str:
    """Text safe in Markdown: its special characters escaped, on one line."""
    return _MARKDOWN_SPECIAL.sub(r"\\\1", " ".join(safe(text).split()))


def _web(url: str | None) -> str | None:
    """The URL if it is a web address (never a ``javascript:`` one), else None."""
    return url if url and re.match(r"https?://[^\s<>\"']+$", url) else None


def brief_markdown(brief: Any) -> Iterator[str]:
    """The brief in Markdown: readable as it is in a terminal, and rendered on a forge."""
    yield f"# Brief: {brief.window.since.isoformat()} to {brief.window.until.isoformat()}"
    yield ""
    yield _md(_period_line(brief, dates=False))
    yield ""
    yield "| | Now | Before | Change |"
    yield "| --- | ---: | ---: | ---: |"
    for name, now, before in _count_rows(brief):
        yield f"| {name.capitalize()} | {now:,} | {before:,} | {_change(now, before)} |"
    if brief.empty:
        yield ""
        yield "No articles in this period."
        return
    yield ""
    yield f"## {_unit_heading(brief.unit)}"
    yield ""
    yield "```text"
    for label, drawn, count in _day_bars(brief, 30):
        yield f"{label}  {drawn} {count}"
    yield "```"
    yield ""
    yield "## Top stories"
    for rank, story in enumerate(brief.stories, start=1):
        yield ""
        yield f"### {rank}. {_md(story.title)}"
        yield ""
        yield _md(_story_facts(story))
        yield ""
        urls = {link.id: _web(link.url) for link in story.links}
        number = _numbers(story)
        for sentence in story.summary:
            n, url = number[sentence.article], urls.get(sentence.article)
            yield f"- {_md(sentence.text)} " + (f"[[{n}]]({url})" if url else f"[{n}]")
        read = [
            f"[{n}] [{_md(link.source or link.id)} ({link.lang or '-'})]({url})"
            if (url := _web(link.url))
            else f"[{n}] {_md(link.source) + ' ' if link.source else ''}({link.lang or '-'}) `{link.id}`"
            for n, link in enumerate(story.links, start=1)
        ]
        yield ""
        yield "Read: " + " · ".join(read)
    for heading, rows, what in _trend_lists(brief):
        yield ""
        yield f"## {heading}"
        yield ""
        yield f"| {what} | Articles | Before |"
        yield "| --- | ---: | ---: |"
        for row in rows:
            yield f"| {_md(row.name)} | {row.articles} | {row.previous} |"


_CSS = """
:root{color-scheme:light}
body{font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","Noto Sans JP",sans-serif;
color:#1f2328;background:#fff;max-width:48rem;margin:2rem auto;padding:0 1.25rem}
h1{font-size:1.6rem;margin:0 0 .2rem}h2{font-size:1.1rem;margin:1.8rem 0 .6rem;border-bottom:1px solid #d0d7de;
padding-bottom:.2rem}h3{font-size:1rem;margin:0 0 .2rem}
.meta{color:#59636e;font-size:.9rem;margin:0}
table{border-collapse:collapse;font-variant-numeric:tabular-nums}th,td{padding:.2rem .8rem .2rem 0;text-align:right}
th:first-child,td:first-child{text-align:left}th{color:#59636e;font-weight:600}
.up{color:#1a7f37}.down{color:#cf222e}
svg{display:block;max-width:100%;height:auto}.bar{fill:#0969da}.axis{fill:#59636e;font-size:10px}
ol.stories{padding-left:1.4rem}ol.stories>li{margin:0 0 1.1rem;break-inside:avoid}
ul.summary{margin:.35rem 0;padding-left:1.1rem}cite{font-style:normal;color:#59636e;font-size:.85em}
.links{font-size:.85rem;color:#59636e;margin:.2rem 0 0}a{color:#0969da;text-decoration:none}
footer{margin-top:2rem;color:#59636e;font-size:.8rem;border-top:1px solid #d0d7de;padding-top:.5rem}
@media print{body{margin:0;max-width:none;font-size:11pt}a{color:inherit}h2{break-after:avoid}
.bar{fill:#555}}
"""


def _h(text: object) -> str:
    import html

    return html.escape(safe(str(text)), quote=True)


def _chart_svg(days: list[tuple[str, int]], unit: str) -> str:
    """A bar chart of the counts as inline SVG: no script, no font or file fetched."""
    width, height, top, bottom, left = 640, 170, 14, 28, 30
    peak = max((n for _, n in days), default=0) or 1
    step = (width - left) / max(len(days), 1)
    every = max(1, round(len(days) / 12))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{_h(_unit_heading(unit))}" width="{width}" height="{height}">',
        f"<title>{_h(_unit_heading(unit))}</title>",
        f'<text class="axis" x="0" y="{top + 4}">{peak}</text>',
        f'<line x1="{left}" y1="{height - bottom}" x2="{width}" y2="{height - bottom}" stroke="#d0d7de"/>',
    ]
    for n, (label, count) in enumerate(days):
        tall = (height - top - bottom) * count / peak
        x = left + n * step + step * 0.15
        parts.append(
            f'<rect class="bar" x="{x:.1f}" y="{height - bottom - tall:.1f}" width="{step * 0.7:.1f}" '
            f'height="{tall:.1f}"><title>{_h(label)}: {count}</title></rect>'
        )
        if count and step >= 14:
            parts.append(
                f'<text class="axis" x="{x + step * 0.35:.1f}" y="{height - bottom - tall - 3:.1f}" '
                f'text-anchor="middle">{count}</text>'
            )
        if n % every == 0:
            shown = label[5:] if unit == "day" else label
            parts.append(
                f'<text class="axis" x="{x + step * 0.35:.1f}" y="{height - 10}" text-anchor="middle">'
                f"{_h(shown)}</text>"
            )
    parts.append("</svg>")
    return "".join(parts)


def brief_html(brief: Any, made: str = "") -> str:
    """The brief as one HTML page: inline CSS and SVG, no script, nothing fetched; prints on A4."""
    since, until = brief.window.since.isoformat(), brief.window.until.isoformat()
    out = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        'img-src data:">',
        f"<title>Brief: {since} to {until}</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<header><h1>Brief: {since} to {until}</h1>",
        f'<p class="meta">{_h(_period_line(brief, dates=False))}</p></header>',
        "<section><h2>In numbers</h2><table><tr><th></th><th>Now</th><th>Before</th><th>Change</th></tr>",
    ]
    for name, now, before in _count_rows(brief):
        trend = "up" if now > before else "down" if now < before else ""
        out.append(
            f"<tr><td>{name.capitalize()}</td><td>{now:,}</td><td>{before:,}</td>"
            f'<td class="{trend}">{_change(now, before)}</td></tr>'
        )
    out.append("</table></section>")
    if brief.empty:
        out.append("<p>No articles in this period.</p>")
    else:
        out.append(f"<section><h2>{_h(_unit_heading(brief.unit))}</h2>{_chart_svg(brief.days, brief.unit)}</section>")
        out.append('<section><h2>Top stories</h2><ol class="stories">')
        for story in brief.stories:
            langs = {link.id: link.lang for link in story.links}
            urls = {link.id: _web(link.url) for link in story.links}
            lead_lang = next((link.lang for link in story.links if link.title == story.title and link.lang), "")
            out.append(
                f'<li><h3 lang="{_h(lead_lang)}">{_h(story.title)}</h3><p class="meta">{_h(_story_facts(story))}</p>'
            )
            if story.summary:
                out.append('<ul class="summary">')
                number = _numbers(story)
                for sentence in story.summary:
                    cited = f'<span title="{_h(sentence.article)}">{number[sentence.article]}</span>'
                    if urls.get(sentence.article):
                        cited = f'<a href="{_h(urls[sentence.article])}">{cited}</a>'
                    out.append(
                        f'<li lang="{_h(langs.get(sentence.article) or "")}">{_h(sentence.text)} '
                        f"<cite>[{cited}]</cite></li>"
                    )
                out.append("</ul>")
            read = [
                f'[{n}] <a href="{_h(url)}">{_h(link.source or link.id)} ({_h(link.lang or "-")})</a>'
                if (url := _web(link.url))
                else f'[{n}] <span title="{_h(link.id)}">{_h(link.source or link.id)} ({_h(link.lang or "-")})</span>'
                for n, link in enumerate(story.links, start=1)
            ]
            out.append(f'<p class="links">Read: {" · ".join(read)}</p></li>')
        out.append("</ol></section>")
        for heading, rows, what in _trend_lists(brief):
            out.append(f"<section><h2>{heading}</h2><table><tr><th>{what}</th><th>Articles</th><th>Before</th></tr>")
            out.extend(f"<tr><td>{_h(r.name)}</td><td>{r.articles}</td><td>{r.previous}</td></tr>" for r in rows)
            out.append("</table></section>")
    out.append(f"<footer>{_h(made)}</footer></body></html>")
    return "\n".join(out) + "\n"
