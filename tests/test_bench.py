"""The benchmark keeps working (a smoke run on 50 articles; no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test here runs a benchmark script in its own process

BENCH = Path(__file__).resolve().parent.parent / "bench"


def bench(script: str, *args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run one of the benchmark's scripts with this Python."""
    command = [sys.executable, str(BENCH / script), *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=timeout)


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        done = bench("generate.py", "--articles", "5", "--seed", "7", "--out", str(tmp_path / folder))
        assert done.returncode == 0, done.stderr
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").rglob("*.md")}
    assert len(first) == 5
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "b").rglob("*.md")}
    assert next(iter(first.values())).startswith(b"---\ntitle: ")


def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = bench(
        "run.py",
        *("--sizes", "50", "--repeat", "1", "--rounds", "1", "--json", str(out)),
        *("--work", str(tmp_path / "work"), "--language-articles", "20", "--vector-articles", "10"),
    )
    assert done.returncode == 0, done.stderr
    assert "full build" in done.stdout and "x FTS5)" in done.stdout and "bundled corpus: kzjp search" in done.stdout
    summary = json.loads(out.read_text())
    result = summary["results"][0]
    assert result["articles"] == 50 and result["fts5_build_seconds"] > 0 and result["search_p50_ms"] > 0
    assert result["build_peak_mb"] > 10 and summary["bundled"]["whoosh_script_seconds"] > 0
    assert [r["lang"] for r in summary["languages"]] == ["en", "ru", "kk", "ja"]
    assert all(r["build_mb_per_second"] > 0 and r["search_p50_ms"] > 0 for r in summary["languages"])
    assert "per language" in done.stdout and all(r["build_cpu_ms_per_article"] > 0 for r in summary["languages"])
    # 20 articles against a start-up of 10: only that both were measured (the difference is noise at this size)
    assert all(r["startup_cpu_seconds"] > 0 and "build_cpu_ms_per_further_article" in r for r in summary["languages"])
    assert "CPU/further" in done.stdout
    assert result["prepare_cpu_ms_per_article"] > 0 and result["help_cpu_seconds"] > 0


def test_the_extraction_benchmark_runs_and_kzjp_keeps_the_stories() -> None:
    done = bench("extraction.py", timeout=300)
    assert done.returncode == 0, done.stderr
    scores = {
        line[:20].strip(): float(line.rsplit("F1 ", 1)[1]) for line in done.stdout.splitlines() if "  F1 " in line
    }
    assert scores["kzjp (trafilatura)"] >= 0.95 > scores["whole page"]
    assert "all right on 4 of 4 pages" in done.stdout


def test_quality_benchmark_smoke(tmp_path: Path) -> None:
    """bench/quality.py runs end to end: search beside FTS5, similar beside TF-IDF, ROUGE beside lead-N."""
    data = tmp_path / "summaries"
    for name, text in {
        "a": "Japan funds a port\n\nJapan will fund the Kuryk port. Work starts in May. The port handles grain. "
        "Kazakhstan welcomed the news. Ferries will call weekly.\n",
        "b": "Judo team wins\n\nThe national judo team won gold in Tokyo. Coaches praised them. Fans cheered. "
        "The team flies home on Monday.\n",
    }.items():
        (data / "article" / "news").mkdir(parents=True, exist_ok=True)
        (data / "summary" / "news").mkdir(parents=True, exist_ok=True)
        (data / "article" / "news" / f"{name}.txt").write_text(text)
        body = text.split("\n\n", 1)[1].split(". ")
        (data / "summary" / "news" / f"{name}.txt").write_text(f"{body[0]}.\n{body[2]}.\n")
    out = tmp_path / "quality.json"
    done = bench(
        "quality.py",
        *("--articles", "60", "--queries", "20", "--summaries", str(data)),
        *("--work", str(tmp_path / "work"), "--json", str(out)),
    )
    assert done.returncode == 0, done.stderr
    assert "phrase success@1" in done.stdout and "ROUGE" in done.stdout and "TF-IDF" in done.stdout
    figures = json.loads(out.read_text())
    assert 0 < figures["search"]["kzjp"]["title_mrr10"] <= 1 and 0 < figures["search"]["fts5"]["body_mrr10"] <= 1
    assert set(figures["summaries"]) == {
        "lead",
        "lexrank",
        "textrank",
        "lsa",
        "luhn",
        "edmundson",
        "kl",
        "sumbasic",
        "reduction",
    }
    assert all(0 < row["rouge1"] <= 100 for row in figures["summaries"].values())
