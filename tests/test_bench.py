"""The benchmark keeps working (a smoke run on 50 articles; no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_generator_is_deterministic(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        subprocess.run(
            [
                sys.executable,
                str(BENCH / "generate.py"),
                "--articles",
                "5",
                "--seed",
                "7",
                "--out",
                str(tmp_path / folder),
            ],
            check=True,
            capture_output=True,
        )
    first = {p.name: p.read_bytes() for p in (tmp_path / "a").rglob("*.md")}
    assert len(first) == 5
    assert first == {p.name: p.read_bytes() for p in (tmp_path / "b").rglob("*.md")}
    assert next(iter(first.values())).startswith(b"---\ntitle: ")


def test_benchmark_smoke(tmp_path: Path) -> None:
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "50",
            "--repeat",
            "1",
            "--rounds",
            "1",
            "--json",
            str(out),
            "--work",
            str(tmp_path / "work"),
            "--language-articles",
            "20",
        ],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "full build" in done.stdout and "vs FTS5" in done.stdout and "bundled corpus: kzjp search" in done.stdout
    summary = json.loads(out.read_text())
    result = summary["results"][0]
    assert result["articles"] == 50 and result["fts5_build_seconds"] > 0 and result["search_p50_ms"] > 0
    assert result["build_peak_mb"] > 10 and summary["bundled"]["whoosh_script_seconds"] > 0
    assert [r["lang"] for r in summary["languages"]] == ["en", "ru", "kk", "ja"]
    assert all(r["build_mb_per_second"] > 0 and r["search_p50_ms"] > 0 for r in summary["languages"])
    assert "per language" in done.stdout


def test_the_extraction_benchmark_runs_and_kzjp_keeps_the_stories() -> None:
    done = subprocess.run(
        [sys.executable, str(BENCH / "extraction.py")], check=True, capture_output=True, text=True, timeout=300
    )
    scores = {
        line[:20].strip(): float(line.rsplit("F1 ", 1)[1]) for line in done.stdout.splitlines() if "  F1 " in line
    }
    assert scores["kzjp (trafilatura)"] >= 0.95 > scores["whole page"]
    assert "all right on 4 of 4 pages" in done.stdout
