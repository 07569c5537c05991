"""The bulk text path of the segment writer: words keyed as the chains index them, positions encoded as Whoosh does."""

from __future__ import annotations

import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.formats import Positions

from kzjp_cli.store.analysis import CHAINS, chain
from kzjp_cli.store.bulk import _stable_order, encode_positions


def as_index_terms(code: str, text: str) -> tuple[dict[str, list[int]], list[str]]:
    """What ``index_terms`` gives, made from ``index_words`` and ``word_terms`` as the bulk writer uses them."""
    analysis = chain(code)
    positions: dict[str, list[int]] = {}
    spelled: list[str] = []
    for position, word in enumerate(analysis.index_words(text)):
        terms, spelling = analysis.word_terms(word)
        if spelling is not None:
            spelled.append(spelling)
        for term in terms:
            positions.setdefault(term, []).append(position)
    return positions, spelled


SAMPLES = [
    "The Prime Minister of Japan met the President in Astana on 5 Dec. 2025; amazon.com and U.S. trade.",
    "ΟΔΟΣ İstanbul Straße ẞ ΑΣ.ΒΣ — naïve café, 4.3 per cent",
    "Президент Казахстана Токаев посетил Токио, в Астане прошли переговоры.",
    "Қазақстан мен Жапония арасындағы ынтымақтастық туралы келісімге қол қойылды.",
    "日本と中央アジアの首脳会議が東京で開かれ、カザフスタンのトカエフ大統領が出席した。",
    "",
]


@pytest.mark.parametrize("code", sorted(CHAINS))
@pytest.mark.parametrize("text", SAMPLES)
def test_words_and_their_terms_are_what_the_chain_indexes(code: str, text: str) -> None:
    assert as_index_terms(code, text) == chain(code).index_terms(text)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80))
def test_words_and_their_terms_are_what_the_chain_indexes_on_any_text(text: str) -> None:
    for code in ("en", "ru", "other"):
        assert as_index_terms(code, text) == chain(code).index_terms(text), code


def test_positions_are_encoded_byte_for_byte_as_whoosh_encodes_them() -> None:
    """One and several positions, gaps of one, two and four bytes, and lists past pickle's batch of 1,000."""
    rng = random.Random(7)
    lists = [[0], [255], [256], [65535], [65536], [2**31 - 1], [0, 1], list(range(1000)), list(range(1001))]
    lists.append(sorted(rng.sample(range(3_000_000), 2001)))
    for _ in range(500):
        lists.append(sorted(rng.sample(range(rng.choice([50, 3000, 200_000])), rng.choice([1, 1, 2, 3, 9]))))
    counts = np.array([len(found) for found in lists])
    blob, ends = encode_positions(counts, np.array([p for found in lists for p in found]))
    starts = [0, *ends.tolist()[:-1]]
    encoded = [blob[a:b] for a, b in zip(starts, ends.tolist(), strict=True)]
    assert encoded == [Positions().encode(found) for found in lists]


def test_a_position_past_what_whoosh_encodes_in_four_bytes_is_refused() -> None:
    with pytest.raises(ValueError, match="2\\*\\*31"):
        encode_positions(np.array([1]), np.array([2**31]))


@pytest.mark.parametrize("high", [1, 300, 1 << 16, 1 << 17, (1 << 31) - 1])
def test_the_radix_order_is_numpys_stable_order(high: int) -> None:
    """Equal keys keep their order (positions stay ascending within a term), below and above 16 bits."""
    rng = np.random.default_rng(high)
    for size in (0, 1, 7, 5000):
        keys = rng.integers(0, high, size=size, dtype=np.int32)
        assert _stable_order(keys).tolist() == np.argsort(keys, kind="stable").tolist()
