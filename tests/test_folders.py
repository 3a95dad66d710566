"""Folders as crawlers leave them: dumps beside attachments (PDF, Word, Excel, photos),
hidden and lock files, the index itself; and text saved by Word as UTF-16."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from searcher.cli import main

NEWS = {
    "yz_0312.txt": "\n".join(
        [
            "鄞州区召开河长制工作推进会",
            "本报讯 3月12日，鄞州区召开河长制工作推进会，总结去年全区河湖治理成效，部署今年"
            "“美丽河湖”创建工作。区委副书记、区长出席会议并讲话。",
            "会议指出，各镇街要压实河长责任，对辖区河道开展常态化巡查，发现问题及时交办、限期"
            "整改，确保年底前完成12条河道的综合整治。",
        ]
    ),
    "yz_0315.txt": "\n".join(
        [
            "鄞州区开展春季植树造林活动",
            "本报讯 3月15日，鄞州区组织机关干部、志愿者500余人在东钱湖畔开展春季义务植树活动，"
            "共栽植香樟、银杏等苗木3000余株。",
            "区林业部门介绍，今年全区计划新增造林面积2000亩，建设森林村庄10个。",
        ]
    ),
}
#: What a crawler saves beside the pages: a notice's attachments and photos.
ATTACHMENTS = {
    "附件1：2024年河道整治项目清单.pdf": b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n",
    "附件2：资金安排表.pdf": b"%PDF-1.4\n",
    "附件3：申请表.docx": b"PK\x03\x04\x14\x00\x06\x00[Content_Types].xml",
}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def crawl_folder(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in NEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    for name, data in ATTACHMENTS.items():
        (folder / name).write_bytes(data)
    return folder


def titles(index: Path, query: str) -> list[str]:
    code, out, err = run("search", query, "--index", str(index), "--json")
    assert code == 0, err
    return [hit["title"] for hit in json.loads(out)["hits"]]


def test_attachments_are_reported_one_line_each_and_counted_as_skipped(tmp_path: Path) -> None:
    folder = crawl_folder(tmp_path / "crawl")
    index = tmp_path / "ix"
    code, out, err = run("index", str(folder), "--index", str(index))
    assert code == 0, err
    assert err.splitlines() == [
        f"{folder}/附件1：2024年河道整治项目清单.pdf: skipped, not a dump (PDF document)",
        f"{folder}/附件2：资金安排表.pdf: skipped, not a dump (PDF document)",
        f"{folder}/附件3：申请表.docx: skipped, not a dump (Word document)",
    ]
    assert "files: 2 new, 0 changed, 0 unchanged, 0 failed, 3 skipped: 2 .pdf, 1 .docx;" in out
    assert titles(index, "河长制") == ["鄞州区召开河长制工作推进会"]


def test_skipped_files_do_not_fail_strict_and_are_told_again_next_run(tmp_path: Path) -> None:
    folder = crawl_folder(tmp_path / "crawl")
    index = tmp_path / "ix"
    code, _, _ = run("index", str(folder), "--index", str(index), "--strict")
    assert code == 0
    code, out, err = run("index", str(folder), "--index", str(index), "--strict", "--quiet")
    assert code == 0
    assert not out, "--quiet: no summary"
    assert len(err.splitlines()) == 3 and "附件3：申请表.docx: skipped" in err


def test_strict_still_fails_on_an_unreadable_dump_beside_attachments(tmp_path: Path) -> None:
    folder = crawl_folder(tmp_path / "crawl")
    (folder / "yz_0320.txt").write_bytes(b"")
    code, out, err = run("index", str(folder), "--index", str(tmp_path / "ix"), "--strict")
    assert code == 1
    assert f"{folder}/yz_0320.txt: empty file" in err
    assert "2 new, 0 changed, 0 unchanged, 1 failed, 3 skipped: 2 .pdf, 1 .docx" in out


def test_kinds_by_suffix_and_by_first_bytes(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    (folder / "yz_0312.txt").write_text(NEWS["yz_0312.txt"], encoding="utf-8")
    (folder / "2024年统计表.xlsx").write_bytes(b"PK\x03\x04")
    (folder / "汇报.PPTX").write_bytes(b"PK\x03\x04")
    (folder / "现场照片.jpg").write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF")
    (folder / "pages.json").write_text('{"title": "鄞州区"}', encoding="utf-8")
    (folder / "下载的附件").write_bytes(b"%PDF-1.5\n")  # a crawler that lost the suffix
    code, out, err = run("index", str(folder), "--index", str(tmp_path / "ix"))
    assert code == 0
    assert sorted(err.splitlines()) == sorted(
        [
            f"{folder}/2024年统计表.xlsx: skipped, not a dump (Excel spreadsheet)",
            f"{folder}/汇报.PPTX: skipped, not a dump (PowerPoint)",
            f"{folder}/现场照片.jpg: skipped, not a dump (image)",
            f"{folder}/pages.json: skipped, not a dump (JSON file, not JSON Lines)",
            f"{folder}/下载的附件: skipped, not a dump (PDF document)",
        ]
    )
    assert "5 skipped: 1 .jpg, 1 .json, 1 .pptx, 1 .xlsx, 1 no suffix;" in out


def test_hidden_lock_and_partial_files_and_the_index_itself_are_ignored_silently(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    for name, text in NEWS.items():
        (folder / name).write_text(text, encoding="utf-8")
    (folder / ".DS_Store").write_bytes(b"\x00\x00\x00\x01Bud1")
    (folder / ".git").mkdir()
    (folder / ".git" / "config").write_text("[core]\n", encoding="utf-8")
    (folder / "~$申请表.docx").write_bytes(b"\x0cowner")  # Word's lock file, while it is open
    (folder / "附件4.pdf.crdownload").write_bytes(b"%PDF-1.7\n")  # a download under way
    (folder / "Thumbs.db").write_bytes(b"\xd0\xcf\x11\xe0")
    index = folder / "index"  # the index inside the folder it indexes
    code, out, err = run("index", str(folder), "--index", str(index))
    assert code == 0 and not err
    assert "skipped" not in out
    code, out, err = run("index", str(folder), "--index", str(index))
    assert code == 0 and not err, "the index's own files are not dumps to report"
    assert "files: 0 new, 0 changed, 2 unchanged, 0 failed;" in out


def test_a_file_named_on_the_command_line_that_is_not_a_dump(tmp_path: Path) -> None:
    report = tmp_path / "2024年政府工作报告.pdf"
    report.write_bytes(ATTACHMENTS["附件2：资金安排表.pdf"])
    code, out, err = run("index", str(report), "--index", str(tmp_path / "ix"), "--strict")
    assert code == 0
    assert err.strip() == f"{report}: skipped, not a dump (PDF document)"
    assert "0 new, 0 changed, 0 unchanged, 0 failed, 1 skipped: 1 .pdf;" in out
    code, out, err = run("clean", str(report))
    assert err.strip() == f"{report}: skipped, not a dump (PDF document)"


def test_utf16_text_and_html_as_word_saves_them_are_indexed_and_found(tmp_path: Path) -> None:
    folder = tmp_path / "crawl"
    folder.mkdir()
    text = "\r\n".join(
        [
            "鄞州区推进生活垃圾分类工作",
            "本报讯 3月5日，鄞州区召开生活垃圾分类工作推进会，部署今年全区“定时定点”投放工作，"
            "要求各街道在6月底前完成全部小区的撤桶并点。",
            "会议要求，各街道要加强督导员队伍建设，做到每个投放点都有人值守、有人劝导。",
        ]
    )
    (folder / "垃圾分类.txt").write_bytes(b"\xff\xfe" + text.encode("utf-16-le"))
    big_endian = "\n".join(
        [
            "海曙区启动老旧小区加装电梯工作",
            "本报讯 4月10日，海曙区召开既有住宅加装电梯工作部署会，今年计划在32个老旧小区"
            "加装电梯120台，每台补助20万元。",
            "区住建局表示，将开通加装电梯审批绿色通道，审批时限压缩至15个工作日。",
        ]
    )
    (folder / "加装电梯.txt").write_bytes(b"\xfe\xff" + big_endian.encode("utf-16-be"))
    html = (
        '<html><head><meta charset="utf-16"><title>江海区开展河道清漂行动_江海区人民政府'
        "</title></head><body><h1>江海区开展河道清漂行动</h1><p>本报讯 4月2日，江海区组织"
        "各镇街开展河道清漂专项行动，共清理水面漂浮物12吨，清理河岸垃圾3.5吨，确保汛期行洪"
        "通畅。</p><p>区水利局要求，各镇街要落实河长巡河制度，对发现的问题做到即知即改。</p>"
        "</body></html>"
    )
    (folder / "清漂.html").write_bytes(b"\xff\xfe" + html.encode("utf-16-le"))
    index = tmp_path / "ix"
    code, out, err = run("index", str(folder), "--index", str(index), "--strict")
    assert code == 0 and not err, err
    assert "3 new" in out and "0 failed" in out
    assert titles(index, '"撤桶并点"') == ["鄞州区推进生活垃圾分类工作"]
    assert titles(index, "加装电梯") == ["海曙区启动老旧小区加装电梯工作"]
    assert titles(index, "河道清漂") == ["江海区开展河道清漂行动"]
