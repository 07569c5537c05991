"""Names across languages: a query word that is a known name also finds the name's other spellings.

Transliteration with fuzzy matching misses most kana spellings (トカエフ is not
within two edits of any romanisation of Tokayev), so the names come from a
curated table: kzjp's own ``aliases.toml`` beside this module, plus an
``aliases.toml`` at the top of the corpus folder (same form: ``Name =
["spelling", …]``). A query word (or run of words, or a quoted phrase) that is
one of a name's spellings, in any inflected form its language's analysis
recognises (Токаева for Токаев), is searched as itself OR every other spelling
in a script the index holds articles in. English results never change: an
English-only index gets no spellings from other scripts, and Latin variants of
a Latin name are not added.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from kzjp_cli.errors import CorpusError
from kzjp_cli.languages import ALL, script
from kzjp_cli.store.results import OPERATORS

FILE_NAME = "aliases.toml"
BUILT_IN = Path(__file__).resolve().parent / FILE_NAME
MAX_WORDS = 6
"""The longest run of query words looked up as one name."""

_PIECE = re.compile(r'"[^"]*"|\S+')
_SPECIAL = re.compile(r"[:*?~^\[\]{}\"()]")


@dataclass
class AliasTable:
    """Groups of spellings of one name, found by any spelling (case-folded) or its stems."""

    groups: list[tuple[str, ...]] = field(default_factory=list)
    _exact: dict[str, int] = field(default_factory=dict, repr=False)
    _cyrillic: list[tuple[int, list[set[str]]]] | None = field(default=None, repr=False)

    def add(self, spellings: Iterable[str]) -> None:
        group = tuple(dict.fromkeys(" ".join(s.split()) for s in spellings if s.strip()))
        if len(group) < 2:
            return
        self.groups.append(group)
        for spelling in group:
            self._exact.setdefault(spelling.casefold(), len(self.groups) - 1)
        self._stemmed = None

    def find(self, text: str) -> tuple[str, ...] | None:
        """The spellings of the name ``text`` is a spelling of (an inflected form counts), or None."""
        number = self._exact.get(" ".join(text.split()).casefold())
        if number is None and script(text) == "cyrillic":
            wanted = _forms(text)
            number = next(
                (
                    n
                    for n, forms in self._cyrillic_spellings()
                    if len(forms) == len(wanted) and all(a & b for a, b in zip(forms, wanted, strict=True))
                ),
                None,
            )
        return None if number is None else self.groups[number]

    def _cyrillic_spellings(self) -> list[tuple[int, list[set[str]]]]:
        if self._cyrillic is None:
            self._cyrillic = [
                (number, _forms(spelling))
                for number, group in enumerate(self.groups)
                for spelling in group
                if script(spelling) == "cyrillic"
            ]
        return self._cyrillic


def _forms(text: str) -> list[set[str]]:
    """Each word of a Cyrillic name as written and by the stem each Cyrillic language gives it: Токаева,
    Тоқаевтың find theirs.

    The word as written counts because stems alone over-stem (Russian токаев → тока, but токаева → токаев).
    """
    stems = [lang.stem for lang in ALL if lang.script == "cyrillic" and lang.stem]
    return [{word, *(stem(word) for stem in stems)} for word in text.casefold().split()]


@lru_cache(maxsize=1)
def _built_in() -> tuple[tuple[str, ...], ...]:
    return tuple(_read(BUILT_IN))


def _read(path: Path) -> list[tuple[str, ...]]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise CorpusError(f"cannot read {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise CorpusError(
            f"{path} is not valid TOML: {exc}", hint='write one name a line: Name = ["spelling", …]'
        ) from None
    groups = []
    for name, spellings in data.items():
        if not isinstance(spellings, list) or not all(isinstance(s, str) for s in spellings):
            raise CorpusError(f'{path}: {name!r} must be a list of spellings: {name} = ["…", "…"]')
        groups.append((name, *spellings))
    return groups


def load(corpus: Path | None = None) -> AliasTable:
    """kzjp's names, with the corpus's own ``aliases.toml`` (if it has one) added after them."""
    table = AliasTable()
    for group in _built_in():
        table.add(group)
    own = corpus / FILE_NAME if corpus else None
    if own is not None and own.is_file():
        for group in _read(own):
            table.add(group)
    return table


def expand(text: str, table: AliasTable, scripts: Iterable[str]) -> tuple[str, dict[str, list[str]]]:
    """The query with each known name OR-ed with its spellings in ``scripts`` (but its own), and what was added.

    Only bare words, runs of them and quoted phrases are looked up; fielded,
    wildcard and fuzzy words, operators and groups are left as they are.
    """
    wanted = set(scripts)
    pieces = _PIECE.findall(text)
    out: list[str] = []
    added: dict[str, list[str]] = {}
    i = 0
    while i < len(pieces):
        for size in range(min(MAX_WORDS, len(pieces) - i), 0, -1):
            run = pieces[i : i + size]
            name = _lookup(run, table)
            if name is None:
                continue
            phrase = " ".join(p.strip('"') for p in run)
            others = [
                s
                for s in name
                if s.casefold() != phrase.casefold()
                and script(s) in wanted
                and not script(s) == script(phrase) == "latin"  # English results stay as they were
            ]
            if not others:
                continue
            added[phrase] = others
            quoted = [f'"{s}"' if len(s.split()) > 1 or "-" in s else s for s in (phrase, *others)]
            out.append("(" + " OR ".join(quoted) + ")")
            i += size
            break
        else:
            out.append(pieces[i])
            i += 1
    return " ".join(out) if added else text, added


def _lookup(run: list[str], table: AliasTable) -> tuple[str, ...] | None:
    """The name a run of query pieces spells: one quoted phrase, or bare words only."""
    if len(run) == 1 and run[0].startswith('"') and run[0].endswith('"') and len(run[0]) > 2:
        return table.find(run[0][1:-1])
    if any(p in OPERATORS or _SPECIAL.search(p) for p in run):
        return None
    return table.find(" ".join(run))
