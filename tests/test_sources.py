"""Reading dumps: formats, encodings and the files a reader must refuse."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from searcher.sources import SourceError, decode, read_pages, strip_site_name

TEXT = "川汇区召开创建全国文明城市提名城市工作推进会\n本报讯 9月8日上午，川汇区召开推进会。"


def pages(path: Path) -> list:
    return list(read_pages(path))


def test_utf8_with_and_without_bom(tmp_path: Path) -> None:
    for name, data in (("a.txt", TEXT.encode()), ("b.txt", b"\xef\xbb\xbf" + TEXT.encode())):
        (tmp_path / name).write_bytes(data)
        (page,) = pages(tmp_path / name)
        assert page.lines[0].text == "川汇区召开创建全国文明城市提名城市工作推进会"


def test_gbk_and_big5_without_declaration(tmp_path: Path) -> None:
    (tmp_path / "gbk.txt").write_bytes(TEXT.encode("gbk"))
    (page,) = pages(tmp_path / "gbk.txt")
    assert "文明城市" in page.lines[0].text
    big5 = "臺北市政府召開會議，推動文明城市建設。"
    (tmp_path / "big5.txt").write_bytes(big5.encode("big5"))
    (page,) = pages(tmp_path / "big5.txt")
    assert page.lines[0].text == big5


def test_html_meta_charset_and_utf8_page_with_stale_gb2312_meta(tmp_path: Path) -> None:
    html = (
        '<html><head><meta charset="gb2312"><title>标题</title></head><body><p>{}</p></body></html>'
    )
    body = "鄞州区推进网格化管理工作"
    (tmp_path / "gb.html").write_bytes(html.format(body).encode("gb18030"))
    (tmp_path / "utf8.html").write_bytes(html.format(body).encode("utf-8"))
    for name in ("gb.html", "utf8.html"):
        (page,) = pages(tmp_path / name)
        assert [line.text for line in page.lines] == [body]


def test_undecodable_bytes_are_replaced_not_fatal() -> None:
    text, _ = decode("文明城市".encode() + b"\xff\xfe\xfa" + "建设".encode())
    assert "文明城市" in text or "建设" in text


def test_gzip_and_jsonl(tmp_path: Path) -> None:
    records = [
        {"url": "http://www.example.gov.cn/a.html", "title": "会议召开_某某区人民政府",
         "text": "正文第一段。", "date": "2020-09-01"},
        {"url": "http://www.example.gov.cn/b.html", "html": "<p>第二篇正文。</p>"},
    ]  # fmt: skip
    data = "\n".join(json.dumps(r, ensure_ascii=False) for r in records).encode()
    (tmp_path / "dump.jsonl.gz").write_bytes(gzip.compress(data))
    first, second = pages(tmp_path / "dump.jsonl.gz")
    assert first.title == "会议召开" and first.date == "2020-09-01"
    assert first.site == "example.gov.cn"
    assert [line.text for line in second.lines] == ["第二篇正文。"]


def test_malformed_json_line_is_reported_with_its_number(tmp_path: Path) -> None:
    (tmp_path / "bad.jsonl").write_text('{"text": "好的一行。"}\n{"text": oops}\n', "utf-8")
    _, bad = pages(tmp_path / "bad.jsonl")
    assert isinstance(bad, SourceError)
    assert str(bad).startswith(f"{tmp_path / 'bad.jsonl'}:2: malformed JSON")


def test_refused_files_say_why(tmp_path: Path) -> None:
    cases = {
        "empty.txt": (b"", "empty file"),
        "doc.txt": (b"%PDF-1.4\n" + bytes(300), "binary file (a PDF file)"),
        "cut.txt.gz": (gzip.compress(TEXT.encode() * 50)[:40], "truncated gzip"),
    }
    for name, (data, reason) in cases.items():
        (tmp_path / name).write_bytes(data)
        (error,) = pages(tmp_path / name)
        assert isinstance(error, SourceError)
        assert reason in str(error)


def test_site_name_is_stripped_from_titles() -> None:
    assert strip_site_name("我区专题点评创建全国文明城市工作_淮安区人民政府") == (
        "我区专题点评创建全国文明城市工作"
    )
    assert strip_site_name("川汇区召开推进会") == "川汇区召开推进会"
    assert strip_site_name("会议召开 - 某某县人民政府") == "会议召开"
    dash = "习近平向第十五届中国—拉美企业家高峰会发表书面致辞"
    assert strip_site_name(dash) == dash
