"""Headline, date and source: what a result list shows, on real pages nobody here wrote.

The pages are from ``shared/corpora/extract-meta`` (each with a person-checked headline,
date and source) and the xwlb stories; the unit cases are the kinds of line users saw as
titles on real government sites.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from searcher.ingest import extract
from searcher.metadata import clean_source, labelled_source, never_title, title_core

META = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-meta"


def _first(page_id: str) -> tuple[dict, object]:
    gold_path = META / "gold.json"
    if not gold_path.is_file():
        pytest.fail(f"extract-meta corpus missing: {gold_path}", pytrace=False)
    gold = json.loads(gold_path.read_text(encoding="utf-8"))[page_id]
    articles = extract((META / "html" / f"{page_id}.html").read_bytes(), f"{page_id}.html")
    assert articles.articles, f"{page_id}: no article"
    return gold, articles.articles[0]


@pytest.mark.parametrize(
    ("page_id", "what"),
    [
        ("826a372a371a", "<title> with the site name twice after underscores"),
        ("c98679b84608", "<title> with keywords after bars, then the site"),
        ("738188fbb8c3", "a bar inside the headline itself (棱镜|……)"),
        ("571654d9e79d", "a 原标题 line below the headline"),
        ("c0f00c005c97", "a photo caption 活动现场 in the body"),
        ("be81ecf99f70", "<title> is the site's name; ArticleTitle names the article"),
        ("0c455b1a188d", "a 信息公开 page: the header table above the headline"),
        ("068e559b12d1", "the article's element after a stray </body>"),
        ("d333a5e7ccc4", "a CJK dash inside the headline, the site after --"),
        ("f7ce755ad5f3", "a WeChat page: byline 原创 …, no usable <title> suffix"),
    ],
)
def test_title_is_the_headline_a_reader_sees(page_id: str, what: str) -> None:
    gold, article = _first(page_id)
    assert article.title.replace(" ", "") == gold["title"].replace(" ", ""), what


@pytest.mark.parametrize(
    ("page_id", "what"),
    [
        ("0c455b1a188d", "生成日期 of the header table, not the meta PubDate of a later edit"),
        ("126d56f54944", "a dateline without a year (发布时间：10-08 12:00), the year from meta"),
        ("86f656d511b5", "a dateline laid out in three pieces (2019 / 09/07 / 19:02)"),
        ("589600c4a411", "the dateline under the headline, not the date of today in the header"),
        ("31f558282d32", "a dateline that also names the source (2019-08-13 14:07来源：澎湃新闻)"),
        ("559ecee995e6", "the dateline under the headline, not the one of a related story"),
    ],
)
def test_date_is_the_articles_own(page_id: str, what: str) -> None:
    gold, article = _first(page_id)
    assert article.date == gold["date"], what


@pytest.mark.parametrize(
    ("page_id", "what"),
    [
        ("1807a32bb861", "a ContentSource meta holding the label and a note: 来源：X 原创稿"),
        ("23898060d70b", "an unlabelled byline 石佳/中国青年报 above the dateline"),
        ("f0adb76f86e0", "the outlet on a line of its own above the dateline"),
        ("d333a5e7ccc4", "来源：新华网 in the meta, cut cleanly"),
        ("de02f5f5f3b1", "the account's name above a year-less dateline"),
    ],
)
def test_source_is_the_bylines(page_id: str, what: str) -> None:
    gold, article = _first(page_id)
    assert article.source == gold["source"], what


@pytest.mark.parametrize(
    "line",
    [
        "活动现场",
        "调整字体",
        "第三方登录",
        "附件下载：",
        "全文下载",
        "相关文档：",
        "政务动态",
        "州市动态",
        "川卫函〔2025〕46号",
        "一、培训对象",
        "（二）工作要求",
        "半月谈记者 史卫燕",
        "原标题：国务院联防联控机制印发通知",
        "（图为活动现场）",
        "张三 摄",
    ],
)
def test_lines_that_are_never_a_headline(line: str) -> None:
    assert never_title(line)


@pytest.mark.parametrize(
    "line",
    [
        "川汇区召开创建全国文明城市提名城市工作推进会",
        "中华人民共和国监察法",
        "小记者走进社区",
        "第二届全国中山篆书法篆刻大展征稿",
        "【不忘初心 牢记使命】我院医技药剂党支部举办2019年中药、药学理论知识与专业技能大赛",
    ],
)
def test_headlines_are_not_taken_for_other_lines(line: str) -> None:
    assert never_title(line) is None


@pytest.mark.parametrize(
    ("title", "core"),
    [
        ("途虎养车港交所挂牌 腾讯为最大外部股东_财新网_财新网",
         "途虎养车港交所挂牌 腾讯为最大外部股东"),
        ("9年來第1次戰勝詹姆斯!NBA歷史第二差紀錄終結-體育新聞-新浪新聞中心",
         "9年來第1次戰勝詹姆斯!NBA歷史第二差紀錄終結"),
        ("港特首梁振英就住宅违建事件道歉 - BBC中文网 - 两岸三地", "港特首梁振英就住宅违建事件道歉"),
        ("中国—拉美企业家高峰会开幕", "中国—拉美企业家高峰会开幕"),
        ("啃“硬骨头”打“歼灭仗”——川汇区全力以赴推进全国文明城市创建工作",
         "啃“硬骨头”打“歼灭仗”——川汇区全力以赴推进全国文明城市创建工作"),
    ],
)  # fmt: skip
def test_title_core_drops_site_and_column_parts(title: str, core: str) -> None:
    assert title_core(title) == core


def test_source_is_cut_cleanly() -> None:
    assert clean_source("来源：人民网-文化频道 原创稿") == "人民网-文化频道"
    assert clean_source("2019-08-13 14:07来源：澎湃新闻") == "澎湃新闻"
    assert clean_source("来源：新华社 作者：张三") == "新华社"
    assert clean_source("来源： 访问量：1632") is None
    assert labelled_source("版权所有 复制必究") is None
    assert labelled_source("这也意味着，只要数据来源未经用户授权") is None


def test_a_json_lines_title_is_used_as_given(tmp_path: Path) -> None:
    # xwlb://20220924/12: the story's text holds the sub-heading of its second half, which
    # took the place of the story's own title.
    record = {
        "url": "xwlb://20220924/12",
        "title": "俄称在多地打击乌军阵地等目标 乌称在东线部分地区击退俄进攻",
        "date": "2022-09-24",
        "text": "央视网消息（新闻联播）：俄罗斯国防部23日称，俄军对顿涅茨克地区、尼古拉耶夫等地的"
        "乌军阵地等乌军多个军事目标实施精确打击，并击落多架乌军战机。\n"
        "乌克兰方面23日称，乌军在东部战线部分地区击退俄军进攻，还击落了多架俄军无人机。\n"
        "欧洲多国因能源危机经济受损 民众负担沉重\n"
        "美西方加码对俄制裁，欧洲深陷能源危机。德国副总理兼经济和气候保护部长哈贝克22日说，"
        "由于能源成本高于以往，德国今年经济损失将接近600亿欧元。",
    }
    dump = tmp_path / "xwlb.jsonl"
    dump.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    from searcher.engine import Engine

    engine = Engine(tmp_path / "index")
    engine.index([dump])
    titles = [article.title for article in engine.export(all_copies=True)]
    assert titles[0] == record["title"]
    assert all("欧洲多国因能源危机经济受损" in a.text for a in engine.export())


@pytest.mark.parametrize("form", ["lynx", "w3m", "html2text"])
@pytest.mark.parametrize("page_id", ["23898060d70b", "738188fbb8c3", "c0f00c005c97"])
def test_a_text_browsers_dump_keeps_the_headline_and_date(page_id: str, form: str) -> None:
    # A dump prints no <title>: the headline is the line over the byline and dateline
    # above the body, not a share button, a byline (石佳/中国青年报) or a comment count.
    import shutil
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
    import extract as bench

    if shutil.which(bench.RENDERERS[form][0]) is None:
        pytest.skip(f"{form} is not installed")
    gold, _ = _first(page_id)
    page = next(p for p in bench.load_meta_pages(META) if p.id == page_id)
    article = extract(bench.form_text(page, form), f"{page_id}.txt").articles[0]
    assert bench.meta_key(article.title) == bench.meta_key(gold["title"])
    assert article.date == gold["date"]


def test_a_date_with_a_time_glued_on_is_read() -> None:
    # A dump rejoined at its wrap width loses the space between the date and the time.
    from searcher.metadata import first_date

    assert first_date(["发布时间：2022-09-2912:30"]) == "2022-09-29"
    assert first_date(["2022-09-291"]) is None
