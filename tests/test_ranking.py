"""Ranking as a user meets it: what comes first, what ``--explain`` says, pages that agree."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main
from searcher.engine import Engine
from searcher.rank import Ranking, min_window, proximity, title_match

#: Stories of the kind the seeds hold, one JSON object a line.
STORIES = [
    {
        "url": "http://example.gov.cn/1",
        "title": "区政府召开常务会议",
        "date": "2024-03-01",
        "text": "3月1日，区长主持召开区政府常务会议，研究部署春季农业生产、安全生产等工作。"
        "会议强调，要压实责任，抓好春耕备耕，确保粮食播种面积稳定。"
        "会议还听取了老旧小区改造工作情况汇报，要求各街道加快进度，"
        "让群众早日住上舒心房。会议要求，各部门要对照年度目标任务，细化措施，"
        "明确时限，确保各项工作落到实处，为全年经济社会发展开好局、起好步。",
    },
    {
        "url": "http://example.gov.cn/2",
        "title": "老旧小区改造惠及万户居民",
        "date": "2024-03-02",
        "text": "今年以来，我区把老旧小区改造作为民生实事，完成老旧小区改造42个。"
        "老旧小区改造聚焦屋面防水、管网更新、加装电梯，惠及居民一万余户。",
    },
    {
        "url": "http://example.gov.cn/3",
        "title": "第二届全国中山篆书法篆刻大展征稿",
        "date": "2024-03-03",
        "text": "为繁荣艺术创作，现举办第二届全国中山篆书法篆刻大展，欢迎广大作者投稿。"
        "作品要求原创，每人限投一件。",
    },
    {
        "url": "http://example.gov.cn/4",
        "title": "市文联举办迎春送福活动",
        "date": "2024-03-04",
        "text": "活动现场，书法家们挥毫泼墨，为群众写春联、送福字。"
        "市文联负责人介绍，此次活动共送出春联两千余副。",
    },
]


@pytest.fixture(scope="module")
def stories(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("ranking-dumps")
    lines = [json.dumps(story, ensure_ascii=False) for story in STORIES]
    (folder / "stories.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = tmp_path_factory.mktemp("ranking-index")
    Engine(index).index([folder])
    return index


def titles(engine: Engine, query: str, **kwargs: object) -> list[str]:
    return [hit.title for hit in engine.search(query, **kwargs).hits]


def test_a_quoted_string_ranks_the_article_about_it_first(stories: Path) -> None:
    # Both hold the string; the short story that repeats it is about it, the long one
    # mentions it once. (Before, a quoted string's matches came in index order.)
    assert titles(Engine(stories), '"老旧小区改造"') == [
        "老旧小区改造惠及万户居民",
        "区政府召开常务会议",
    ]


def test_a_title_word_is_found_inside_longer_title_words(stories: Path) -> None:
    # The segmenter cuts 中山篆书法篆刻 as 中山/篆书/法/篆刻: no word 书法 in that title.
    engine = Engine(stories)
    assert titles(engine, "title:书法") == ["第二届全国中山篆书法篆刻大展征稿"]
    assert titles(engine, 'title:"书法"') == ["第二届全国中山篆书法篆刻大展征稿"]
    assert titles(engine, "title:征稿") == ["第二届全国中山篆书法篆刻大展征稿"]
    assert titles(engine, "title:送福") == ["市文联举办迎春送福活动"]


@pytest.mark.parametrize(
    "query",
    ["老旧小区改造", "老旧小区 改造", '"老旧小区改造"', "会议 春耕", "书法 OR 春联", "创文"],
)
def test_explain_adds_up_to_each_hits_score(seed_index: Path, query: str) -> None:
    for engine in (Engine(seed_index), Engine(seed_index, ranking=Ranking(proximity=3.0))):
        result = engine.search(query, explain=True, limit=20)
        for hit in result.hits:
            assert hit.explanation is not None
            assert hit.explanation.value == pytest.approx(hit.score, rel=1e-6)
            _assert_sums(hit.explanation)


def _assert_sums(node: object) -> None:
    details = node.details  # type: ignore[attr-defined]
    if node.description.startswith(("sum of", "score, re-scored")):  # type: ignore[attr-defined]
        assert sum(d.value for d in details) == pytest.approx(node.value, rel=1e-6)  # type: ignore[attr-defined]
    for detail in details:
        _assert_sums(detail)


def test_explain_names_the_words_their_fields_and_the_tiers(stories: Path) -> None:
    hit = Engine(stories).search("老旧小区 改造", explain=True).hits[0]
    text = "\n".join(hit.explanation.lines())
    assert "word «老旧小区»: BM25F, title ×1, text ×3" in text
    assert "tier: holds the whole query as one string «老旧小区改造» (in its title" in text
    assert "title holds every word of the query" in text


def test_cli_explain_prints_the_parts_under_each_hit(stories: Path) -> None:
    result = CliRunner().invoke(
        main, ["search", "老旧小区 改造", "--index", str(stories), "--explain"]
    )
    assert result.exit_code == 0, result.output
    assert "word «老旧小区»: BM25F" in result.output
    as_json = CliRunner().invoke(
        main, ["search", "书法", "--index", str(stories), "--explain", "--json"]
    )
    hit = json.loads(as_json.output)["hits"][0]
    assert hit["explanation"]["value"] == hit["score"]
    plain = CliRunner().invoke(main, ["search", "书法", "--index", str(stories), "--json"])
    assert "explanation" not in json.loads(plain.output)["hits"][0]


def test_pages_agree_with_one_long_page(seed_index: Path) -> None:
    engine = Engine(seed_index)
    whole = [hit.id for hit in engine.search("会议", limit=12).hits]
    pages = [engine.search("会议", page=page, limit=4).hits for page in (1, 2, 3, 4)]
    paged = [hit.id for hits in pages for hit in hits]
    assert len(whole) == 12  # every article holding 会议
    assert paged == whole


def test_a_typed_word_outranks_the_same_article_by_its_synonym_alone(seed_index: Path) -> None:
    # 创文 -> 创建文明城市: the synonym's part is weighted down (it was not, for a synonym
    # that is one dictionary word: its weight was dropped).
    result = Engine(seed_index).search("创文", explain=True, limit=50)
    synonyms = [
        line
        for hit in result.hits
        for line in hit.explanation.lines()
        if "a synonym, weighted 0.5" in line or "synonyms, weighted 0.5" in line
    ]
    assert synonyms


def test_the_shortest_window_holds_one_string_of_each_group() -> None:
    text = "会议强调要抓好春耕。春耕备耕，会议要求落实。"
    assert min_window(text, [["会议"], ["春耕"]]) == (10, 17)  # 春耕备耕，会议
    assert min_window(text, [["会议"], ["秋收"]]) is None
    assert min_window(text, [["会议"], ["秋收", "备耕"]]) == (12, 17)


def test_proximity_counts_words_close_in_one_sentence_only() -> None:
    ranking = Ranking(proximity=2.0)
    close = proximity("区长主持召开常务会议，研究春耕。", [["常务会议"], ["春耕"]], ranking)
    far = proximity("区长主持召开常务会议。下午研究春耕。", [["常务会议"], ["春耕"]], ranking)
    adjacent = proximity("召开常务会议春耕", [["常务会议"], ["春耕"]], ranking)
    assert far == 0.0
    assert 0.0 < close < adjacent == 2.0


def test_a_title_bonus_needs_every_word_in_the_title() -> None:
    ranking = Ranking(title_match=5.0)
    assert title_match("老旧小区改造惠及万户居民", [["老旧小区"], ["改造"]], ranking) == 5.0
    assert title_match("老旧小区改造惠及万户居民", [["老旧小区"], ["电梯"]], ranking) == 0.0


def test_a_synonym_found_as_a_string_is_weighted_too(seed_index: Path) -> None:
    # In titles every word is looked for as a string: 文明城市's synonym 文明城 too.
    hit = Engine(seed_index).search("title:文明城市", explain=True).hits[0]
    lines = hit.explanation.lines()
    typed = next(line for line in lines if "«文明城市» in the title" in line)
    synonym = next(line for line in lines if "«文明城» in the title" in line)
    assert "a synonym, weighted 0.5" in synonym
    assert float(synonym.split()[0]) == pytest.approx(float(typed.split()[0]) / 2, rel=1e-3)
