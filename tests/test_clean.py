"""The cleaner on the real seed dumps: what a user finds in the export, kind of junk by kind.

Every assertion is about the exported articles (``searcher export --all-copies``) or the
``searcher clean`` report, the two places a user sees the cleaner's work.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.clean import KEEP, classify_text
from searcher.cli import main

HERE = Path(__file__).resolve().parent
PHONE_RE = re.compile(r"(?<!\d)(0\d{2,3}[-—－]?\d{7,8}|1[3-9]\d{9})(?!\d)")


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture(scope="module")
def exported(seed_index: Path) -> list[dict]:
    code, out, err = run("export", "--index", str(seed_index), "--all-copies")
    assert code == 0, err
    return [json.loads(line) for line in out.splitlines()]


def by_seed(records: list[dict], number: str) -> list[dict]:
    return [r for r in records if Path(r["path"]).name.startswith(number)]


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def body_openings() -> dict[str, list[str]]:
    """The reviewed list of every body paragraph of every seed (``tests/seed_bodies.txt``)."""
    bodies: dict[str, list[str]] = {}
    for line in (HERE / "seed_bodies.txt").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            seed, opening = line.split("\t", 1)
            bodies.setdefault(seed, []).append(opening)
    return bodies


def test_every_body_paragraph_of_every_seed_is_kept(exported: list[dict]) -> None:
    bodies = body_openings()
    assert sum(len(v) for v in bodies.values()) > 100
    for seed, openings in bodies.items():
        text = squeeze("".join(r["text"] for r in by_seed(exported, seed)))
        missing = [o for o in openings if squeeze(o) not in text]
        assert not missing, f"seed {seed} lost body paragraphs: {missing}"


@pytest.mark.parametrize(
    ("kind", "pattern"),
    [
        ("ICP / public-security record numbers", r"ICP|公网安备|网站标识码"),
        ("copyright lines", r"版权所有|版权声明|未经.{0,6}授权"),
        ("SMS and WeChat subscription ads", r"发送短信|即可订阅|手机报|公众号|二维码|客户端"),
        ("view counters", r"点击[:：]|浏览次数|访问量"),
        ("previous/next links", r"上一篇|下一篇|上一条|下一条|上一版|下一版"),
        ("e-paper chrome", r"版面导航|第\d+版[:：]|数字报"),
        ("site navigation rows", r"焦作晚报\s*\|"),
        ("addresses and postcodes", r"地址[:：]|邮编[:：]"),
        ("hospital and clinic spam", r"早泄|包皮|妇科医院|癫痫|男科"),
        ("spun teaser lists", r"谈天不完|宝利通|国潮皮肤"),
        ("the phrase injected into an article", r"着急的样子"),
        ("share widgets", r"分享到|打印本页|关闭窗口"),
    ],
)
def test_no_exported_article_holds_chrome_or_spam(
    exported: list[dict], kind: str, pattern: str
) -> None:
    offenders = [
        (r["title"], m.group())
        for r in exported
        for m in re.finditer(pattern, r["title"] + "\n" + r["text"])
    ]
    assert not offenders, f"{kind} in the export: {offenders}"


def test_phone_numbers_survive_only_inside_body_sentences(exported: list[dict]) -> None:
    """Contact lines go; a hotline quoted in a sentence of the article is body and stays."""
    for record in exported:
        for paragraph in record["text"].split("\n"):
            if PHONE_RE.search(paragraph):
                assert len(paragraph) >= 60 and paragraph.endswith("。"), paragraph


def test_the_contact_line_of_the_newspaper_page_is_dropped_with_its_reason(seeds: Path) -> None:
    code, out, _ = run("clean", str(next(seeds.glob("003_*.txt"))))
    assert code == 0
    reasons = dict(
        (line[5:].split(None, 1)[0], line) for line in out.splitlines() if line.startswith("DROP")
    )
    assert {"contact", "copyright", "subscription", "epaper", "link-list"} <= set(reasons)
    assert "联系电话:0391-8797395" in reasons["contact"]


def test_newspaper_pages_become_one_article_per_story(exported: list[dict]) -> None:
    titles = {seed: [r["title"] for r in by_seed(exported, seed)] for seed in ("000", "001", "004")}
    assert len(titles["000"]) == 9
    assert {"川汇区召开创建全国文明城市提名城市工作推进会", "加快推进新建学校项目建设"} <= set(
        titles["000"]
    )
    assert len(titles["001"]) == 6
    assert {"啃“硬骨头”打“歼灭仗”", "捐资助学 播撒爱心"} <= set(titles["001"])
    assert sorted(titles["004"]) == [
        "领导干部下功夫 群众参与齐发力",
        "高新区江海区深化文明城市创建全覆盖点位全权衡",
    ]
    # Each story starts with its own headline group and lead, not the tail of the one before.
    for record in by_seed(exported, "000"):
        opening = record["text"].split("\n")[:3]
        assert any(p.startswith("本报讯") for p in opening), record["title"]


def test_a_reposted_story_on_the_same_page_leaves_no_orphan_headline(
    exported: list[dict],
) -> None:
    # Seed 000 reprints a story under a second headline; its body is dropped as a repeat,
    # and the headline must not end up glued to the story above it.
    text = "".join(r["title"] + r["text"] for r in by_seed(exported, "000"))
    assert "举办知识竞赛助力“创文”" not in text


def test_metadata_of_the_government_site_page(exported: list[dict]) -> None:
    (record,) = by_seed(exported, "002")
    assert record["title"] == "我区专题点评创建全国文明城市工作"
    assert record["date"] == "2018-07-16"
    assert record["source"] == "淮安区人民政府"
    assert record["region"] == "江苏省淮安市淮安区"


def test_metadata_of_the_epaper_page(exported: list[dict]) -> None:
    (record,) = by_seed(exported, "003")
    assert record["title"] == "蝶变,让城市生活更精彩"
    assert record["date"] == "2017-09-12"
    assert record["source"] == "焦作日报"
    assert record["region"] == "河南省焦作市山阳区"


def test_reporters_from_bylines_and_credits(exported: list[dict]) -> None:
    reporters = {r["title"]: r["reporter"] for r in exported}
    assert reporters["川汇区召开创建全国文明城市提名城市工作推进会"] == "韩志刚"
    assert reporters["啃“硬骨头”打“歼灭仗”"] == "韩志刚"
    assert reporters["领导干部下功夫 群众参与齐发力"] == "张茂盛 李雨溪"


def test_dates_are_never_invented(exported: list[dict]) -> None:
    # Seeds 000, 001 and 004 say "9月8日上午" but never the year: the date is unknown.
    for seed in ("000", "001", "004"):
        assert {r["date"] for r in by_seed(exported, seed)} == {None}


def test_a_date_inside_a_sentence_is_not_the_articles_date(tmp_path: Path) -> None:
    # A real xwlb story (2024-05-26) whose first sentence recalls 1950-11-29.
    record = {
        "url": "xwlb://20240526/12",
        "title": "“杨根思连”：践行英雄宣言 奋进强军新征程",
        "date": "2024-05-26",
        "text": "央视网消息（新闻联播）：在抗美援朝中，志愿军连长杨根思叫响了“不相信有完不成的"
        "任务，不相信有克服不了的困难，不相信有战胜不了的敌人”的“三个不相信”英雄宣言。1950年"
        "11月29日，在长津湖畔小高岭，杨根思面对强敌，用生命践行了这一战斗宣言。次年，志愿军总部"
        "追授杨根思“特级英雄”荣誉称号，命名杨根思所在连队为“杨根思连”。\n从战火硝烟中走来，"
        "“杨根思连”先后经历战斗300余次，一路过关斩将，源于连队敢打硬仗、不怕牺牲的血性传承。"
        "2016年，“杨根思连”远赴南苏丹执行维和任务。",
    }
    dump = tmp_path / "xwlb.jsonl"
    dump.write_text(json.dumps(record, ensure_ascii=False) + "\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["clean", str(dump), "--json"])
    assert result.exit_code == 0, result.output
    [page] = json.loads(result.output)
    assert [a["date"] for a in page["articles"]] == ["2024-05-26"]


def test_regions_come_from_the_text(exported: list[dict]) -> None:
    regions = {r["region"] for r in by_seed(exported, "001")}
    assert "河南省周口市川汇区" in regions
    assert {r["region"] for r in by_seed(exported, "004")} == {"广东省江门市江海区"}


def test_clean_report_shows_every_line_and_the_articles(seeds: Path) -> None:
    code, out, _ = run("clean", str(next(seeds.glob("004_*.txt"))), "--json")
    assert code == 0
    (report,) = json.loads(out)
    decisions = {line["reason"] or "KEEP" for line in report["lines"]}
    assert {"KEEP", "spam", "link-list"} <= decisions
    assert [a["title"] for a in report["articles"]][1] == "领导干部下功夫 群众参与齐发力"


def test_a_line_repeated_on_many_pages_of_one_site_is_chrome(tmp_path: Path, seeds: Path) -> None:
    """No rule knows the line; its repetition across the site's pages gives it away."""
    bodies = body_openings()
    stories = [
        [
            line.strip()
            for line in path.read_text(encoding="utf-8").splitlines()
            if any(line.strip().startswith(o) for o in bodies[path.name[:3]][:3])
        ]
        for path in sorted(seeds.glob("00[0-4]_*.txt"))
    ]
    banner = "山阳区融媒体中心出品 扫码看更多本地好新闻"[:12]
    dump = tmp_path / "site.jsonl"
    with dump.open("w", encoding="utf-8") as out:
        for n, paragraphs in enumerate(stories):
            record = {
                "url": f"http://www.example.gov.cn/news/{n}.html",
                "title": f"第{n}条新闻",
                "text": "\n".join([banner, *paragraphs]),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    code, out, _ = run("clean", str(dump), "--json")
    assert code == 0
    pages = json.loads(out)
    assert len(pages) == 5
    for page in pages:
        (line,) = [line for line in page["lines"] if line["text"] == banner]
        assert line["reason"] == "repeated"
        assert any(line["keep"] for line in page["lines"])


def test_ids_are_stable_across_rebuilds(tmp_path: Path, seeds: Path, exported: list[dict]) -> None:
    index = str(tmp_path / "again")
    assert run("index", str(seeds), "--index", index, "--quiet")[0] == 0
    assert run("index", str(seeds), "--index", index, "--rebuild", "--quiet")[0] == 0
    code, out, _ = run("export", "--index", index, "--all-copies")
    assert code == 0
    again = {(r["path"], r["title"]): r["id"] for r in map(json.loads, out.splitlines())}
    first = {(r["path"], r["title"]): r["id"] for r in exported}
    assert again == first


# --------------------------------------------------------------------------- tables, datelines
# Pages written like those of county government and news sites the cleaner has never seen.

NAMES = [
    "张建华",
    "李秀英",
    "王志强",
    "刘桂兰",
    "陈国庆",
    "杨丽娟",
    "赵德明",
    "黄晓燕",
    "周海涛",
    "吴春梅",
    "徐卫东",
    "孙玉芬",
    "马建军",
    "朱红霞",
    "胡振华",
    "郭淑珍",
    "何永刚",
    "高雪梅",
    "林文斌",
    "罗桂芳",
    "郑宏伟",
    "梁美玲",
    "谢长青",
    "宋秀兰",
    "唐立新",
    "许丽华",
    "韩国栋",
    "冯晓红",
    "邓志勇",
    "曹春燕",
]
UNITS = [
    "城关镇东关村",
    "城关镇西街社区",
    "石桥镇石桥村",
    "石桥镇柳庄村",
    "河口乡河口村",
    "河口乡王庄村",
    "白沙镇白沙社区",
    "白沙镇前营村",
    "青山乡青山村",
    "青山乡枣园村",
]
GONGSHI_TITLE = "关于2024年度全县优秀村（社区）党组织书记拟表彰对象的公示"
GONGSHI_INTRO = (
    "为表彰先进、树立典型，激励全县广大村（社区）党组织书记担当作为，经各乡镇党委推荐、县委组织部"
    "审核，拟表彰张建华等30名同志为2024年度全县优秀村（社区）党组织书记。现将拟表彰对象予以公示。"
)
GONGSHI_OUTRO = (
    "公示时间为2024年5月20日至5月24日（5个工作日）。公示期间，如对公示对象有异议，请以书面、电话或"
    "来访等形式向县委组织部反映。反映情况要实事求是，以单位名义反映的要加盖公章。"
)
RELATED = [
    "关于2023年度全县优秀村（社区）党组织书记拟表彰对象的公示",
    "清河县召开村（社区）“两委”换届工作部署会",
    "县委组织部开展基层党组织书记轮训",
    "关于开展2024年“七一”表彰工作的通知",
]


def gongshi_rows() -> list[tuple[str, str, str, str]]:
    return [
        (str(n + 1), name, "女" if n % 3 == 0 else "男", f"{UNITS[n % 10]}党支部书记")
        for n, name in enumerate(NAMES)
    ]


def gongshi_html(as_list: bool = False) -> str:
    """A county government's 公示 page: 30 names in a table (or a list) inside the
    TRS_Editor div."""
    rows = "\n".join(
        "<tr>" + "".join(f"<td>{cell}</td>" for cell in row) + "</tr>" for row in gongshi_rows()
    )
    table = f"""<table border="1"><tbody>
<tr><td>序号</td><td>姓名</td><td>性别</td><td>单位及职务</td></tr>
{rows}
</tbody></table>"""
    outro = f"<p>{GONGSHI_OUTRO}</p>"
    if as_list:
        # The list closes the notice: no paragraph of body under it, only the signature.
        items = "\n".join(f"<li>{' '.join(row[1:])}</li>" for row in gongshi_rows())
        table, outro = f"{outro}\n<p>名单如下：</p>\n<ol>\n{items}\n</ol>", ""
    related = "\n".join(f'<li><a href="/a/{n}.html">{t}</a></li>' for n, t in enumerate(RELATED))
    return f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{GONGSHI_TITLE}_清河县人民政府</title></head>
<body>
<div class="header"><div class="logo">清河县人民政府</div>
<div class="nav"><ul><li><a href="/">首页</a></li><li><a href="/zwgk/">政务公开</a></li>
<li><a href="/bsfw/">办事服务</a></li><li><a href="/hdjl/">互动交流</a></li></ul></div></div>
<div class="location">当前位置：<a href="/">首页</a> &gt; <a href="/zwgk/">政务公开</a> &gt;
<a href="/zwgk/tzgg/">通知公告</a></div>
<div class="article">
<h1 class="article-title">{GONGSHI_TITLE}</h1>
<div class="info">发布时间：2024-05-20 10:30　来源：中共清河县委组织部　浏览次数：1024</div>
<div class="TRS_Editor">
<p>{GONGSHI_INTRO}</p>
{table}
{outro}
<p style="text-align:right">中共清河县委组织部</p>
<p style="text-align:right">2024年5月20日</p>
</div>
<div class="bottom-tools"><a href="javascript:window.print()">打印</a>
<a href="javascript:window.close()">关闭</a></div>
</div>
<div class="xgxx"><h3>相关链接</h3><ul>
{related}
</ul></div>
<div class="footer"><p>主办：清河县人民政府办公室　承办：清河县融媒体中心</p>
<p>冀ICP备12345678号　冀公网安备13053402000123号　网站标识码：1305340001</p></div>
</body></html>"""


def gongshi_text() -> str:
    """The same page as a plain-text dump: one cell a line, the chrome lines around it."""
    cells = [cell for row in gongshi_rows() for cell in row]
    return "\n".join(
        [
            "清河县人民政府",
            "首页", "政务公开", "办事服务", "互动交流",
            "当前位置：首页 > 政务公开 > 通知公告",
            GONGSHI_TITLE,
            "发布时间：2024-05-20 10:30 来源：中共清河县委组织部 浏览次数：1024",
            GONGSHI_INTRO,
            "序号", "姓名", "性别", "单位及职务",
            *cells,
            GONGSHI_OUTRO,
            "中共清河县委组织部",
            "2024年5月20日",
            "打印 关闭",
            "相关链接",
            *RELATED,
            "主办：清河县人民政府办公室 承办：清河县融媒体中心",
            "冀ICP备12345678号 冀公网安备13053402000123号",
        ]
    )  # fmt: skip


DOUYIN_BODY = [
    "5月18日晚，清河县首届“运河之夜”文旅消费季在县文化广场开幕。开幕式以“千年运河 活力清河”"
    "为主题，推出非遗展演、特色美食、文创市集等活动，吸引3万余人次现场观看。抖音、视频号、"
    "快手等平台同步直播，累计观看量超过120万人次。",
    "据了解，本次消费季将持续至10月底，其间全县将开展各类文旅活动60余场，发放文旅消费券200万元，"
    "带动餐饮、住宿、零售等行业消费。",
    "县文化广电和旅游局负责人介绍，下一步将用好抖音、微信视频号等新媒体平台，持续讲好运河故事，"
    "把流量变成客流、把客流变成消费。",
]
TRAILING_CHROME = [
    "打印 关闭",
    "相关稿件：",
    "文件下载：",
    "关联文件：",
    "网站导航",
    "分享",
    "特别声明：",
    "本文转载仅仅是出于传播信息的需要，并不意味着代表本网站观点或证实其内容的真实性；如其他媒体、"
    "网站或个人从本网站转载使用，须保留本网站注明的“来源”，并自负版权等法律责任。",
]


def news_text() -> str:
    """A county news page as plain text: the dateline under the headline, the chrome under it."""
    return "\n".join(
        [
            "首页", "新闻中心", "清河要闻", "部门动态", "乡镇动态",
            "来源于：清河县融媒体中心",
            "清河县首届“运河之夜”文旅消费季开幕",
            "2019-08-13 14:07来源：澎湃新闻",
            "【字体：大 中 小】",
            "责任编辑：王晓明",
            *DOUYIN_BODY,
            "扫码关注“清河发布”微信公众号",
            "清河发布视频号",
            "责任编辑：王晓明",
            *TRAILING_CHROME,
        ]
    )  # fmt: skip


@pytest.fixture(scope="module")
def table_pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    """The pages above, indexed and exported as a user sees them: name -> exported record."""
    dumps = tmp_path_factory.mktemp("table-dumps")
    (dumps / "gongshi.html").write_text(gongshi_html(), encoding="utf-8")
    (dumps / "gongshi-list.html").write_text(gongshi_html(as_list=True), encoding="utf-8")
    (dumps / "gongshi.txt").write_text(gongshi_text(), encoding="utf-8")
    (dumps / "news.txt").write_text(news_text(), encoding="utf-8")
    index = str(tmp_path_factory.mktemp("table-index") / "index")
    code, _, err = run("index", str(dumps), "--index", index, "--quiet")
    assert code == 0, err
    code, out, err = run("export", "--index", index, "--all-copies")
    assert code == 0, err
    records: dict[str, list[dict]] = {}
    for record in map(json.loads, out.splitlines()):
        records.setdefault(Path(record["path"]).name, []).append(record)
    return {
        name: {
            "title": found[0]["title"],
            "date": found[0]["date"],
            "text": "\n".join(r["title"] + "\n" + r["text"] for r in found),
        }
        for name, found in records.items()
    }


def clean_reasons(path: Path) -> dict[str, str]:
    """``searcher clean --json`` of one dump: each line's text -> its reason (KEEP if kept)."""
    code, out, err = run("clean", str(path), "--json")
    assert code == 0, err
    (page,) = json.loads(out)
    return {line["text"]: line["reason"] or "KEEP" for line in page["lines"]}


@pytest.mark.parametrize("dump", ["gongshi.html", "gongshi-list.html", "gongshi.txt"])
def test_every_name_of_a_gongshi_table_is_found(table_pages: dict[str, dict], dump: str) -> None:
    text = squeeze(table_pages[dump]["text"])
    missing = [row for row in gongshi_rows() if not all(cell in text for cell in row[1:])]
    assert not missing, f"{dump}: names of the table lost: {missing}"
    assert squeeze(GONGSHI_INTRO) in text and squeeze(GONGSHI_OUTRO) in text


@pytest.mark.parametrize("dump", ["gongshi.html", "gongshi-list.html", "gongshi.txt"])
def test_the_links_and_chrome_around_a_gongshi_table_stay_out(
    table_pages: dict[str, dict], dump: str
) -> None:
    text = table_pages[dump]["text"]
    for chrome in [
        *RELATED,
        "相关链接",
        "打印",
        "关闭",
        "ICP备",
        "主办",
        "当前位置",
        "办事服务",
        "通知公告",
    ]:
        assert chrome not in text, f"{dump}: {chrome!r} kept"
    assert table_pages[dump]["date"] == "2024-05-20"


def test_a_name_in_the_gongshi_table_finds_the_page(tmp_path: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "gongshi.html").write_text(gongshi_html(), encoding="utf-8")
    index = str(tmp_path / "index")
    assert run("index", str(dumps), "--index", index, "--quiet")[0] == 0
    code, out, err = run("search", "韩国栋", "--index", index)
    assert code == 0, err
    assert "公示" in out


def test_a_sentence_mentioning_douyin_and_shipinhao_is_body(table_pages: dict[str, dict]) -> None:
    text = squeeze(table_pages["news.txt"]["text"])
    missing = [p[:20] for p in DOUYIN_BODY if squeeze(p) not in text]
    assert not missing, f"body sentences dropped: {missing}"
    # ... while the "follow us" lines naming the same platforms are ads.
    assert "扫码关注" not in text and "清河发布视频号" not in text


def test_a_dateline_is_not_a_list_item_and_gives_the_date(
    table_pages: dict[str, dict], tmp_path: Path
) -> None:
    dump = tmp_path / "news.txt"
    dump.write_text(news_text(), encoding="utf-8")
    reasons = clean_reasons(dump)
    assert reasons["2019-08-13 14:07来源：澎湃新闻"] == "dateline"
    assert reasons["来源于：清河县融媒体中心"] == "dateline"
    record = table_pages["news.txt"]
    assert record["date"] == "2019-08-13"
    assert record["title"] == "清河县首届“运河之夜”文旅消费季开幕"
    assert "来源于" not in record["text"] and "澎湃新闻" not in record["text"]


def test_trailing_chrome_under_an_article_is_dropped(table_pages: dict[str, dict]) -> None:
    text = table_pages["news.txt"]["text"]
    paragraphs = text.split("\n")
    for chrome in TRAILING_CHROME:
        assert chrome not in paragraphs, f"{chrome!r} kept"
    assert "特别声明" not in text and "并不意味着代表本网站观点" not in text
    assert text.count("责任编辑") <= 1


# --------------------------------------------------------------------------- dumps with no title
# Pages of extract-dev (real news pages) as a text-mode browser dumps them: no <title> line, so
# the cleaner finds the article from the page's own structure (a headline over a dateline, a
# lead), and keeps it apart from the comment threads, feeds and link walls around it.

EXTRACT_DEV = Path(
    os.environ.get("EXTRACT_DEV")
    or Path(__file__).resolve().parents[2] / "shared" / "corpora" / "extract-dev"
)
RENDERERS = ("lynx", "w3m", "html2text")
#: A news item (one short paragraph) over a long recommended story and a teaser feed.
SHORT_NEWS = "cc1897c3d68906d2"
SHORT_NEWS_BODY = "没有证据表明该事件中存在谋杀行为"
SHORT_NEWS_OTHER = ("潘安邦", "外婆的澎湖湾")
#: A sports story over a feed of other agency stories, each with its "2 天前" stamp.
FEED_NEWS = "b5b26f9fb331612d"
FEED_NEWS_BODY = "他2022年在法網男單四強賽時，曾以恐怖角度傷及腳踝。"
FEED_NEWS_OTHER = ("納達爾現身練球", "喬帥奪1100場勝利", "岑潔儀")
#: A news story under a wall of link names (every government site of a province).
LINK_WALL = "39ab22e747cb77c1"
LINK_WALL_BODY = "由我国自主设计建造的亚洲首艘圆筒型“海上油气加工厂”"
LINK_WALL_OTHER = ("广东省侨务办公室", "广东省人民政府港澳事务办公室网")
#: A science story above a box of memorial links: one long line of scientists' names.
NAME_LIST = "acce09a6bb58986c"
NAME_LIST_OTHER = ("万惠霖", "朱伯芳")


@pytest.fixture(scope="module")
def corpus_pages() -> dict:
    if not (EXTRACT_DEV / "gold.json").is_file():
        pytest.skip(f"extract-dev corpus not found at {EXTRACT_DEV}")
    sys.path.insert(0, str(Path(__file__).parents[1] / "benchmarks"))
    import extract as bench

    return {page.id: (bench, page) for page in bench.load_pages(EXTRACT_DEV)}


def dumped_article_text(corpus_pages: dict, page_id: str, form: str) -> str:
    from searcher import ingest

    bench, page = corpus_pages[page_id]
    if form in RENDERERS and shutil.which(form) is None:
        pytest.skip(f"{form} is not installed")
    cleaned = ingest.extract(bench.form_text(page, form), f"{page_id}.txt")
    return squeeze("\n".join(f"{a.title}\n{a.text}" for a in cleaned.articles))


@pytest.mark.parametrize("form", RENDERERS)
def test_a_dump_of_a_short_news_item_gives_it_not_the_long_story_recommended_under_it(
    corpus_pages: dict, form: str
) -> None:
    text = dumped_article_text(corpus_pages, SHORT_NEWS, form)
    assert SHORT_NEWS_BODY in text
    assert not [other for other in SHORT_NEWS_OTHER if other in text]


def test_the_visible_text_without_its_title_line_still_gives_the_news_item(
    corpus_pages: dict,
) -> None:
    from searcher import ingest

    bench, page = corpus_pages[SHORT_NEWS]
    text = bench.visible_text(page.data).split("\n", 1)[1]
    kept = squeeze("\n".join(a.text for a in ingest.extract(text, "page.txt").articles))
    assert SHORT_NEWS_BODY in kept
    assert not [other for other in SHORT_NEWS_OTHER if other in kept]


@pytest.mark.parametrize("form", RENDERERS)
def test_a_dump_of_a_story_over_a_feed_gives_the_story_not_the_feed(
    corpus_pages: dict, form: str
) -> None:
    text = dumped_article_text(corpus_pages, FEED_NEWS, form)
    assert squeeze(FEED_NEWS_BODY) in text
    assert not [other for other in FEED_NEWS_OTHER if other in text]
    assert "<a" not in text and "href=" not in text  # a summary with leaked markup


@pytest.mark.parametrize("form", ["lynx", "html2text"])
def test_a_wall_of_link_names_is_no_article_body(corpus_pages: dict, form: str) -> None:
    text = dumped_article_text(corpus_pages, LINK_WALL, form)
    assert LINK_WALL_BODY in text
    assert not [other for other in LINK_WALL_OTHER if other in text]


@pytest.mark.parametrize("form", RENDERERS)
def test_a_line_of_names_under_a_story_is_not_its_body(corpus_pages: dict, form: str) -> None:
    text = dumped_article_text(corpus_pages, NAME_LIST, form)
    assert "斑马鱼" in text
    assert not [other for other in NAME_LIST_OTHER if other in text]


def test_an_inline_image_written_out_as_data_is_not_kept(corpus_pages: dict) -> None:
    text = dumped_article_text(corpus_pages, "14b709df543c9c22", "html2text")
    assert "李强5月7日至9日在新疆调研" in text
    assert "data:image" not in text and "base64" not in text


# --------------------------------------------------------------------------- single lines


@pytest.mark.parametrize(
    "line",
    [
        "中小企业融资难问题得到有效缓解，全年新增贷款12亿元。",
        "大中型企业研发投入同比增长15%",
        "小大由之，各得其所",
    ],
)
def test_a_sentence_starting_with_big_middle_small_is_not_a_font_size_widget(line: str) -> None:
    assert classify_text(line) == KEEP


@pytest.mark.parametrize(
    "line", ["大 中 小", "【大】【中】【小】", "[大] [中] [小]", "大中小", "字号减小 字号增大"]
)
def test_font_size_buttons_are_a_widget(line: str) -> None:
    assert classify_text(line) == "widget"


@pytest.mark.parametrize("line", ["1,088", "Scan me!", "(not implemented)", "閱讀整篇文章"])
def test_widget_labels_and_counts_are_never_a_headline(line: str) -> None:
    from searcher.metadata import never_title

    assert never_title(line)


def test_a_one_clause_closing_sentence_stays_with_the_body(tmp_path: Path) -> None:
    # A real xwlb story (2025-09-17) ends "李书磊主持会议。": too short to count as prose
    # alone, it is the last sentence of the body, and the only place the story names him.
    from searcher.engine import Engine

    dump = Path(__file__).parent / "data" / "xwlb_closing_sentence.jsonl"
    engine = Engine(tmp_path / "index")
    engine.index([dump])
    (article,) = engine.export()
    assert article.text.endswith("李书磊主持会议。")
    assert engine.search("李书磊").total == 1
