"""Reading dumps: formats, encodings and the files a reader must refuse."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

from searcher.ingest import FileRead, merged, read_file
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


def _read_in_parts(path: Path, parts: int) -> FileRead:
    return merged([read_file(path, part, parts) for part in range(parts)])


def test_a_jsonl_dump_read_in_parts_is_the_dump_read_whole(big_dump: Path, tmp_path: Path) -> None:
    # The big dump with a blank line, a malformed record and an HTML record mixed in.
    lines = big_dump.read_text(encoding="utf-8").splitlines()
    html = "<html><body><h1>标题</h1><p>正文一段，讲的是网格化管理。</p></body></html>"
    record = json.dumps({"url": "http://a.example/x.html", "html": html}, ensure_ascii=False)
    lines[3:3] = ["", '{"title": "broken', record]
    dump = tmp_path / "mixed.jsonl"
    dump.write_text("\n".join(lines) + "\n", encoding="utf-8")
    whole = read_file(dump)
    for parts in (2, 3):
        shared = _read_in_parts(dump, parts)
        assert [p.number for p in shared.pages] == [p.number for p in whole.pages]
        assert [[line.text for line in p.lines] for p in shared.pages] == [
            [line.text for line in p.lines] for p in whole.pages
        ]
        assert [(p.title, p.date, p.url) for p in shared.pages] == [
            (p.title, p.date, p.url) for p in whole.pages
        ]
        assert shared.lines == whole.lines
        assert [str(e) for e in shared.errors] == [str(e) for e in whole.errors]
    assert [e.line for e in whole.errors] == [5]  # the malformed record, once


def test_file_level_errors_come_once_from_parts(tmp_path: Path) -> None:
    blank = tmp_path / "blank.jsonl"
    blank.write_text("\n\n", encoding="utf-8")
    assert [str(e) for e in _read_in_parts(blank, 2).errors] == [
        str(e) for e in read_file(blank).errors
    ]
    assert len(read_file(blank).errors) == 1
