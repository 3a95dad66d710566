"""Duplicates: reposted copies collapse into one cluster, shown once with its copies listed."""

from __future__ import annotations

import importlib.util
import json
import random
import sys
import tarfile
import types
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.dedup import (
    _SEED,
    LOW,
    NUM_PERM,
    THRESHOLD,
    YEAR_APART,
    Clusters,
    Compared,
    jaccard,
    minhash_class,
    near,
    numbers,
    numbers_differ,
    shingles,
    signature,
)
from searcher.engine import Engine


def run(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_reposts_collapse_into_one_cluster(tmp_path: Path, seeds: Path) -> None:
    original = next(seeds.glob("002_*.txt")).read_text("utf-8")
    dumps = tmp_path / "dumps"
    (dumps / "a").mkdir(parents=True)
    (dumps / "b").mkdir()
    (dumps / "a" / "original.txt").write_text(original, "utf-8")
    (dumps / "b" / "exact-copy.txt").write_text(original, "utf-8")
    # A repost that drops the last paragraph and changes a name: a near duplicate.
    paragraphs = original.split("\n\n")
    last = next(i for i, p in enumerate(paragraphs) if p.strip().startswith("施恩佩"))
    repost = "\n\n".join(paragraphs[:last] + paragraphs[last + 1 :]).replace("张建闯", "张某某")
    (dumps / "b" / "repost.txt").write_text(repost, "utf-8")
    index = str(tmp_path / "ix")
    run("index", str(dumps), "--index", index)

    result = json.loads(run("search", "徐子佳", "--index", index, "--json"))
    assert result["total"] == 1
    hit = result["hits"][0]
    assert len(hit["duplicates"]) == 2
    assert {Path(d["path"]).name for d in hit["duplicates"]} | {Path(hit["path"]).name} == {
        "original.txt", "exact-copy.txt", "repost.txt",
    }  # fmt: skip

    shown = [json.loads(line) for line in run("export", "--index", index).splitlines()]
    every = [
        json.loads(line) for line in run("export", "--all-copies", "--index", index).splitlines()
    ]
    assert len(shown) == 1 and len(every) == 3
    assert "施恩佩" in shown[0]["text"], "the most complete copy is the one shown"


def test_different_articles_stay_apart(seed_index: Path) -> None:
    records = [json.loads(x) for x in run("export", "--index", str(seed_index)).splitlines()]
    assert all(r["duplicates"] == [] for r in records)


def test_jaccard_of_five_gram_sets() -> None:
    text = "川汇区召开创建全国文明城市提名城市工作推进会传达贯彻全市推进会精神"
    assert jaccard(shingles(text), shingles(text)) == 1.0
    assert jaccard(shingles(text), shingles("完全无关的另一段文字内容")) == 0.0


def test_signature_is_datasketchs_minhash_of_the_shingles(seeds: Path) -> None:
    # signature() loads datasketch's MinHash module alone (the package imports scipy) and
    # hands it Python ints (4x faster than numpy scalars); the signature must be the one
    # the datasketch package computes from the shingle array itself, or the near copies
    # stored by earlier runs would no longer be found.
    import datasketch

    text = next(seeds.glob("002_*.txt")).read_text("utf-8")
    expected = signature(text)
    minhash = datasketch.MinHash(num_perm=NUM_PERM, seed=_SEED, hashfunc=int, scheme="affine32")
    minhash.update_batch(shingles(text))
    assert minhash_class() is datasketch.MinHash
    assert (expected == minhash.hashvalues).all()
    assert len(set(signature(text).tolist())) > NUM_PERM // 2


# --------------------------------------------------------------------------- reposts of real
# stories: a small version of benchmarks/dedup.py, on xwlb stories taken from the corpus


BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"
#: The broadcast days the tests read: a day of reposted and look-alike stories (20240929),
#: the same announcement in three years (烈士纪念日 …, 20220929/3, 20240929/3, 20250929/3),
#: one template in two years (本台明天将直播全国政协十四届二次/三次会议开幕会), and one
#: filled in twice on a day (习近平举行仪式欢迎智利/印度尼西亚总统访华, 20231017/1 and /3).
DAYS = ("20220929", "20240929", "20250929", "20240303", "20250303", "20231017")


def _benchmark() -> types.ModuleType:
    spec = importlib.util.spec_from_file_location("dedup_benchmark", BENCHMARKS / "dedup.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


bench = _benchmark()


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, str]]:
    """The stories of DAYS by url (``xwlb://YYYYMMDD/N``), read from the corpus archive."""
    archive = bench.xwlb.ARCHIVE
    if not archive.exists():
        pytest.fail(f"{archive} not found (shared/corpora/ must sit beside the repository clone)")
    folder = tmp_path_factory.mktemp("xwlb")
    with tarfile.open(archive, "r|xz") as tar:
        for member in tar:
            name = Path(member.name).name
            if member.isfile() and name.removesuffix(".md") in DAYS:
                handle = tar.extractfile(member)
                assert handle is not None
                (folder / name).write_bytes(handle.read())
    out = {}
    for day in DAYS:
        for story in bench.xwlb.parse_day(folder / f"{day}.md"):
            out[story["url"]] = story
    return out


def _paragraphs(story: dict[str, str]) -> list[str]:
    return story["text"].split("\n")


#: Reposts on one made-up site: (name, story, kind of alteration).
REPOSTS = (
    ("indented", "xwlb://20240929/5", "indented"),
    ("dropped", "xwlb://20240929/5", "dropped"),
    ("typos", "xwlb://20240929/13", "typos"),  # 140 characters: typos change 5-grams a lot
    ("wrapped", "xwlb://20240929/5", "wrapped"),
    ("same-day", "xwlb://20240929/6", "verbatim"),  # another story, same site and chrome
)


@pytest.fixture(scope="module")
def clusters(stories: dict[str, dict[str, str]], tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Every original (by url) and repost (by name) -> its cluster, indexed by searcher."""
    dumps = tmp_path_factory.mktemp("dedup-dumps")
    (dumps / "xwlb").mkdir()
    with (dumps / "xwlb" / "originals.jsonl").open("w", encoding="utf-8") as out:
        for story in stories.values():
            out.write(json.dumps(story, ensure_ascii=False) + "\n")
    rng = random.Random(16)
    site = bench.make_sites(1, rng)[0]
    (dumps / site.host).mkdir()
    for name, url, kind in REPOSTS:
        story = stories[url]
        body, indented, wrapped = bench.alter(kind, _paragraphs(story), [], rng)
        head, tail = bench.page_lines(site, story, body, indented, wrapped, rng)
        (dumps / site.host / f"{name}.txt").write_text("\n".join(head + tail), encoding="utf-8")
    folder = tmp_path_factory.mktemp("dedup-index")
    engine = Engine(folder)
    engine.index([dumps], jobs=1)
    found: dict[str, str | None] = {}
    for article in engine.export(all_copies=True):
        found[article.url or Path(article.path).stem] = article.cluster
    engine.close()
    return found


@pytest.mark.parametrize("name", ["indented", "dropped", "typos", "wrapped"])
def test_a_repost_joins_its_original(clusters: dict, name: str) -> None:
    # "wrapped": hard-wrapped at the site's width (36-40 columns, CJK counting 2), which
    # the cleaner sees rejoined by searcher/unwrap.py.
    url = next(u for n, u, _ in REPOSTS if n == name)
    assert clusters[name] == clusters[url]


def test_look_alikes_stay_apart(clusters: dict, stories: dict[str, dict[str, str]]) -> None:
    # The stories of one day: the same opening formula, often the same subjects.
    day = [url for url in stories if url.startswith("xwlb://20240929/")]
    assert len({clusters[url] for url in day}) == len(day) > 10
    # A story on the same site as reposts, with the same chrome, joins its own original.
    assert clusters["same-day"] == clusters["xwlb://20240929/6"] != clusters["indented"]
    # One template, two years: the session number differs.
    assert clusters["xwlb://20240303/4"] != clusters["xwlb://20250303/2"]
    # 2024's announcement is 2022's with a sentence added, two years later: another year's
    # story (dedup.YEAR_APART). 2025's gives another anniversary than 2024's.
    assert clusters["xwlb://20240929/3"] != clusters["xwlb://20220929/3"]
    assert clusters["xwlb://20250929/3"] != clusters["xwlb://20240929/3"]


def test_numbers_tell_a_template_from_a_copy(stories: dict[str, dict[str, str]]) -> None:
    first, second = stories["xwlb://20240303/4"]["text"], stories["xwlb://20250303/2"]["text"]
    a, b = Compared.of(first), Compared.of(second)
    assert jaccard(a.shingles, b.shingles) >= THRESHOLD  # 十四届二次会议 / 十四届三次会议
    assert numbers_differ(a.numbers, b.numbers) and near(a, b) is None
    # A trimmed paragraph takes its numbers with it; a typo beside a numeral (两国 -> 两三)
    # is no other number.
    long = stories["xwlb://20240929/5"]["text"].split("\n")
    assert "102项" in long[2]
    trimmed = Compared.of("\n".join(long[:2] + long[3:]))
    assert near(Compared.of("\n".join(long)), trimmed) is not None
    text = stories["xwlb://20240929/12"]["text"]
    assert "两国" in text
    assert not numbers_differ(numbers(text), numbers(text.replace("两国", "两三", 1)))


def test_typos_in_a_short_story_are_a_near_copy(stories: dict[str, dict[str, str]]) -> None:
    text = stories["xwlb://20240929/13"]["text"]
    chars = list(text)
    cjk = [i for i, c in enumerate(chars) if "\u4e00" <= c <= "\u9fff" and i > 12]
    for k in range(1, 5):  # four characters replaced, spread over the text
        chars[cjk[k * len(cjk) // 5]] = "某"
    typed = "".join(chars)
    a, b = Compared.of(text), Compared.of(typed)
    # Four characters of 140 change a quarter of the 5-grams, a thirtieth of the characters.
    assert jaccard(a.shingles, b.shingles) < THRESHOLD
    assert near(a, b) is not None


def test_a_cluster_holding_other_numbers_is_not_joined(stories: dict[str, dict[str, str]]) -> None:
    texts = {
        "2022": stories["xwlb://20220929/3"]["text"],
        "2024": stories["xwlb://20240929/3"]["text"],  # 2022's, with 今年是…75周年 added
    }
    found = Clusters(texts.get, lambda bands: [("2022", "c", None), ("2024", "c", None)])
    assert found.find(stories["xwlb://20250929/3"]["text"], [], True) is None  # …80周年
    repost = "\n".join(bench.typo(texts["2022"].split("\n"), random.Random(1)))
    match = found.find(repost, [], True)
    assert match is not None and match.cluster == "c"


def test_one_template_filled_in_twice_is_two_stories(stories: dict[str, dict[str, str]]) -> None:
    chile, indonesia = (Compared.of(stories[f"xwlb://20231017/{n}"]["text"]) for n in (1, 3))
    assert not numbers_differ(chile.numbers, indonesia.numbers)  # the same day, 21 响
    # Alike character by character (difflib's ratio over 0.85), but in other words:
    # 智利 / 印度尼西亚, 博里奇 / 佐科.
    assert LOW <= jaccard(chile.shingles, indonesia.shingles) < THRESHOLD
    assert near(chile, indonesia) is None


def test_a_near_copy_of_another_year_is_another_story(stories: dict[str, dict[str, str]]) -> None:
    # 烈士纪念日向人民英雄敬献花篮仪式: 2024's text is 2022's with one sentence added
    # (今年是中华人民共和国成立75周年); by the texts alone, a repost with a paragraph added.
    old, new = stories["xwlb://20220929/3"], stories["xwlb://20240929/3"]
    assert near(Compared.of(old["text"]), Compared.of(new["text"])) is not None
    assert (
        near(Compared.of(old["text"], old["date"]), Compared.of(new["text"], new["date"])) is None
    )
    # A repost comes within days or weeks; one without a date is judged by its text.
    assert old["date"] == "2022-09-29" and YEAR_APART > 31
    for date in ("2022-09-29", "2022-10-28", None):
        assert near(Compared.of(old["text"], old["date"]), Compared.of(new["text"], date))
    # Exact copies are copies, whatever their dates (2023's text is 2022's word for word).
    again = stories["xwlb://20220929/3"]["text"]
    assert near(Compared.of(old["text"], "2022-09-29"), Compared.of(again, "2023-09-29"))


def _cluster_of(candidates: dict[str, tuple[str, str | None]], texts: dict[str, str]) -> Clusters:
    """Clusters over stored articles ``id -> (cluster, date)`` with ``texts``, every one a
    candidate."""
    rows = [(key, cluster, date) for key, (cluster, date) in candidates.items()]
    return Clusters(texts.get, lambda bands: rows)


def test_a_text_near_copies_in_two_clusters_merges_them(
    stories: dict[str, dict[str, str]],
) -> None:
    long = _paragraphs(stories["xwlb://20240929/5"])
    extra = _paragraphs(stories["xwlb://20240929/6"])[1]
    cut = "\n".join(long[:2] + long[3:])
    added = "\n".join([*long[:4], extra, *long[4:]])
    whole = "\n".join(long)
    # Stored in two clusters (as the reposts are when not near copies of each other).
    found = _cluster_of({"cut": ("a", None), "added": ("b", None)}, {"cut": cut, "added": added})
    match = found.find(whole, [], True)
    assert match is not None and sorted(match.clusters) == ["a", "b"]
    assert match.cluster == match.clusters[0]


def test_clusters_of_two_years_do_not_merge_through_a_copy_without_a_date(
    stories: dict[str, dict[str, str]],
) -> None:
    old, new = stories["xwlb://20220929/3"], stories["xwlb://20240929/3"]
    texts = {"2022": old["text"], "2024": new["text"]}
    found = _cluster_of({"2022": ("a", old["date"]), "2024": ("b", new["date"])}, texts)
    # A repost of 2022's without a date is near both: it joins one, they stay two.
    repost = "\n".join(bench.typo(_paragraphs(old), random.Random(1)))
    match = found.find(repost, [], True)
    assert match is not None and len(match.clusters) == 1
    # Dated, it is the year's: 2024's cluster holds another year's near copy.
    match = found.find(repost, [], True, "2022-10-08")
    assert match is not None and match.clusters == ["a"]


def test_another_years_story_let_in_by_a_copy_without_a_date_leaves(
    stories: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    # A dateless repost of 2022's 烈士纪念日 announcement; 2024's (2022's and a sentence)
    # joins it by its text alone; 2022's own, an exact copy of the repost, comes last.
    old, new = stories["xwlb://20220929/3"], stories["xwlb://20240929/3"]
    records = [
        {"url": "https://a.example.cn/1.html", "title": old["title"], "text": old["text"]},
        {**new, "url": "https://b.example.cn/2.html"},
        old,
    ]
    found = _clusters_and_dates(tmp_path, records)
    assert found["https://a.example.cn/1.html"][1] is None
    assert found[old["url"]][0] == found["https://a.example.cn/1.html"][0]
    assert found["https://b.example.cn/2.html"][0] != found[old["url"]][0]


def _clusters_and_dates(
    tmp_path: Path, records: list[dict[str, str]]
) -> dict[str | None, tuple[str | None, str | None]]:
    """Index ``records`` as one JSON Lines dump: each copy's cluster and date, by URL."""
    dump = tmp_path / "dumps" / "pages.jsonl"
    dump.parent.mkdir()
    dump.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), "utf-8")
    engine = Engine(tmp_path / "ix")
    engine.index([dump], jobs=1)
    found = {a.url: (a.cluster, a.date) for a in engine.export(all_copies=True)}
    engine.close()
    return found


def test_a_number_opening_a_paragraph_stands_after_no_words(
    stories: dict[str, dict[str, str]],
) -> None:
    # 一要… / 二要… / 三要…: without the paragraph 二要…, 三要 follows the words that ended
    # the paragraph before it, as 二要 did in the story; that is no other number.
    parts = [
        "推动落实全球发展倡议,高质量共建“一带一路”。",
        "二要在协商中化解分歧。",
        "三要坚持全球治理。",
    ]
    text = "\n".join(["央视网消息:韩正出席论坛开幕式并致辞。", *parts])
    trimmed = "\n".join(["央视网消息:韩正出席论坛开幕式并致辞。", parts[0], parts[2]])
    assert not numbers_differ(numbers(text), numbers(trimmed))
    assert numbers_differ(numbers("会议将于3月4日下午开幕"), numbers("会议将于3月5日下午开幕"))


def test_a_text_of_two_years_gathers_the_copies_of_both(
    stories: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    # 2023's 烈士纪念日 announcement is 2022's word for word. A 2023 repost of it, then a
    # 2022 repost with typos (near it, but a year apart: it stays out), then 2022's own text:
    # an exact copy of the first, a near copy of the second of its year, it brings all in.
    old = stories["xwlb://20220929/3"]
    typos = "\n".join(bench.typo(_paragraphs(old), random.Random(3)))
    records = [
        {**old, "url": "https://a.example.cn/2023.html", "date": "2023-09-29"},
        {**old, "url": "https://b.example.cn/2022.html", "text": typos},
        old,
    ]
    found = _clusters_and_dates(tmp_path, records)
    assert [found[r["url"]][1] for r in records] == ["2023-09-29", "2022-09-29", "2022-09-29"]
    assert len({cluster for cluster, _ in found.values()}) == 1
