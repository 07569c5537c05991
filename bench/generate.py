"""Generate a deterministic synthetic news corpus for benchmarks.

    python bench/generate.py --articles 10000 --seed 1 --out /tmp/corpus-10k
    python bench/generate.py --articles 10000 --languages en,ru,kk,ja --out /tmp/mixed-10k

Articles look like news to an indexer: 300 to 1,500 words (log-normal, ~700 on
average), a Zipfian vocabulary of ~30,000 words on top of English function
words, multi-word names and domain phrases, one to three themes an article,
front matter with title, date (2019-2026, a few missing), source, url and lang.
The same arguments always give byte-identical files. 10,000 articles ≈ 40 MB.

With ``--languages`` the articles are shared among the languages named (the
users' corpora are mostly Russian, Kazakh and Japanese). A Russian or Kazakh
article draws on the words of kzjp's own texts in that language and on made-up
stems with that language's case endings, so one word comes in several forms;
a Russian one mostly on words of pymorphy3's dictionary, each in several forms,
and on the names of kzjp's alias table in its script (inflected, as the press
writes them); a Japanese one joins kanji compounds, katakana words and the
table's names with particles, without spaces. Half of the non-English articles
(and of the English ones in a mixed corpus) have no ``lang:``, so kzjp detects
their language, and one in eight of them is a saved web page (``.html``, with
navigation and a footer around the story) that kzjp extracts.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import math
import random
import re
from html import escape
from pathlib import Path

import tomllib

ROOT = Path(__file__).resolve().parent.parent

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


LANGUAGES = ("en", "ru", "kk", "ja")
SHARES = {"en": 0.25, "ru": 0.3, "kk": 0.2, "ja": 0.25}
"""A mixed corpus's share of each language."""

FOREIGN: dict[str, dict[str, object]] = {
    "ru": {
        "function": "в и на с по что не для о к из за от как а это также его её их был была было при до после "
        "между во время со стороны более года".split(),
        "syllables": "ка ри то мо са на та ки ро ши ба да я лу ме зо ан ек ол ур им ас ер ул ов ин".split(),
        "endings": ["", *"а у ом е ы ов ами ах ой ую ий ого ому ение ения ский ская ских".split()],
        "name_endings": ["", "а", "у", "ым", "е"],
        "themes": "транспорт грузов контейнеров порта коридора энергетики урана водорода туристов визы "
        "инвестиций торговли экспорта сотрудничества переговоров соглашения делегации визита".split(),
        "sources": ["Казинформ", "ТАСС", "РИА Новости", "Курсив", "Интерфакс-Казахстан"],
        "said": "«{text}», — сказал {name}.",
        "nav": ["Главная", "Политика", "Экономика", "Общество", "Спорт"],
        "footer": "Все права защищены. При использовании материалов ссылка обязательна.",
    },
    "kk": {
        "function": "және мен бұл да де үшін бойынша туралы арасында екі жылы сондай ақ оның олар осы бір "
        "жаңа жөнінде кейін дейін".split(),
        "syllables": "қа ры то мо са на та кі ро ші ба да я лу ме зо ан ек ол ұр ім ас ер ұл ов ін".split(),
        "endings": ["", *"дың ға да нан мен лар дар ның ге тің ды ны ында ларды".split()],
        "name_endings": ["", "тың", "қа", "пен", "ты"],
        "themes": "көлік жүк контейнер порт дәліз энергетика уран сутегі туристер виза инвестиция сауда "
        "экспорт ынтымақтастық келіссөздер келісім делегация сапар".split(),
        "sources": ["Kazinform", "Егемен Қазақстан", "Ақорда", "Хабар 24"],
        "said": "«{text}», – деді {name}.",
        "nav": ["Басты бет", "Саясат", "Экономика", "Қоғам", "Спорт"],
        "footer": "Барлық құқықтар қорғалған.",
    },
    "ja": {
        "particles": "は が を に の で と も から まで へ".split(),
        "endings": ["した", "している", "する", "です", "である", "と述べた", "を発表した", "で合意した"],
        "kana": "ア カ サ タ ナ ハ マ ヤ ラ ワ キ シ チ ニ ヒ ミ リ ト ス ク ル ン ー".split(),
        "themes": "輸送 貨物 港湾 回廊 エネルギー ウラン 水素 観光 査証 投資 貿易 輸出 協力 会談 合意 訪問"
        " 代表団".split(),
        "sources": ["共同通信", "NHK", "日本経済新聞", "外務省"],
        "said": "「{text}」と{name}は述べた。",
        "nav": ["ホーム", "政治", "経済", "社会", "スポーツ"],
        "footer": "無断転載を禁じます。",
    },
}
_KAZAKH_LETTERS = set("әғқңөұүһі")


def _table_names() -> dict[str, list[str]]:
    """Every name of kzjp's alias table, by the language its script says."""
    with open(ROOT / "kzjp_cli" / "aliases.toml", "rb") as handle:
        table = tomllib.load(handle)
    found: dict[str, list[str]] = {code: [] for code in LANGUAGES}
    for key, spellings in sorted(table.items()):
        for name in [key, *spellings]:
            if re.search(r"[\u3040-\u30ff\u4e00-\u9fff]", name):
                found["ja"].append(name)
            elif re.search(r"[а-яё]", name.lower()):
                found["kk" if _KAZAKH_LETTERS & set(name.lower()) else "ru"].append(name)
                if not _KAZAKH_LETTERS & set(name.lower()):
                    found["kk"].append(name)
            else:
                found["en"].append(name)
    return {code: sorted(set(names)) for code, names in found.items()}


def _own_words(code: str) -> list[str]:
    """The words of kzjp's own texts in one language, most frequent first."""
    counts: dict[str, int] = {}
    for path in sorted((ROOT / "tests" / "data" / "multilingual").glob(f"{code}_*")):
        body = path.read_text(encoding="utf-8").split("---", 2)[-1]
        for word in re.findall(r"[^\W\d_]+", body.lower()):
            if len(word) > 2:
                counts[word] = counts.get(word, 0) + 1
    return sorted(counts, key=lambda w: (-counts[w], w))


def _dictionary_words(rng: random.Random, own: list[str], count: int) -> dict[str, list[str]]:
    """Up to ``count`` Russian words of the dictionary kzjp ships (pymorphy3's), each with up to 8 of its
    forms, found from the beginnings of real words and from random ones."""
    import pymorphy3

    morph = pymorphy3.MorphAnalyzer(lang="ru")
    letters = "абвгдежзиклмнопрстуфхцчшэюя"
    starts = sorted({word[:3] for word in own if len(word) > 3})
    found: dict[str, list[str]] = {}
    for _ in range(count * 4):
        if len(found) >= count:
            break
        start = rng.choice(starts) if rng.random() < 0.2 else "".join(rng.choice(letters) for _ in range(3))
        parses = itertools.islice(morph.iter_known_word_parses(start), rng.randint(0, 200), None)
        for parse in itertools.islice(parses, 0, 240, 30):
            if parse.normal_form not in found and parse.normal_form.isalpha() and len(parse.normal_form) > 2:
                forms = sorted({form.word for form in parse.lexeme})
                found[parse.normal_form] = rng.sample(forms, min(8, len(forms)))
    return found


class Foreign:
    """Articles in Russian, Kazakh or Japanese from one seeded random source."""

    def __init__(self, code: str, rng: random.Random, names: list[str], vocabulary: int = 20_000) -> None:
        self.code, self.rng, self.spec = code, rng, FOREIGN[code]
        self.names = names or ["Токаев"]
        self.name_cum = zipf_weights(len(self.names), 0.8)
        words: set[str] = set()
        self.forms: dict[str, list[str]] = {}
        if code == "ja":
            kanji = sorted(
                {
                    c
                    for p in (ROOT / "tests" / "data" / "multilingual").glob("ja_*")
                    for c in p.read_text(encoding="utf-8")
                    if "\u4e00" <= c <= "\u9fff"
                }
            )
            while len(words) < vocabulary:
                if rng.random() < 0.6:
                    words.add("".join(rng.choice(kanji) for _ in range(rng.randint(2, 3))))
                else:
                    words.add("".join(rng.choice(self.spec["kana"][:-2]) for _ in range(rng.randint(2, 5))) + "ー")
            self.vocab = sorted(words)
        else:
            own = _own_words(code)
            self.forms = _dictionary_words(rng, own, vocabulary * 2 // 3) if code == "ru" else {}
            # a tenth of a Russian text's words the dictionary lacks (names, rare and new words)
            made_up = vocabulary // 10 if code == "ru" else vocabulary - len(own)
            while len(words) < made_up:
                words.add("".join(rng.choice(self.spec["syllables"]) for _ in range(rng.randint(2, 4))))
            rest = sorted(words) + sorted(self.forms)
            rng.shuffle(rest)
            self.vocab = own + rest  # the real words are the common ones
        self.vocab_cum = list(itertools.accumulate(1 / ((r + 60) ** 1.07) for r in range(1, len(self.vocab) + 1)))

    def name(self) -> str:
        name = self.rng.choices(self.names, cum_weights=self.name_cum)[0]
        if self.code != "ja" and name[-1:].lower() in "бвгджзклмнпрстфхцчшщ" and self.rng.random() < 0.5:
            name += self.rng.choice(self.spec["name_endings"])
        return name

    def word(self) -> str:
        word = self.rng.choices(self.vocab, cum_weights=self.vocab_cum)[0]
        forms = self.forms.get(word) if self.code == "ru" else None
        if forms:
            return self.rng.choice(forms)
        if self.code != "ja" and self.rng.random() < 0.7:
            word += self.rng.choice(self.spec["endings"])
        return word

    def sentence(self) -> str:
        rng, spec = self.rng, self.spec
        pieces: list[str] = []
        for kind in rng.choices(("f", "v", "t", "e"), weights=(35, 45, 12, 8), k=rng.randint(8, 24)):
            if kind == "e":
                pieces.append(self.name())
            elif kind == "t":
                pieces.append(rng.choice(spec["themes"]))
            elif kind == "f" and self.code != "ja":
                pieces.append(rng.choice(spec["function"]))
            else:
                pieces.append(self.word())
        if self.code == "ja":
            text = "".join(p + rng.choice(spec["particles"]) for p in pieces[:-1]) + pieces[-1]
            text += rng.choice(spec["endings"])
            if rng.random() < 0.08:
                return spec["said"].format(text=text, name=self.name())
            return text + "。"
        text = " ".join(pieces)
        text = text[0].upper() + text[1:]
        if rng.random() < 0.08:
            return spec["said"].format(text=text, name=self.name())
        return text + "."

    def body(self) -> tuple[str, list[str]]:
        """A title and the paragraphs of one article."""
        rng = self.rng
        target = int(min(1500, max(300, rng.lognormvariate(math.log(560), 0.45))))
        paragraphs, size = [], 0
        while size < target:
            paragraph = (" " if self.code != "ja" else "").join(self.sentence() for _ in range(rng.randint(2, 5)))
            size += len(paragraph.split()) if self.code != "ja" else len(paragraph) // 3
            paragraphs.append(paragraph)
        joiner = "" if self.code == "ja" else " "
        title = joiner.join([self.name(), *(rng.choice(self.spec["themes"]) for _ in range(3))])
        return title, paragraphs


def saved_page(code: str, title: str, day: dt.date | None, source: str, url: str, paragraphs: list[str]) -> str:
    """The article as a saved news page: site navigation, the story, related links and a footer."""
    nav = FOREIGN[code]["nav"] if code in FOREIGN else ["Home", "Politics", "Business", "Society", "Sport"]
    footer = FOREIGN[code]["footer"] if code in FOREIGN else "All rights reserved."
    links = "".join(f'<li><a href="/{n}">{escape(item)}</a></li>' for n, item in enumerate(nav))
    published = f'<meta property="article:published_time" content="{day.isoformat()}">' if day else ""
    time_tag = f'<time datetime="{day.isoformat()}">{day.isoformat()}</time>' if day else ""
    story = "".join(f"<p>{escape(p)}</p>" for p in paragraphs)
    return (
        f'<!DOCTYPE html>\n<html lang="{code}"><head><meta charset="utf-8"><title>{escape(title)} | {escape(source)}'
        f'</title><link rel="canonical" href="{url}">{published}</head><body><header><nav><ul>{links}</ul></nav>'
        f"</header><main><article><h1>{escape(title)}</h1>{time_tag}{story}</article><aside><ul>{links}</ul>"
        f"</aside></main><footer><p>© {escape(source)}. {escape(footer)}</p></footer></body></html>\n"
    )


def generate(out: Path, articles: int, seed: int, languages: tuple[str, ...] = ("en",)) -> int:
    """Write the corpus; returns its size in bytes."""
    gen = Generator(seed)
    mixed = len(languages) > 1
    names = _table_names()
    foreign = {code: Foreign(code, random.Random(f"{seed}-{code}"), names[code]) for code in languages if code != "en"}
    weights = list(itertools.accumulate(SHARES[code] for code in languages))
    picker = random.Random(f"{seed}-mix")
    total = 0
    for number in range(articles):
        folder = out / f"{number // 1000:03d}"
        folder.mkdir(parents=True, exist_ok=True)
        code = picker.choices(languages, cum_weights=weights)[0] if mixed else languages[0]
        if code == "en" and not mixed:
            data = gen.article(number).encode("utf-8")
            (folder / f"a{number:06d}.md").write_bytes(data)
            total += len(data)
            continue
        labelled, page = picker.random() < 0.5, picker.random() < 0.125
        if code == "en":
            text = gen.article(number)
            head, body = text[4:].split("\n---\n", 1)
            meta = dict(line.split(": ", 1) for line in head.splitlines())
            title, paragraphs = meta["title"], body.strip().split("\n\n")
            source = meta["source"]
            day = dt.date.fromisoformat(meta["date"]) if "date" in meta else None
        else:
            title, paragraphs = foreign[code].body()
            source = picker.choice(FOREIGN[code]["sources"])
            day = dt.date(2019, 1, 1) + dt.timedelta(days=picker.randrange(8 * 365)) if picker.random() > 0.05 else None
        url = f"https://news.example/{code}/{number:06d}"
        if page:
            name, text = f"{code}{number:06d}.html", saved_page(code, title, day, source, url, paragraphs)
        else:
            lines = [f"title: {title}", *([f"date: {day.isoformat()}"] if day else []), f"source: {source}"]
            lines += [f"url: {url}", *([f"lang: {code}"] if labelled else [])]
            name, text = (
                f"{code}{number:06d}.md",
                "---\n" + "\n".join(lines) + "\n---\n" + "\n\n".join(paragraphs) + "\n",
            )
        data = text.encode("utf-8")
        (folder / name).write_bytes(data)
        total += len(data)
    return total


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--articles", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--languages", default="en", help="comma-separated: en, ru, kk, ja (a mix shares them out)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    languages = tuple(args.languages.split(","))
    unknown = set(languages) - set(LANGUAGES)
    if unknown:
        parser.error(f"unknown language(s): {', '.join(sorted(unknown))}; choose from {', '.join(LANGUAGES)}")
    size = generate(args.out, args.articles, args.seed, languages)
    print(f"wrote {args.articles} articles, {size / 1e6:.1f} MB, to {args.out}")


if __name__ == "__main__":
    main()
