"""Every command's output on fixed corpora, one file a command, to diff before and after a change.

    python bench/outputs.py --out /tmp/before            # on the old code
    python bench/outputs.py --out /tmp/after             # on the new code
    diff -r /tmp/before /tmp/after && echo identical

Runs the installed ``kzjp`` on three corpora made afresh under ``--work``
(the same paths each run, so paths in the output compare): the bundled
articles, 500 generated ones (``generate.py --seed 3``) and the
multilingual test articles with the saved test pages. Each file holds the
command, its exit status, its stdout byte for byte (``stats``: with the
index's size and age masked) and its stderr with timings and timestamps
masked (they differ from run to run).
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
CHECKOUT = HERE.parent
KZJP = str(Path(sys.executable).with_name("kzjp"))
_MASKS = [
    (re.compile(r"\b\d+\.\d+ s\b"), "N s"),
    (re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\+00:00|Z)"), "TIMESTAMP"),
    (re.compile(r"\(\d+\.\d MB"), "(N MB"),
    (re.compile(r'"index_bytes": \d+'), '"index_bytes": N'),
]
"""What differs from run to run: timings, timestamps, and the index's size (its marker names a process id)."""


def _mask(text: str) -> str:
    for pattern, replacement in _MASKS:
        text = pattern.sub(replacement, text)
    return text


def _corpora(work: Path) -> dict[str, Path]:
    if work.exists():
        shutil.rmtree(work)
    bundled = work / "bundled" / "corpus"
    shutil.copytree(CHECKOUT / "corpus", bundled)
    generated = work / "gen500" / "corpus"
    generated.parent.mkdir(parents=True)
    command = [sys.executable, str(HERE / "generate.py"), "--articles", "500", "--seed", "3", "--out", str(generated)]
    subprocess.run(command, check=True, capture_output=True)
    multi = work / "multi" / "corpus"
    shutil.copytree(CHECKOUT / "tests" / "data" / "multilingual", multi)
    for page in sorted((CHECKOUT / "tests" / "data" / "pages").glob("*.html")):
        shutil.copy(page, multi / page.name)
    return {"bundled": bundled, "gen500": generated, "multi": multi}


def _commands(first: str, second: str) -> list[list[str]]:
    searches = [
        ["search", "Tokayev", "Takaichi"],
        ["search", "Tokayev", "-f", "json"],
        ["search", "Japan", "-f", "csv"],
        ["search", "Japan", "-f", "tsv", "--fields", "rank,id,score"],
        ["search", "Japan", "--all", "-f", "ids"],
        ["search", "Japan", "--count"],
        ["search", "Japan", "--sort", "date", "-n", "3"],
        ["search", "Japan", "--since", "2025", "--until", "2026-06"],
        ["search", "Japan", "--offset", "2", "-n", "2", "-f", "jsonl"],
        ["search", "Japan", "--summary", "2", "-n", "2"],
        ["search", "Japan", "--lang", "en", "-f", "ids"],
        ["search", '"Middle Corridor" OR uranium', "-f", "jsonl"],
        ["search", "Tokaev"],
        ["search", "Токаев", "-f", "jsonl"],
        ["search", "Tokayev", "--no-aliases", "-f", "ids"],
        ["search", "title:Tokyo", "-f", "ids"],
        ["search", "date:>2025-01-01", "-f", "ids"],
        ["search", "zzqqxx"],
        ["search", "bogus:field"],
    ]
    return [
        *searches,
        ["list"],
        ["list", "--sort", "date", "-n", "5"],
        ["list", "-f", "csv"],
        ["list", "--lang", "ru", "-f", "tsv", "--fields", "id,date,source"],
        ["show", first],
        ["show", first, second, "-f", "json"],
        ["stats"],
        ["stats", "-f", "json"],
        *(["summarize", first, "-m", method, "-f", "jsonl"] for method in _METHODS),
        ["summarize", second, "--query", "visa", "-n", "1"],
        ["summarize", "--combine", first, second, "--ratio", "0.2"],
        ["summarize", first, second, "-f", "csv"],
        ["topics"],
        ["topics", "-n", "5", "-f", "json"],
        ["topics", "Middle Corridor"],
        ["topics", "--article", first],
        ["topics", "--lang", "en", "-f", "ids"],
        ["similar", first],
        ["similar", first, "-n", "3", "-f", "json"],
        ["timeline"],
        ["timeline", "Japan", "--by", "year"],
        ["timeline", "-f", "csv", "--by", "week"],
        ["index"],
        ["index", "--strict"],
    ]


_METHODS = ("reduction", "lexrank", "textrank", "lsa", "luhn", "edmundson", "kl", "sumbasic")


def _run(args: list[str], env: dict[str, str]) -> tuple[int, bytes, str]:
    done = subprocess.run([KZJP, *args], capture_output=True, env=env, timeout=600)
    stdout = done.stdout
    if args[0] == "stats":
        stdout = _mask(stdout.decode("utf-8")).encode("utf-8")
    return done.returncode, stdout, _mask(done.stderr.decode("utf-8", "replace"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="Folder for the output files (made anew).")
    parser.add_argument("--work", type=Path, default=Path("/tmp/kzjp-outputs"), help="Folder for the corpora.")
    args = parser.parse_args()
    if args.out.exists():
        shutil.rmtree(args.out)
    args.out.mkdir(parents=True)
    for name, corpus in _corpora(args.work).items():
        index = corpus.parent / "index"
        env = {
            **os.environ,
            "KZJP_CORPUS": str(corpus),
            "KZJP_INDEX": str(index),
            "HOME": str(corpus.parent / "home"),
            "XDG_DATA_HOME": str(corpus.parent / "data"),
            "XDG_CACHE_HOME": str(corpus.parent / "cache"),
            "NO_COLOR": "1",
        }
        env.pop("KZJP_NO_REFRESH", None)
        _, listing, _ = _run(["list", "-f", "ids"], env)
        ids = listing.decode().split()
        first, second = ids[0], ids[1]
        commands = _commands(first, second)
        added = str(corpus.parent / "added")
        files = sorted(str(p) for p in corpus.rglob("*.*"))[:3]
        commands += [
            ["add", "--dry-run", "--corpus", added, *files],
            ["add", "--corpus", added, "-f", "jsonl", *files],
            ["add", "--corpus", added, *files],
        ]
        for number, command in enumerate(commands):
            code, stdout, stderr = _run(command, env)
            shown = " ".join(command).replace(str(args.work), "WORK")
            text = f"$ kzjp {shown}\nexit {code}\n--- stderr\n{stderr}--- stdout\n"
            path = args.out / f"{name}-{number:03d}.txt"
            path.write_bytes(text.encode("utf-8") + stdout)
        print(f"{name}: {len(commands)} commands", file=sys.stderr)


if __name__ == "__main__":
    main()
