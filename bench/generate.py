"""Generate a deterministic synthetic news corpus for benchmarks.

    python bench/generate.py --articles 10000 --seed 1 --out /tmp/corpus-10k

Articles look like news to an indexer: 300 to 1,500 words (log-normal, ~700 on
average), a Zipfian vocabulary of ~30,000 words on top of English function
words, multi-word names and domain phrases, one to three themes an article,
front matter with title, date (2019-2026, a few missing), source, url and lang.
The same arguments always give byte-identical files. 10,000 articles ≈ 40 MB.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
from pathlib import Path

FUNCTION_WORDS = """the of and to in a that for on is was with as by it at from his he be has have said are
were an its which will this had not their but also they after been who more would about up one over two
new all out into than other when there some could can first last three years year while such most under
between during against before since where what only many both through government officials""".split()

NAMES = """Kassym-Jomart Tokayev|Sanae Takaichi|Yuriko Koike|Shavkat Mirziyoyev|Sadyr Japarov|Emomali Rahmon
|Serdar Berdimuhamedov|Toshiaki Endo|Zhenis Kassymbek|Murat Nurtleu|Yoko Kamikawa|Olzhas Bektenov
|Fumio Kishida|Akylbek Japarov|Bakhtiyor Saidov""".replace("\n", "").split("|")

PLACES = """Port of Aktau|Port of Kuryk|Middle Corridor|Trans-Caspian International Transport Route|Caspian Sea
|Khorgos Gateway|Tokyo Declaration|Astana International Financial Centre|Central Asia|Almaty|Astana|Tashkent
|Bishkek|Dushanbe|Ashgabat|Tokyo|Osaka|Yokohama|United Nations University|Japan International Cooperation
Agency|Asian Development Bank|Eurasian Economic Union|Shanghai Cooperation Organisation""".replace("\n", " ").split("|")

THEMES = {
    "transport": "rail freight container terminal logistics corridor ferry cargo route transit port wagons "
    "shipment customs border throughput railway highway",
    "energy": "uranium hydrogen pipeline oil gas refinery electricity grid solar wind turbine nuclear "
    "reactor emissions decarbonisation",
    "tourism": "tourism visa tourists flights hotel travel heritage culture festival exchange students "
    "museum airline destination",
    "sport": "judo sumo kendo championship medal athletes tournament federation coach wrestling olympic",
    "finance": "investment bank loan bonds currency tenge yen inflation budget exports imports tariff trade deficit",
    "diplomacy": "summit talks declaration memorandum agreement delegation visit ministers cooperation "
    "partnership dialogue treaty",
    "technology": "digitalization semiconductors software startups data artificial intelligence satellite "
    "robotics innovation research",
    "minerals": "rare earth metals lithium copper mining deposits exploration smelter critical minerals",
}
PHRASES = {
    "transport": ["container traffic", "freight volumes", "dry port", "transit potential"],
    "energy": ["green hydrogen", "power plant", "energy security", "nuclear power"],
    "tourism": ["visa regime", "direct flights", "cultural exchange", "tourist flows"],
    "sport": ["World Judo Championships", "martial arts", "national team"],
    "finance": ["foreign direct investment", "trade turnover", "central bank"],
    "diplomacy": ["strategic partnership", "joint statement", "state visit", "foreign ministers"],
    "technology": ["smart city", "data centre", "digital economy"],
    "minerals": ["critical minerals", "rare earth elements", "mining sector"],
}
SOURCES = ["Astana Times", "Kazinform", "Nikkei Asia", "The Diplomat", "Kyodo News", "Trend", "Daryo"]
SYLLABLES = "ka ri to mo sa na ta ki ro shi ba da ya lu me zo an ek ol ur im as er ul ov in".split()


def zipf_weights(n: int, s: float = 1.07) -> list[float]:
    return list(itertools.accumulate(1 / (rank**s) for rank in range(1, n + 1)))


class Generator:
    """Builds articles from one seeded random source, so output depends only on the seed."""

    def __init__(self, seed: int, vocabulary: int = 30_000) -> None:
        self.rng = random.Random(seed)
        words: set[str] = set()
        while len(words) < vocabulary:
            words.add("".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(2, 4))))
        self.vocab = sorted(words)
        self.rng.shuffle(self.vocab)
        # content words continue the Zipf curve after the function words (rank 150 on)
        self.vocab_cum = list(itertools.accumulate(1 / ((r + 150) ** 1.07) for r in range(1, len(self.vocab) + 1)))
        self.function_cum = zipf_weights(len(FUNCTION_WORDS), 0.9)
        self.entities = NAMES + PLACES
        self.entity_cum = zipf_weights(len(self.entities), 0.8)

    def sentence(self, themes: list[str]) -> str:
        rng = self.rng
        length = rng.randint(8, 30)
        words: list[str] = []
        kinds = rng.choices(("f", "v", "t", "e", "p"), weights=(45, 36, 11, 4, 4), k=length)
        for kind in kinds:
            if kind == "f":
                words.append(rng.choices(FUNCTION_WORDS, cum_weights=self.function_cum)[0])
            elif kind == "v":
                words.append(rng.choices(self.vocab, cum_weights=self.vocab_cum)[0])
            elif kind == "t":
                words.append(rng.choice(THEMES[rng.choice(themes)].split()))
            elif kind == "e":
                words.append(rng.choices(self.entities, cum_weights=self.entity_cum)[0])
            else:
                words.append(rng.choice(PHRASES[rng.choice(themes)]))
        text = " ".join(words)
        text = text[0].upper() + text[1:]
        if rng.random() < 0.08:
            return f"“{text},” said {rng.choice(NAMES)}."
        if rng.random() < 0.1:
            growth, money = f"{rng.randint(2, 99)}.{rng.randint(0, 9)}%", f"${rng.randint(1, 9)}.{rng.randint(1, 9)} bn"
            return f"{text}, with {growth} growth and {money}."
        return text + "."

    def article(self, number: int) -> str:
        rng = self.rng
        themes = rng.sample(sorted(THEMES), rng.randint(1, 3))
        target = int(min(1500, max(300, rng.lognormvariate(math.log(560), 0.45))))
        paragraphs, words = [], 0
        while words < target:
            paragraph = " ".join(self.sentence(themes) for _ in range(rng.randint(2, 5)))
            words += len(paragraph.split())
            paragraphs.append(paragraph)
        lead = rng.choices(self.entities, cum_weights=self.entity_cum)[0]
        title = f"{lead} and {rng.choice(PHRASES[themes[0]])}: {rng.choice(THEMES[themes[0]].split())} talks"
        day = dt.date(2019, 1, 1) + dt.timedelta(days=rng.randrange(8 * 365))
        date_line = f"date: {day.isoformat()}\n" if rng.random() > 0.05 else ""
        return (
            f"---\ntitle: {title}\n{date_line}source: {rng.choice(SOURCES)}\n"
            f"url: https://news.example/{number:06d}\nlang: en\n---\n" + "\n\n".join(paragraphs) + "\n"
        )


def generate(out: Path, articles: int, seed: int) -> int:
    """Write the corpus; returns its size in bytes."""
    gen = Generator(seed)
    total = 0
    for number in range(articles):
        folder = out / f"{number // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        data = gen.article(number).encode("utf-8")
        (folder / f"a{number:06d}.md").write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    size = generate(args.out, args.articles, args.seed)
    print(f"wrote {args.articles} articles, {size / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
