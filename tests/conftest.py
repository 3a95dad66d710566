"""Shared fixtures: the seed dumps and an index of them built once per test session."""

from __future__ import annotations

import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from searcher.engine import Engine, bundled_seeds

SEEDS = bundled_seeds()


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the five seed dumps (read-only for tests: copy it to write)."""
    folder = tmp_path_factory.mktemp("seed-index")
    Engine(folder).index([SEEDS])
    return folder


@pytest.fixture(scope="session")
def engine(seed_index: Path) -> Engine:
    return Engine(seed_index)


#: A dump a hostile or careless site could produce: markup in the title, text and source.
HOSTILE_PAGE = {
    "url": "http://www.chuanhui.gov.cn/news/hostile.html",
    "title": "川汇区召开网格化管理推进会<script>alert(1)</script>",
    "date": "2024-03-05",
    "text": "\n".join(
        [
            "来源：<b>周口日报</b>  发布时间：2024-03-05",
            "3月5日，川汇区召开网格化管理工作推进会，会上有人在屏幕上打出了"
            "<script>alert(1)</script>这样一行字。",
            "会议指出，各街道要把网格化管理落到实处，群众反映的问题要在三天内办结，做到件件有回音。",
            "有网友留言<img src=x onerror=alert(2)>，区网信办提醒大家不要点击来历不明的链接。",
            "会议要求，要以创建全国文明城市为抓手，持续改善人居环境，提升城市精细化管理水平。",
        ]
    ),
}


@pytest.fixture(scope="session")
def web_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed dumps, a repost of one of them (a duplicate) and a generated dump whose
    article holds <script> and <img onerror>."""
    import json

    dumps = tmp_path_factory.mktemp("web-dumps")
    (dumps / "hostile.jsonl").write_text(
        json.dumps(HOSTILE_PAGE, ensure_ascii=False) + "\n", encoding="utf-8"
    )
    original = next(SEEDS.glob("002_*.txt"))
    (dumps / "repost.txt").write_text(original.read_text("utf-8"), encoding="utf-8")
    folder = tmp_path_factory.mktemp("web-index")
    Engine(folder).index([SEEDS, dumps])
    return folder


@pytest.fixture(scope="session")
def web_engine(web_index: Path) -> Engine:
    return Engine(web_index)


@pytest.fixture(scope="session")
def big_dump(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A JSON Lines dump of 700 stories made from the seeds' sentences (1.7 MB, 1,300 articles):
    big enough that indexing it takes seconds and uses worker processes."""
    import json
    import random
    import re

    sentences = sorted(
        {
            s
            for path in SEEDS.glob("*.txt")
            for s in re.split(r"(?<=。)", path.read_text("utf-8"))
            if 20 <= len(s.strip()) <= 200
        }
    )
    rng = random.Random(8)
    path = tmp_path_factory.mktemp("big") / "big.jsonl"
    with open(path, "w", encoding="utf-8") as out:
        for n in range(700):
            body = "\n".join(s.strip() for s in rng.sample(sentences, 12))
            record = {
                "url": f"http://news{n % 40}.example.gov.cn/{n}.html",
                "title": f"第{n}号通报：合成新闻标题{n}",
                "date": f"2024-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "text": f"本报讯 合成编号{n}号稿件。\n{body}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


#: A page built to run script wherever its text lands: title, source, text, URL, entities.
XSS_PAGE = {
    "url": "javascript:alert(document.domain)",
    "title": '联播快讯"><svg onload=alert(11)>&lt;script&gt;alert(12)&lt;/script&gt;',
    "date": "2024-06-01",
    "text": "\n".join(
        [
            '来源：<img src=x onerror=alert(13)>"><a href="javascript:alert(14)">点我</a>',
            "联播快讯：今天我们报道文明城市建设，页面中写有 javascript:alert(15) 这样的链接文字，"
            "以及 &lt;iframe src=javascript:alert(16)&gt; 这样的实体。",
            "联播快讯：文明城市创建工作在各地稳步推进，<style>body{display:none}</style>"
            "群众满意度持续提高，' onmouseover='alert(17)' 也只是文字。",
            "联播快讯：各地要把文明城市创建工作落到实处，&#60;script&#62;alert(18)&#60;/script&#62;。",
        ]
    ),
}


@pytest.fixture(scope="session")
def xss_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """:data:`XSS_PAGE` and one seed dump."""
    import json

    dumps = tmp_path_factory.mktemp("xss-dumps")
    (dumps / "xss.jsonl").write_text(json.dumps(XSS_PAGE, ensure_ascii=False) + "\n")
    folder = tmp_path_factory.mktemp("xss-index")
    Engine(folder).index([dumps, next(SEEDS.glob("001_*.txt"))])
    return folder


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def free_port() -> Callable[[], int]:
    """A function that finds a free loopback port (for servers the tests start)."""
    return _free_port
