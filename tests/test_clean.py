"""The cleaner on the real seed dumps: what a user finds in the export, kind of junk by kind.

Every assertion is about the exported articles (``searcher export --all-copies``) or the
``searcher clean`` report, the two places a user sees the cleaner's work.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

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
