"""Header-style text exports (``title: …`` / ``url: …`` / ``content:`` above the body), and
``searcher clean FILE`` agreeing with what ``searcher index`` stores for the same file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main

#: 政策解读 pages of one district site: (policy, department, who it is for, its key figures).
TOPICS = [
    (
        "城乡居民基本医疗保险实施办法",
        "区医疗保障局",
        "参保居民",
        "个人缴费标准为每人每年380元，财政补助不低于每人每年640元",
    ),
    (
        "农村危房改造补助资金管理办法",
        "区住房和城乡建设局",
        "农村低收入群体",
        "拆除重建的每户补助3.5万元，加固维修的每户补助1万元",
    ),
    (
        "高校毕业生就业创业扶持政策",
        "区人力资源和社会保障局",
        "离校两年内的高校毕业生",
        "首次创业的可申请最高20万元的创业担保贷款",
    ),
    (
        "城镇老旧小区改造工作方案",
        "区住房和城乡建设局",
        "2000年底前建成的老旧小区",
        "今年计划改造小区42个，涉及居民5860户",
    ),
    (
        "困难残疾人生活补贴和重度残疾人护理补贴实施细则",
        "区残疾人联合会",
        "持证残疾人",
        "两项补贴标准分别提高到每人每月80元和90元",
    ),
    (
        "中小微企业纾困帮扶若干措施",
        "区发展和改革委员会",
        "辖区中小微企业和个体工商户",
        "对小规模纳税人减按1%征收增值税",
    ),
    (
        "农村集体经营性建设用地入市试点办法",
        "区自然资源局",
        "农村集体经济组织",
        "入市收益的20%留归集体经济组织用于公益事业",
    ),
    (
        "城市生活垃圾分类管理办法",
        "区城市管理局",
        "机关、企事业单位和居民小区",
        "生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾四类",
    ),
    (
        "义务教育阶段学校招生入学工作意见",
        "区教育体育局",
        "适龄儿童少年",
        "实行免试就近入学，公办民办学校同步招生",
    ),
    (
        "最低生活保障审核确认办法",
        "区民政局",
        "共同生活的家庭成员人均收入低于当地标准的家庭",
        "城市低保标准提高到每人每月720元",
    ),
    (
        "耕地地力保护补贴发放方案",
        "区农业农村局",
        "拥有耕地承包权的种地农民",
        "补贴标准为每亩105元，通过惠民惠农财政补贴资金“一卡通”发放",
    ),
    (
        "住房公积金提取管理规定",
        "周口市住房公积金管理中心川汇管理部",
        "缴存职工",
        "租房提取每年最高可提取12000元",
    ),
    (
        "退役军人就业创业扶持办法",
        "区退役军人事务局",
        "自主就业退役士兵",
        "企业招用退役士兵的，每人每年可扣减税费6000元",
    ),
    (
        "公共租赁住房管理办法",
        "区住房保障中心",
        "城镇中等偏下收入住房困难家庭",
        "租金按同地段市场租金的70%确定",
    ),
    (
        "养老服务补贴发放办法",
        "区民政局",
        "80周岁以上的老年人",
        "高龄津贴标准为每人每月100元至300元",
    ),
    (
        "秸秆综合利用和禁烧工作方案",
        "区农业农村局",
        "各办事处和乡镇",
        "全年秸秆综合利用率稳定在95%以上",
    ),
    (
        "大气污染防治攻坚行动方案",
        "市生态环境局川汇分局",
        "辖区工业企业和建筑工地",
        "重污染天气期间建筑工地停止土石方作业",
    ),
    (
        "城市门前“三包”责任制管理规定",
        "区城市管理局",
        "沿街商户和单位",
        "责任人应当保持责任区域市容整洁、环境卫生和秩序良好",
    ),
    (
        "特困人员救助供养实施办法",
        "区民政局",
        "无劳动能力、无生活来源的老年人、残疾人和未成年人",
        "基本生活标准不低于当地低保标准的1.3倍",
    ),
    (
        "电动自行车登记上牌管理办法",
        "市公安局交通管理支队川汇大队",
        "辖区电动自行车所有人",
        "符合国家标准的电动自行车免费登记上牌",
    ),
    (
        "企业职工基本养老保险缴费政策",
        "区社会保险中心",
        "灵活就业人员",
        "缴费基数可在全省平均工资的60%至300%之间自愿选择",
    ),
    (
        "学前教育资助实施办法",
        "区教育体育局",
        "家庭经济困难幼儿",
        "资助标准为每生每年1000元",
    ),
    (
        "农村饮水安全工程运行管理办法",
        "区水利局",
        "农村集中供水工程",
        "水费收入专项用于工程运行维护",
    ),
    (
        "招商引资优惠政策",
        "区商务局",
        "新落户的工业和现代服务业项目",
        "固定资产投资5000万元以上的项目可享受用地优先保障",
    ),
    (
        "城市居民临时救助办法",
        "区民政局",
        "遭遇突发性、紧急性困难的家庭",
        "一次救助额度一般不超过当地低保标准的6倍",
    ),
    (
        "残疾儿童康复救助制度实施办法",
        "区残疾人联合会",
        "0至6岁视力、听力、言语、肢体、智力等残疾儿童",
        "每人每年康复救助标准最高为1.8万元",
    ),
    (
        "营商环境优化提升行动方案",
        "区营商环境办公室",
        "各类市场主体",
        "企业开办时间压缩至1个工作日以内",
    ),
]


HEADERS = {
    "en": ["title: {title}", "url: {url}", "author: {author}", "date: {date}",
           "source: {source}", "content:"],
    "zh": ["标题：{title}", "链接：{url}", "作者：{author}", "发布时间：{date}",
           "来源：{source}", "正文："],
}  # fmt: skip


#: The site's column name, above every page's headline: chrome no rule knows.
COLUMN = "当前栏目：政策解读"


def policy_page(n: int, style: str = "en") -> tuple[str, dict[str, str]]:
    """A 政策解读 page as a crawler exports it: header block, then 问/答 paragraphs, the
    answer label on a line of its own in every other answer (as many CMS exports write
    it). Returns the text and its header fields."""
    name, dept, who, key = TOPICS[n]
    month, day = 1 + n % 12, 1 + (n * 7) % 28
    fields = {
        "title": f"《川汇区{name}》政策解读",
        "url": f"http://www.chuanhui.gov.cn/zwgk/zcjd/2024{month:02d}/"
        f"t2024{month:02d}{day:02d}_{4100 + n}.html",
        "author": dept,
        "date": f"2024-{month:02d}-{day:02d} 09:{n:02d}",
        "source": "川汇区人民政府",
    }
    answers = [
        (f"问：《川汇区{name}》出台的背景是什么？",
         f"为贯彻落实党中央、国务院和省委、省政府关于保障和改善民生的决策部署，进一步规范"
         f"{name[:6]}相关工作，{dept}在深入调研、广泛征求意见的基础上，起草了《川汇区{name}》，"
         "经区政府常务会议研究通过，现予以印发实施。"),
        (f"问：《川汇区{name}》适用于哪些对象？",
         f"本办法适用于本区行政区域内的{who}。符合条件的对象可向户籍所在地办事处（乡镇）提出"
         "申请，也可通过“周口政务服务网”在线办理，办事处（乡镇）应当在受理之日起10个工作日内"
         "完成初审。"),
        ("问：主要内容和标准有哪些？",
         f"{key}。{dept}将会同区财政局建立动态调整机制，根据经济社会发展水平和财力状况适时"
         "调整相关标准，确保政策红利惠及更多群众。"),
        ("问：如何加强监督管理？",
         f"{dept}将定期对政策执行情况开展监督检查，对弄虚作假、骗取补助资金的，依法追回资金"
         "并追究相关责任；对工作人员滥用职权、玩忽职守的，依法依规严肃处理。群众如有疑问，"
         "可拨打12345政务服务便民热线咨询。"),
    ]  # fmt: skip
    lines = [h.format(**fields) for h in HEADERS[style]]
    lines += [COLUMN, fields["title"], ""]
    for k, (question, answer) in enumerate(answers):
        lines.append(question)
        lines += ["答：", answer] if (n + k) % 2 else [f"答：{answer}"]
        lines.append("")
    lines.append(f"（{dept}）")
    return "\n".join(lines) + "\n", fields


def write_policy_folder(folder: Path) -> list[Path]:
    """27 header-style pages of one site in one folder, English and Chinese keys mixed."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(len(TOPICS)):
        path = folder / f"zcjd_{4100 + n}.txt"
        path.write_text(policy_page(n, "zh" if n % 3 == 0 else "en")[0], encoding="utf-8")
        paths.append(path)
    return paths


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def clean_json(path: Path, *options: str) -> list[dict]:
    code, out, err = run("clean", str(path), "--json", *options)
    assert code == 0, err
    return json.loads(out)


def exported(index: Path) -> dict[str, list[tuple[str, str, str]]]:
    """path -> sorted (id, title, text) of every stored article (every copy)."""
    code, out, err = run("export", "--index", str(index), "--all-copies")
    assert code == 0, err
    by_path: dict[str, list[tuple[str, str, str]]] = {}
    for line in out.splitlines():
        article = json.loads(line)
        by_path.setdefault(article["path"], []).append(
            (article["id"], article["title"], article["text"])
        )
    return {path: sorted(articles) for path, articles in by_path.items()}


def cleaned(path: Path, *options: str) -> list[tuple[str, str, str]]:
    pages = clean_json(path, *options)
    return sorted((a["id"], a["title"], a["text"]) for page in pages for a in page["articles"])


@pytest.fixture(scope="module")
def policy_index(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The 27 pages and an index of them."""
    folder = tmp_path_factory.mktemp("zcjd")
    write_policy_folder(folder)
    index = tmp_path_factory.mktemp("zcjd-index")
    code, out, err = run("index", str(folder), "--index", str(index))
    assert code == 0, err
    assert "27 new" in out and "0 failed" in out
    return folder, index


# --------------------------------------------------------------------------- the header


def test_header_lines_are_fields_and_only_the_body_is_cleaned(tmp_path: Path) -> None:
    text, fields = policy_page(4)
    dump = tmp_path / "zcjd_4104.txt"
    dump.write_text(text, encoding="utf-8")
    (page,) = clean_json(dump)
    shown = [line["text"] for line in page["lines"]]
    assert not any(line.startswith(("title:", "url:", "source:", "content:")) for line in shown)
    assert shown[:2] == [COLUMN, fields["title"]], "the body starts after content:"
    assert page["site"] == "chuanhui.gov.cn", "the site is the URL's host, as for JSON Lines"
    (article,) = page["articles"]
    assert article["title"] == fields["title"]
    assert article["date"] == "2024-05-01"
    assert article["source"] == "川汇区人民政府"


def test_chinese_keys_full_width_colons_and_a_body_on_the_content_line(tmp_path: Path) -> None:
    dump = tmp_path / "jh_0312.txt"
    dump.write_text(
        "标题：鄞州区召开河长制工作推进会\n"
        "网址：http://www.nbyz.gov.cn/art/2024/3/12/art_1229.html\n"
        "发布日期：2024年3月12日\n"
        "出处：鄞州区水利局\n"
        "记者：王晓敏\n"
        "正文：3月12日，鄞州区召开河长制工作推进会，总结去年全区河湖治理成效，部署今年"
        "“美丽河湖”创建工作。\n"
        "会议指出，各镇街要压实河长责任，对辖区河道开展常态化巡查，发现问题及时交办、限期整改。\n"
        "会议要求，年底前完成12条河道的综合整治，全面消除劣V类水体。\n",
        encoding="utf-8",
    )
    (page,) = clean_json(dump)
    assert page["site"] == "nbyz.gov.cn"
    assert page["lines"][0]["text"].startswith("3月12日，鄞州区召开河长制工作推进会")
    (article,) = page["articles"]
    assert article["title"] == "鄞州区召开河长制工作推进会"
    assert article["date"] == "2024-03-12"
    assert article["source"] == "鄞州区水利局"
    assert "记者" not in article["text"] and "网址" not in article["text"]


def test_two_keys_on_one_line_and_a_crawler_field_of_its_own(tmp_path: Path) -> None:
    dump = tmp_path / "jh_0402.txt"
    dump.write_text(
        "Title: 江海区开展河道清漂专项行动\n"
        "Link: http://www.jianghai.gov.cn/zwgk/gzdt/content/post_2841.html\n"
        "发布时间：2024-04-02 16:20  来源：江海区水利局\n"
        "crawl_batch: 2024-04-03-a\n"
        "Body:\n"
        "4月2日，江海区组织各镇街开展河道清漂专项行动，共清理水面漂浮物12吨，清理河岸垃圾3.5吨，"
        "确保汛期行洪通畅。\n"
        "区水利局要求，各镇街要落实河长巡河制度，对发现的问题做到即知即改。\n",
        encoding="utf-8",
    )
    (page,) = clean_json(dump)
    assert page["site"] == "jianghai.gov.cn"
    assert [line["text"][:5] for line in page["lines"]] == ["4月2日，", "区水利局要"]
    (article,) = page["articles"]
    assert (article["title"], article["date"], article["source"]) == (
        "江海区开展河道清漂专项行动",
        "2024-04-02",
        "江海区水利局",
    )


def test_given_title_url_and_date_are_what_search_and_show_give(policy_index) -> None:
    _, index = policy_index
    code, out, err = run(
        "search", "困难残疾人生活补贴", "--index", str(index), "--json", "--limit", "100"
    )
    assert code == 0, err
    hits = {hit["title"]: hit for hit in json.loads(out)["hits"]}
    title = "《川汇区困难残疾人生活补贴和重度残疾人护理补贴实施细则》政策解读"
    assert title in hits, list(hits)
    assert not any(t.startswith(("title:", "标题：", "答：")) for t in hits), list(hits)
    code, out, _ = run("show", hits[title]["id"], "--index", str(index), "--json")
    shown = json.loads(out)
    assert shown["url"] == "http://www.chuanhui.gov.cn/zwgk/zcjd/202405/t20240501_4104.html"
    assert shown["date"] == "2024-05-01"
    assert "title:" not in shown["text"] and "content:" not in shown["text"]


def test_a_page_that_merely_opens_with_a_source_line_has_no_header(tmp_path: Path) -> None:
    dump = tmp_path / "news.txt"
    lines = [
        "来源：周口日报",
        "川汇区召开秋冬季大气污染防治攻坚动员会",
        "本报讯(记者 韩志刚)10月8日，川汇区召开秋冬季大气污染防治攻坚动员会，对全区秋冬季"
        "大气污染防治工作进行再动员、再部署。",
        "会议要求，各办事处要严格落实网格化管理，加强建筑工地扬尘管控，坚决遏制露天焚烧。",
    ]
    dump.write_text("\n".join(lines), encoding="utf-8")
    (page,) = clean_json(dump)
    assert [line["text"] for line in page["lines"]] == lines, "every line read as before"


def test_seed_pages_are_read_as_before(seeds: Path) -> None:
    for seed in sorted(seeds.glob("*.txt")):
        (page,) = clean_json(seed)
        written = [line for line in seed.read_text("utf-8").splitlines() if line.strip()]
        assert len(page["lines"]) == len(written), seed.name


# --------------------------------------------------------------------------- clean = index


def test_clean_with_the_index_gives_what_the_index_stores(policy_index) -> None:
    folder, index = policy_index
    stored = exported(index)
    for path in sorted(folder.glob("*.txt")):
        assert cleaned(path, "--index", str(index)) == stored[str(path)], path.name


def test_clean_gives_what_the_index_stores_for_the_seeds(seed_index: Path, seeds: Path) -> None:
    stored = exported(seed_index)
    for path in sorted(seeds.glob("*.txt")):
        assert cleaned(path, "--index", str(seed_index)) == stored[str(path)], path.name
        assert cleaned(path) == stored[str(path)], f"{path.name}: no line repeats across seeds"


def test_clean_shows_the_repeated_lines_the_index_dropped(policy_index) -> None:
    """A line on every page of the site (its column name) is chrome to the index; clean
    FILE alone cannot know it, clean FILE --index judges it the same way."""
    folder, index = policy_index
    path = folder / "zcjd_4101.txt"
    alone = clean_json(path)[0]
    with_index = clean_json(path, "--index", str(index))[0]
    assert alone["site_pages"] == 1 and with_index["site_pages"] == 27
    reasons = {line["text"]: line["reason"] for line in with_index["lines"]}
    assert reasons[COLUMN] == "repeated"
    assert {line["text"]: line["reason"] for line in alone["lines"]}[COLUMN] != "repeated"
    code, out, _ = run("clean", str(path), "--index", str(index))
    assert code == 0
    assert "-- site chuanhui.gov.cn: 27 pages counted for repeated lines (index " in out
    assert f"{'DROP repeated':<18} {COLUMN}" in out.splitlines()


def test_a_file_not_yet_indexed_is_judged_with_the_index_and_itself(
    policy_index, tmp_path: Path
) -> None:
    _, index = policy_index
    text, _ = policy_page(5)
    new = tmp_path / "zcjd_new.txt"
    new.write_text(text.replace("2024-06-08", "2024-12-08"), encoding="utf-8")
    (page,) = clean_json(new, "--index", str(index))
    assert page["site_pages"] == 28, "the 27 indexed pages of the site and this one"


def test_clean_with_a_missing_index_is_one_line(tmp_path: Path, seeds: Path) -> None:
    seed = next(seeds.glob("*.txt"))
    code, out, err = run("clean", str(seed), "--index", str(tmp_path / "none"))
    assert code == 1 and not out
    assert err.strip() == f"searcher: no index in {tmp_path / 'none'}: run 'searcher index' first"
    assert not (tmp_path / "none").exists()


def test_every_answer_label_is_indexed_as_clean_shows_it(policy_index) -> None:
    folder, index = policy_index
    stored = exported(index)
    bare = sum(
        1
        for articles in stored.values()
        for _, _, text in articles
        for paragraph in text.split("\n")
        if paragraph == "答："
    )
    written = sum(path.read_text("utf-8").count("\n答：\n") for path in folder.glob("*.txt"))
    assert bare == written
    path = folder / "zcjd_4101.txt"
    labels = [line for line in clean_json(path)[0]["lines"] if line["text"] == "答："]
    assert labels and all(line["keep"] for line in labels)
    indexed = clean_json(path, "--index", str(index))[0]["lines"]
    assert [line for line in indexed if line["text"] == "答："] == labels


def test_every_answer_is_indexed(policy_index) -> None:
    folder, index = policy_index
    text = "\n".join(t for articles in exported(index).values() for _, _, t in articles)
    for path in sorted(folder.glob("*.txt")):
        for line in path.read_text("utf-8").splitlines():
            if line.startswith("答：") and len(line) > 3:
                assert line in text, path.name
