"""The CLI contract, through click's CliRunner, on an index of the real seed dumps."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from searcher.cli import main

HIT_FIELDS = {"id", "title", "date", "region", "source", "path", "score", "snippet"}


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def search_json(index: Path, *args: str) -> dict:
    code, out, err = run("search", *args, "--index", str(index), "--json")
    assert code == 0, err
    return json.loads(out)


def test_index_the_seeds_and_report(tmp_path: Path, seeds: Path) -> None:
    code, out, err = run("index", str(seeds), "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert "5 new" in out
    _, out, _ = run("stats", "--index", str(tmp_path / "ix"), "--json")
    stats = json.loads(out)
    assert stats["files"] == 5
    assert stats["articles"] >= 15


def test_index_defaults_to_the_bundled_seeds(tmp_path: Path) -> None:
    code, out, err = run("index", "--index", str(tmp_path / "ix"))
    assert code == 0, err
    assert "5 new" in out


def test_wenming_chengshi_found_in_every_seed_file(seed_index: Path, seeds: Path) -> None:
    result = search_json(seed_index, "文明城市", "--limit", "100")
    files = {Path(hit["path"]).name for hit in result["hits"]}
    assert files == {p.name for p in seeds.glob("*.txt")}
    assert result["total"] == len(result["hits"])


def test_quoted_phrase_finds_the_article_that_holds_it(seed_index: Path) -> None:
    result = search_json(seed_index, '"专题点评创建全国文明城市"')
    assert result["total"] == 1
    assert result["hits"][0]["title"] == "我区专题点评创建全国文明城市工作"
    # The words in another order are not the phrase.
    assert search_json(seed_index, '"城市文明全国创建"')["total"] == 0


def test_json_has_every_field(seed_index: Path) -> None:
    result = search_json(seed_index, "脱贫攻坚")
    assert set(result) >= {"query", "total", "page", "hits"}
    assert result["query"] == "脱贫攻坚" and result["page"] == 1
    assert result["hits"]
    for hit in result["hits"]:
        assert set(hit) >= HIT_FIELDS
        assert "<mark>" in hit["snippet"]


def test_dates_are_iso_or_null(seed_index: Path) -> None:
    result = search_json(seed_index, "文明城市", "--limit", "100")
    for hit in result["hits"]:
        assert hit["date"] is None or (len(hit["date"]) == 10 and hit["date"][4] == "-")
    dated = {hit["title"]: hit["date"] for hit in result["hits"]}
    assert dated["我区专题点评创建全国文明城市工作"] == "2018-07-16"


def test_limit_and_pages(seed_index: Path) -> None:
    first = search_json(seed_index, "文明城市", "--limit", "2")
    second = search_json(seed_index, "文明城市", "--limit", "2", "--page", "2")
    assert len(first["hits"]) == 2 and second["page"] == 2
    assert not {h["id"] for h in first["hits"]} & {h["id"] for h in second["hits"]}
    assert search_json(seed_index, "文明城市", "--limit", "10000")["total"] == first["total"]


def test_sort_by_date_puts_newest_first(seed_index: Path) -> None:
    result = search_json(seed_index, "文明城市", "--sort", "date", "--limit", "100")
    dates = [h["date"] for h in result["hits"] if h["date"]]
    assert dates == sorted(dates, reverse=True)


def test_human_output_marks_words(seed_index: Path) -> None:
    code, out, _ = run("search", "川汇区", "--index", str(seed_index))
    assert code == 0
    assert "articles match 川汇区" in out
    assert "seeds" in out or ".txt" in out


def test_show_and_unknown_id(seed_index: Path) -> None:
    hit = search_json(seed_index, '"专题点评"')["hits"][0]
    code, out, _ = run("show", hit["id"], "--index", str(seed_index), "--json")
    assert code == 0
    article = json.loads(out)
    assert article["id"] == hit["id"] and "徐子佳" in article["text"]
    code, _, err = run("show", "0123456789abcdef", "--index", str(seed_index))
    assert code == 1 and "no article" in err and "Traceback" not in err


def test_export_one_record_per_article(seed_index: Path) -> None:
    code, out, _ = run("export", "--index", str(seed_index))
    assert code == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert {"id", "title", "date", "region", "source", "path", "text", "duplicates"} <= set(
        records[0]
    )
    assert len({r["id"] for r in records}) == len(records)
    stats = json.loads(run("stats", "--index", str(seed_index), "--json")[1])
    assert len(records) == stats["articles"]
    assert all(isinstance(r["region"], (str, type(None))) for r in records)


def test_bad_paths_exit_1_with_a_message(tmp_path: Path) -> None:
    code, _, err = run("index", str(tmp_path / "missing.txt"), "--index", str(tmp_path / "ix"))
    assert code == 1
    assert "missing.txt" in err and "no such file" in err
    assert "Traceback" not in err


def test_unreadable_file_is_reported_and_the_rest_indexed(tmp_path: Path, seeds: Path) -> None:
    dumps = tmp_path / "dumps"
    dumps.mkdir()
    (dumps / "good.txt").write_bytes(next(seeds.glob("002_*.txt")).read_bytes())
    (dumps / "empty.txt").write_bytes(b"")
    (dumps / "image.txt").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    code, _, err = run("index", str(dumps), "--index", str(tmp_path / "ix"))
    assert code == 0
    assert "empty.txt: empty file" in err
    assert "image.txt: binary file" in err
    assert search_json(tmp_path / "ix", "徐子佳")["total"] == 1


def test_errors_without_an_index_create_nothing(tmp_path: Path) -> None:
    empty = tmp_path / "nothing-here"
    for args in (["search", "文明"], ["show", "abc"], ["stats"], ["export"]):
        code, _, err = run(*args, "--index", str(empty))
        assert code == 1, args
        assert "no index" in err
    assert not empty.exists()


def test_empty_query_is_a_user_error(seed_index: Path) -> None:
    for query in ("", "   "):
        code, _, err = run("search", query, "--index", str(seed_index))
        assert code == 1 and "empty query" in err


def test_usage_errors_exit_2(seed_index: Path) -> None:
    code, _, _ = run("search", "文明", "--limit", "0", "--index", str(seed_index))
    assert code == 2
    code, _, _ = run("frobnicate")
    assert code == 2


def test_second_index_adds_to_the_first(tmp_path: Path, seeds: Path) -> None:
    ix = str(tmp_path / "ix")
    run("index", str(next(seeds.glob("002_*.txt"))), "--index", ix)
    assert search_json(tmp_path / "ix", "川汇区")["total"] == 0
    run("index", str(next(seeds.glob("000_*.txt"))), "--index", ix)
    assert search_json(tmp_path / "ix", "川汇区")["total"] > 0
    assert search_json(tmp_path / "ix", "徐子佳")["total"] == 1
    code, _, _ = run("index", "--rebuild", str(next(seeds.glob("000_*.txt"))), "--index", ix)
    assert code == 0
    assert search_json(tmp_path / "ix", "徐子佳")["total"] == 0


def test_user_dictionary_and_synonyms_are_kept_in_the_index(tmp_path: Path, seeds: Path) -> None:
    ix = str(tmp_path / "ix")
    seed = str(next(seeds.glob("002_*.txt")))
    (tmp_path / "words.txt").write_text("# mine\n点评会 50\n", encoding="utf-8")
    (tmp_path / "synonyms.txt").write_text("点评会 评议会\n", encoding="utf-8")
    code, _, err = run(
        "index", seed, "--index", ix,
        "--userdict", str(tmp_path / "words.txt"), "--synonyms", str(tmp_path / "synonyms.txt"),
    )  # fmt: skip
    assert code == 0, err
    # 点评会 is one word of this index, and its synonym finds it.
    assert search_json(tmp_path / "ix", "评议会")["total"] == 1
    (tmp_path / "other.txt").write_text("评议会\n", encoding="utf-8")
    code, _, err = run("index", seed, "--index", ix, "--userdict", str(tmp_path / "other.txt"))
    assert code == 1 and "another user dictionary" in err and "--rebuild" in err
    assert search_json(tmp_path / "ix", "评议会")["total"] == 1


def test_unreadable_user_dictionary_is_one_line(tmp_path: Path, seeds: Path) -> None:
    ix = str(tmp_path / "ix")
    code, _, err = run("index", str(seeds), "--index", ix, "--userdict", str(tmp_path / "no"))
    assert code == 1 and "no: No such file" in err and "Traceback" not in err
    (tmp_path / "bad.txt").write_text("一个 词 太多\n", encoding="utf-8")
    code, _, err = run("index", str(seeds), "--index", ix, "--userdict", str(tmp_path / "bad.txt"))
    assert code == 1 and "bad.txt: entry 1" in err
    assert not (tmp_path / "ix").exists()


def test_clean_says_what_its_repeated_lines_were_counted_on(seed_index: Path, seeds: Path) -> None:
    seed = next(seeds.glob("001_*.txt"))
    code, out, err = run("clean", str(seed))
    assert code == 0, err
    assert out.splitlines()[1] == (
        f"-- site {seeds}: 1 page counted for repeated lines (this file alone; with --index "
        "DIR, as that index counts them)"
    )
    code, out, err = run("clean", str(seed), "--index", str(seed_index))
    assert code == 0, err
    assert out.splitlines()[1] == (
        f"-- site {seeds}: 5 pages counted for repeated lines (index {seed_index})"
    )


def test_clean_json_articles_are_the_indexed_ones(seed_index: Path, seeds: Path) -> None:
    seed = next(seeds.glob("004_*.txt"))
    code, out, err = run("clean", str(seed), "--json", "--index", str(seed_index))
    assert code == 0, err
    articles = {
        a["id"]: (a["title"], a["text"]) for page in json.loads(out) for a in page["articles"]
    }
    code, out, _ = run("export", "--all-copies", "--index", str(seed_index))
    stored = {
        a["id"]: (a["title"], a["text"])
        for a in map(json.loads, out.splitlines())
        if a["path"] == str(seed)
    }
    assert articles == stored and len(stored) >= 2
