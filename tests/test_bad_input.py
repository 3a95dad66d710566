"""Bad dumps: each is reported as ``path: reason`` on stderr and skipped; the rest is indexed."""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from searcher.cli import main

GOOD_WORD = "徐子佳"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def seed_text(seeds: Path) -> str:
    return next(seeds.glob("002_*.txt")).read_text("utf-8")


def _undecodable(folder: Path, seeds: Path) -> Path:
    # Bytes that are neither UTF-8, GB18030 nor Big5 (lone lead and continuation bytes).
    path = folder / "garbage.txt"
    path.write_bytes(bytes([0x80, 0xFF, 0xC0, 0xFE, 0xA0, 0xF5, 0x81]) * 500)
    return path


def _truncated_gzip(folder: Path, seeds: Path) -> Path:
    data = gzip.compress(seed_text(seeds).encode("utf-8"))
    path = folder / "page.txt.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def _huge_line(folder: Path, seeds: Path) -> Path:
    path = folder / "huge.txt"
    path.write_bytes("测".encode() * (50 * 2**20 // 3))  # 50 MB, one line
    return path


def _huge_jsonl_line(folder: Path, seeds: Path) -> Path:
    path = folder / "huge.jsonl"
    body = "测".encode() * (50 * 2**20 // 3)
    path.write_bytes(b'{"url": "http://x.gov.cn/1", "text": "' + body + b'"}\n')
    return path


def _symlink_loop(folder: Path, seeds: Path) -> Path:
    path = folder / "loop.txt"
    path.symlink_to("loop.txt")
    return path


def _binary(name: str, magic: bytes) -> Callable[[Path, Path], Path]:
    def make(folder: Path, seeds: Path) -> Path:
        path = folder / name
        path.write_bytes(magic + bytes(range(256)) * 8)
        return path

    return make


def _empty(folder: Path, seeds: Path) -> Path:
    path = folder / "empty.txt"
    path.write_bytes(b"")
    return path


BAD = {
    "empty file": (_empty, "empty.txt: empty file"),
    "PDF": (_binary("report.html", b"%PDF-1.7\n"), "report.html: binary file (a PDF file)"),
    "PNG": (_binary("photo.txt", b"\x89PNG\r\n\x1a\n"), "photo.txt: binary file (a PNG image)"),
    "zip": (_binary("archive.txt", b"PK\x03\x04"), "archive.txt: binary file (a zip archive)"),
    "truncated gzip": (_truncated_gzip, "page.txt.gz: truncated gzip file"),
    "undecodable": (_undecodable, "garbage.txt: undecodable bytes"),
    "50 MB line": (_huge_line, "huge.txt: page larger than 5 M characters"),
    "50 MB JSON line": (_huge_jsonl_line, "huge.jsonl:1: line longer than 5 M characters"),
    "symlink loop": (_symlink_loop, "loop.txt: too many levels of symbolic links"),
}


@pytest.mark.parametrize("kind", list(BAD))
def test_bad_file_is_reported_skipped_and_the_rest_indexed(
    kind: str, tmp_path: Path, seeds: Path
) -> None:
    make, message = BAD[kind]
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "good.txt").write_text(seed_text(seeds), "utf-8")
    bad = make(dumps, seeds)
    index = tmp_path / "ix"
    code, out, err = run("index", str(dumps), "--index", str(index))
    assert code == 0, err
    assert f"{dumps}/{message}" in err
    assert "Traceback" not in err
    assert "1 new" in out and "1 failed" in out
    code, out, _ = run("export", "--all-copies", "--index", str(index))
    paths = {json.loads(line)["path"] for line in out.splitlines()}
    assert paths == {str(dumps / "good.txt")}, "nothing of the bad file is indexed"
    # Unchanged, the bad file is not read again, but still reported (and fails --strict).
    code, out, err = run("index", str(dumps), "--index", str(index), "--strict")
    assert code == 1
    assert f"{dumps}/{message.split(':')[0]}" in err and "1 unchanged, 1 failed" in out
    assert bad.name in err


def test_strict_exits_1_on_a_bad_file(tmp_path: Path, seeds: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "good.txt").write_text(seed_text(seeds), "utf-8")
    (dumps / "empty.txt").write_bytes(b"")
    code, out, err = run("index", str(dumps), "--index", str(tmp_path / "ix"), "--strict")
    assert code == 1 and "empty.txt: empty file" in err
    assert "1 new" in out, "the good file is indexed all the same"


def test_malformed_json_line_is_reported_with_its_number(tmp_path: Path, seeds: Path) -> None:
    text = seed_text(seeds)
    good = json.dumps({"url": "http://a.gov.cn/1", "title": "点评会", "text": text})
    dump = tmp_path / "crawl.jsonl"
    dump.write_text(good + "\n" + '{"url": "http://a.gov.cn/2", "text": "未完\n', "utf-8")
    index = tmp_path / "ix"
    code, _, err = run("index", str(dump), "--index", str(index))
    assert code == 0
    assert f"{dump}:2: malformed JSON" in err
    assert json.loads(run("search", GOOD_WORD, "--index", str(index), "--json")[1])["total"] == 1


def test_gbk_without_a_charset_is_read_correctly(tmp_path: Path) -> None:
    lead = "本报讯 10月9日,区长欧阳明到东岗镇调研秸秆综合利用工作,要求各镇街压实责任,"
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "gbk.txt").write_bytes(
        f"欧阳明调研秸秆综合利用工作\n\n{lead}确保秸秆禁烧不出现一个火点。\n".encode("gbk")
    )
    (dumps / "gbk.html").write_bytes(
        f"<html><body><h1>东岗镇秸秆禁烧有力有序</h1><p>{lead}综合利用率保持在百分之九十五以上。"
        "</p></body></html>".encode("gbk")
    )
    index = tmp_path / "ix"
    code, out, err = run("index", str(dumps), "--index", str(index))
    assert code == 0 and "2 new" in out and "0 failed" in out, err
    result = json.loads(run("search", "秸秆综合利用", "--index", str(index), "--json")[1])
    assert {hit["title"] for hit in result["hits"]} == {
        "欧阳明调研秸秆综合利用工作", "东岗镇秸秆禁烧有力有序",
    }  # fmt: skip


def test_file_with_only_site_chrome_gives_a_note_and_no_article(tmp_path: Path) -> None:
    dump = tmp_path / "chrome.txt"
    dump.write_text(
        "首页 | 政务公开 | 办事服务 | 互动交流\n版权所有：某某区人民政府 备案号：苏ICP备0000号\n",
        "utf-8",
    )
    index = tmp_path / "ix"
    code, out, err = run("index", str(dump), "--index", str(index))
    assert code == 0
    assert f"note: {dump}: no article text found (only page chrome)" in err
    assert "0 added" in out
    assert run("export", "--all-copies", "--index", str(index))[1] == ""


def test_explicit_path_that_is_a_symlink_loop_is_a_clear_error(tmp_path: Path) -> None:
    loop = tmp_path / "loop.txt"
    loop.symlink_to("loop.txt")
    code, _, err = run("index", str(loop), "--index", str(tmp_path / "ix"))
    assert code == 1 and "loop.txt" in err and "Traceback" not in err


def test_folder_symlink_loop_is_walked_once(tmp_path: Path, seeds: Path) -> None:
    dumps = tmp_path / "dumps"
    (dumps / "sub").mkdir(parents=True)
    (dumps / "sub" / "good.txt").write_text(seed_text(seeds), "utf-8")
    (dumps / "sub" / "back").symlink_to(dumps, target_is_directory=True)
    code, out, err = run("index", str(dumps), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert "1 new" in out


def test_unreadable_file_is_reported(tmp_path: Path, seeds: Path) -> None:
    """A file without read permission (run as another user when the tests run as root)."""
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "good.txt").write_text(seed_text(seeds), "utf-8")
    secret = dumps / "secret.txt"
    secret.write_text(seed_text(seeds).replace(GOOD_WORD, "欧阳明"), "utf-8")
    secret.chmod(0)
    index = tmp_path / "ix"
    command = [sys.executable, "-m", "searcher.cli", "index", str(dumps), "--index", str(index)]
    if os.geteuid() == 0:
        # Root reads anything; in a user namespace it is an ordinary owner without rights.
        if shutil.which("unshare") is None:
            pytest.skip("running as root without unshare: cannot drop the right to read")
        command = ["unshare", "--map-user=1000", "--map-group=1000", *command]
    done = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if "unshare failed" in done.stderr:
        pytest.skip(f"user namespaces not available: {done.stderr.strip()}")
    assert done.returncode == 0, done.stderr
    assert f"{secret}: permission denied" in done.stderr
    assert "Traceback" not in done.stderr
    assert "1 new" in done.stdout and "1 failed" in done.stdout
