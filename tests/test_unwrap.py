"""Unwrapping: dumps hard-wrapped at a fixed width (lynx, w3m, html2text, fold) are read as
paragraphs, and every other dump exactly as before."""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest

from searcher import ingest
from searcher.sources import decode, read_pages
from searcher.unwrap import display_width, unwrap

sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))

import extract as bench

SEEDS = sorted((Path(__file__).parents[1] / "seeds").glob("*.txt"))
CORPUS = Path(
    os.environ.get("EXTRACT_DEV")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-dev"
)
#: An extract-dev page (a how-to page of a history site) and what a reader sees on it.
HOWTO = "2338d64a03dcd33c"
HOWTO_HEADLINE = "疫情一刀切政策怎么投诉举报"
HOWTO_SENTENCE = "除了可以拨打12388投诉举报疫情一刀切政策外，还可以通过以下途径处理解决。"
#: An extract-dev page (a news story) with sentences longer than a line of a text browser.
NEWS = "fd0a94a0e3bc8c58"
NEWS_SENTENCE = (
    "苹果公司在给新泽西州地方法官朱利安·X·尼尔斯的一封信中表示，苹果公司远非垄断者，"
    "而是面临着来自老牌竞争对手的激烈竞争，而且起诉书并未指控苹果公司有能力收取超竞争费用。"
)


def seed_text(path: Path) -> str:
    return decode(path.read_bytes())[0]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def articles(text: str) -> list:
    return ingest.extract(text, "dump.txt").articles


@pytest.fixture(scope="module")
def corpus() -> dict[str, bench.Page]:
    if not (CORPUS / "gold.json").is_file():
        pytest.skip(f"extract-dev corpus not found at {CORPUS}")
    return {page.id: page for page in bench.load_pages(CORPUS)}


def lines_holding(text: str, sentence: str) -> bool:
    return any(sentence in line for line in text.splitlines())


# --------------------------------------------------------------------------- widths


def test_display_width_counts_cjk_and_full_width_characters_as_two_columns() -> None:
    assert display_width("川汇区") == 6
    assert display_width("ＡＢ１") == 6
    assert display_width("2024年9月") == 9
    assert display_width("Huaiyang district") == 17
    # A line of a dump wrapped at 40 columns holds 20 CJK characters.
    line = bench.hard_wrap("川汇区召开创建全国文明城市提名城市工作推进会，会议要求各单位行动")
    assert line.split("\n")[0] == "川汇区召开创建全国文明城市提名城市工作推"


# --------------------------------------------------------------------------- not wrapped


@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.name)
def test_a_seed_dump_is_not_wrapped_and_comes_back_unchanged(seed: Path) -> None:
    # Seeds are one block a line; a sentence broken across a blank line (seed 000:
    # 李宗喜强调,一是千万不可低估这 / 项工作的艰辛) is rejoined later, by the article builder.
    text = seed_text(seed)
    assert unwrap(text) == text


def test_the_visible_text_of_every_extract_dev_page_comes_back_unchanged(
    corpus: dict[str, bench.Page],
) -> None:
    for page in corpus.values():
        text = bench.visible_text(page.data)
        assert unwrap(text) == text, page.id


# --------------------------------------------------------------------------- wrapped


@pytest.mark.parametrize("columns", [40, 60, 80])
@pytest.mark.parametrize("seed", SEEDS, ids=lambda path: path.name)
def test_a_seed_hard_wrapped_gives_the_articles_of_the_seed(seed: Path, columns: int) -> None:
    text = seed_text(seed)
    wrapped = bench.hard_wrap(text, columns)
    assert wrapped != text
    want, got = articles(text), articles(wrapped)
    assert [a.title for a in got] == [a.title for a in want]
    assert [squeeze(a.text) for a in got] == [squeeze(a.text) for a in want]


def test_a_page_wrapped_at_40_columns_keeps_its_headline_and_whole_sentences(
    corpus: dict[str, bench.Page],
) -> None:
    wrapped = bench.hard_wrap(bench.visible_text(corpus[HOWTO].data))
    assert not lines_holding(wrapped, HOWTO_SENTENCE)  # the dump cut it
    (article,) = articles(wrapped)
    assert article.title == HOWTO_HEADLINE
    assert any(HOWTO_SENTENCE in paragraph for paragraph in article.paragraphs)


@pytest.mark.parametrize("browser", ["lynx", "w3m"])
def test_a_text_browser_dump_gives_whole_sentences_and_no_placeholders(
    corpus: dict[str, bench.Page], browser: str
) -> None:
    if shutil.which(browser) is None:
        pytest.skip(f"{browser} is not installed (apt-get install {browser})")
    dump = bench.rendered(corpus[NEWS].data, browser)
    assert not lines_holding(dump, NEWS_SENTENCE)  # cut at 80 columns
    found = articles(dump)
    assert any(NEWS_SENTENCE in paragraph for a in found for paragraph in a.paragraphs)
    text = "\n".join(a.text for a in found)
    for placeholder in ("IFRAME:", ".png]", ".jpg]", "(BUTTON)", "[INS:", "viewTAG="):
        assert placeholder not in text


def test_an_html2text_dump_loses_the_image_addresses_it_cut_over_lines(
    corpus: dict[str, bench.Page],
) -> None:
    if shutil.which("html2text") is None:
        pytest.skip("html2text is not installed (apt-get install html2text)")
    page = corpus["0987b0ff61a8eca7"]  # a recipe page with inline images
    dump = bench.rendered(page.data, "html2text")
    assert "[https://" in dump and "base64," in dump
    assert "****** 煮一碗好吃的腊八粥，请记好这几个小窍门 ******" in dump.split("\n")
    # The headline loses the rules html2text frames it with.
    assert "煮一碗好吃的腊八粥，请记好这几个小窍门" in unwrap(dump).split("\n")
    text = "\n".join(f"{a.title}\n{a.text}" for a in articles(dump))
    assert "https://" not in text and "base64" not in text
    assert "豆子提前浸泡" in text


# --------------------------------------------------------------------------- line kinds

# A paragraph of seed 000, as a dump wrapped at 40 columns cuts it.
PARAGRAPH = (
    "李宗喜强调,一是重整行装,以利再战。大家要发扬连续作战的优良作风,坚决克服麻痹思想和厌战情绪,"
    "以更高的标准、更实的举措、更严的要求,全力以赴做好迎检各项工作。"
)


def wrapped_paragraph() -> list[str]:
    return bench.hard_wrap(PARAGRAPH).split("\n")


def test_a_broken_paragraph_becomes_one_line_and_a_short_last_line_ends_it() -> None:
    lines = wrapped_paragraph()
    # The last line is short: the next paragraph's first character would have fitted on it.
    assert len(lines) > 3 and display_width(lines[-1]) + 2 <= 40
    # The next paragraph follows on the very next line, with no blank line between.
    text = "\n".join([*lines, *wrapped_paragraph()])
    assert unwrap(text).split("\n") == [PARAGRAPH, PARAGRAPH]


def test_a_blank_line_ends_a_paragraph_even_after_a_full_line() -> None:
    lines = wrapped_paragraph()
    text = "\n".join([*lines[:2], "", *lines[2:], "", *lines])
    assert unwrap(text).split("\n") == [
        lines[0] + lines[1],
        "",
        "".join(lines[2:]),
        "",
        PARAGRAPH,
    ]


def test_headings_list_items_and_table_rows_stay_lines_of_their_own() -> None:
    # lynx: headings at column 0, body text indented 3, list items marked with * and a
    # hanging indent, a table laid out with runs of spaces.
    body = bench.hard_wrap(PARAGRAPH, 74).split("\n")
    item = bench.hard_wrap(PARAGRAPH, 70).split("\n")
    text = "\n".join(
        [
            "川汇区召开创建全国文明城市提名城市工作推进会",
            "",
            *("   " + line for line in body),
            "",
            "     * " + item[0],
            *("       " + line for line in item[1:]),
            "     * 加快推进新建学校项目建设",
            "     1. 落实“三个责任” 打好收官之战",
            "",
            "   所属行政区    河南省 周口市",
            *("   " + line for line in body),
        ]
    )
    out = [line.strip() for line in unwrap(text).split("\n") if line.strip()]
    assert out == [
        "川汇区召开创建全国文明城市提名城市工作推进会",
        PARAGRAPH,
        "* " + PARAGRAPH,
        "* 加快推进新建学校项目建设",
        "1. 落实“三个责任” 打好收官之战",
        "所属行政区    河南省 周口市",
        PARAGRAPH,
    ]


def test_a_line_the_font_size_rule_would_drop_is_kept_once_rejoined() -> None:
    # Cut at 40 columns, the third line starts 大大缩短: alone it reads as a font-size
    # widget (大 大) and the sentence loses its middle.
    lines = [
        "川汇区持续优化营商环境",
        "今年以来，川汇区全面推行“一网通办”改革，",
        "企业开办、不动产登记等高频事项的办理时限",
        "大大缩短。群众办事更加方便快捷，满意度明",
        "显提升，全区营商环境持续优化，市场主体数",
        "量同比增长百分之十二。",
    ]
    (article,) = articles("\n".join(lines))
    assert article.title == "川汇区持续优化营商环境"
    assert article.text == "".join(lines[1:])


def test_latin_words_join_with_one_space_and_a_hyphenated_word_is_made_whole() -> None:
    lines = [
        "Huaiyang district held a meeting on the",
        "national civilised city campaign on",
        "Tuesday, officials promised an inter-",
        "national standard of public services for",
        "every street of the old town before the",
        "inspection team arrives in October.",
    ]
    assert unwrap("\n".join(lines)) == (
        "Huaiyang district held a meeting on the national civilised city campaign on "
        "Tuesday, officials promised an international standard of public services for "
        "every street of the old town before the inspection team arrives in October."
    )


def test_a_json_lines_text_page_is_unwrapped_too(tmp_path: Path) -> None:
    record = {
        "url": "http://www.chuanhui.gov.cn/news/1.html",
        "title": "川汇区召开创建全国文明城市提名城市工作推进会",
        "text": "\n".join(wrapped_paragraph() * 2),
    }
    dump = tmp_path / "pages.jsonl"
    dump.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    (page,) = read_pages(dump)
    assert [line.text for line in page.lines] == [PARAGRAPH, PARAGRAPH]


# --------------------------------------------------------------------------- w3m, datelines

#: An extract-dev page (a self-media story between ads) whose paragraphs w3m indents on
#: their first line only.
INDENTED = "0eebc3efd1797949"
INDENTED_SENTENCE = (
    "可是，你知道吗就在刚刚结束的2024年世锦赛，丁俊晖再次提前遭到淘汰，未能突破重围。"
    "对于仍怀抱世界冠军梦想的他而言，这无疑是沉重的打击。"
)
#: An extract-dev page (an earthquake report) with images, which w3m writes as the start of
#: their file names (``[64075356]``).
IMAGES = "0d18823b30fc212d"
#: An extract-dev page whose headline is exactly 40 columns wide, over its dateline.
FULL_HEADLINE = "7fbc6805c3fb26a9"
FULL_HEADLINE_TEXT = "现总统阿比纳德尔宣布赢得多米尼加总统选举"


def test_a_w3m_paragraph_indented_on_its_first_line_only_is_rejoined(
    corpus: dict[str, bench.Page],
) -> None:
    if shutil.which("w3m") is None:
        pytest.skip("w3m is not installed (apt-get install w3m)")
    dump = bench.rendered(corpus[INDENTED].data, "w3m")
    assert not lines_holding(dump, INDENTED_SENTENCE)  # cut at 80 columns
    assert any(INDENTED_SENTENCE in p for a in articles(dump) for p in a.paragraphs)


def test_w3m_image_names_are_taken_out(corpus: dict[str, bench.Page]) -> None:
    if shutil.which("w3m") is None:
        pytest.skip("w3m is not installed (apt-get install w3m)")
    dump = bench.rendered(corpus[IMAGES].data, "w3m")
    assert "[64075356]" in dump
    text = "\n".join(a.text for a in articles(dump))
    assert "震中距伽师县92公里" in text
    assert not re.search(r"\[\d{8}\]", text)


def test_a_headline_filling_the_width_is_not_glued_to_the_dateline_under_it(
    corpus: dict[str, bench.Page],
) -> None:
    wrapped = bench.hard_wrap(bench.visible_text(corpus[FULL_HEADLINE].data))
    assert f"{FULL_HEADLINE_TEXT}\n2024-05-20 14:33" in wrapped
    assert FULL_HEADLINE_TEXT in unwrap(wrapped).split("\n")
    found = articles(wrapped)
    assert found and "阿比纳德尔19日晚在竞选总部宣布" in found[0].text


def test_a_date_on_a_line_of_its_own_is_never_joined_to_a_line_next_to_it() -> None:
    # A feed of teasers wrapped at 40 columns: a headline exactly as wide as a line, its
    # date, and its teaser (what a blog's "recommended" box holds).
    headline = "普通人如何用人工智能工具搞钱请看这篇文章"  # 20 characters, 40 columns
    teaser = PARAGRAPH
    text = "\n".join([headline, "03-29", teaser] * 3)
    wrapped = bench.hard_wrap(text)
    assert f"{headline}\n03-29\n" in wrapped
    assert unwrap(wrapped).split("\n") == [headline, "03-29", teaser] * 3
