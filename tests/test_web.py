"""The web app through Flask's test client, over an index of the seed dumps."""

from __future__ import annotations

import html
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from flask.testing import FlaskClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from searcher.engine import Engine
from web import create_app


@pytest.fixture(scope="module")
def client(seed_index: Path) -> FlaskClient:
    app = create_app(Engine(seed_index))
    app.testing = True
    return app.test_client()


def test_home_page_has_a_search_box_and_stats(client: FlaskClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    body = page.get_data(as_text=True)
    assert 'name="q"' in body and "已收录" in body


def test_search_page_shows_highlighted_results(client: FlaskClient) -> None:
    page = client.get("/?q=文明城市")
    body = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "<mark>文明城市</mark>" in body
    assert "<title>文明城市 - searcher</title>" in body


def test_api_search_matches_the_cli_shape(client: FlaskClient) -> None:
    data = client.get("/api/search?q=脱贫攻坚&limit=3").get_json()
    assert set(data) >= {"query", "total", "page", "hits"}
    assert len(data["hits"]) <= 3
    assert set(data["hits"][0]) >= {"id", "title", "date", "region", "source", "path", "score"}


def test_article_page_and_404(client: FlaskClient) -> None:
    hit = client.get('/api/search?q="专题点评"').get_json()["hits"][0]
    page = client.get(f"/article/{hit['id']}")
    assert page.status_code == 200
    assert "我区专题点评创建全国文明城市工作" in page.get_data(as_text=True)
    assert client.get("/article/doesnotexist").status_code == 404
    assert client.get("/api/article/doesnotexist").status_code == 404


def test_api_search_explains_scores_when_asked(client: FlaskClient) -> None:
    plain = client.get("/api/search?q=文明城市 创建&limit=3").get_json()
    assert all("explanation" not in hit for hit in plain["hits"])
    data = client.get("/api/search?q=文明城市 创建&limit=3&explain=1").get_json()
    assert [hit["id"] for hit in data["hits"]] == [hit["id"] for hit in plain["hits"]]
    for hit in data["hits"]:
        tree = hit["explanation"]
        assert tree["value"] == hit["score"]
        assert "details" in tree
    words = str(data["hits"][0]["explanation"])
    assert "word «创建»: BM25F" in words
    bad = client.get("/api/search?q=文明城市&explain=maybe")
    assert bad.status_code == 400
    assert bad.get_json() == {"error": "explain must be 1 or 0"}


def test_api_stats(client: FlaskClient) -> None:
    stats = client.get("/api/stats").get_json()
    assert stats["files"] == 5 and stats["articles"] > 0


def test_user_input_is_escaped(client: FlaskClient) -> None:
    body = client.get("/?q=<script>alert(1)</script>").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in body
    assert "&lt;script&gt;" in body


@pytest.mark.parametrize(
    "url",
    ["/?q=文明&page=0", "/?q=文明&page=abc", "/api/search?q=文明&limit=100000",
     "/api/search?q=" + "长" * 201, "/api/search?q=文明&sort=popular"],
)  # fmt: skip
def test_bad_parameters_are_400_with_a_message(client: FlaskClient, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert response.get_json()["error"]


def test_security_headers(client: FlaskClient) -> None:
    response = client.get("/")
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# --------------------------------------------------------------------------- facets, timeline


@pytest.fixture(scope="module")
def web(web_index: Path) -> FlaskClient:
    """The app over the seeds plus a repost and a dump full of markup."""
    app = create_app(Engine(web_index))
    app.testing = True
    return app.test_client()


def links(body: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]*)"', body)]


def facet_links(body: str, name: str) -> list[tuple[str, int, bool]]:
    """``(url, count, selected)`` of each value of the facet ``name`` on a search page."""
    block = body.split(f'id="facet-{name}"', 1)[1].split("</details>", 1)[0]
    found = re.findall(
        r'<a href="([^"]*)"( class="on")?[^>]*>\s*<span class="name">[^<]*</span>\s*'
        r'<span class="count">([\d,]+)</span>',
        block,
    )
    return [(html.unescape(url), int(count.replace(",", "")), bool(on)) for url, on, count in found]


def total_of(body: str) -> int:
    return int(re.search(r"找到 <strong>([\d,]+)</strong>", body).group(1).replace(",", ""))


def test_page_and_api_never_disagree(web: FlaskClient) -> None:
    query = "?q=文明城市&sort=date&limit=5&page=2"
    page = web.get("/" + query).get_data(as_text=True)
    data = web.get("/api/search" + query).get_json()
    assert total_of(page) == data["total"]
    shown = re.findall(r'<li class="hit">\s*<h2><a href="/article/(\w+)', page)
    assert shown == [hit["id"] for hit in data["hits"]]
    for name in ("region", "source"):
        shown = [(parse_qs(urlsplit(url).query)[name][0], count) for url, count, _ in
                 facet_links(page, name)]  # fmt: skip
        assert shown == [(v["value"], v["count"]) for v in data["facets"][name]]


def test_api_search_has_facets_and_a_timeline(web: FlaskClient) -> None:
    data = web.get("/api/search?q=工作").get_json()
    assert set(data["facets"]) == {"region", "source", "year"}
    assert all(set(v) == {"value", "count"} for v in data["facets"]["region"])
    months = [m["month"] for m in data["timeline"]]
    assert months == sorted(months) and all(re.fullmatch(r"\d{4}-\d\d", m) for m in months)
    years = {v["value"]: v["count"] for v in data["facets"]["year"]}
    for year, count in years.items():
        assert sum(m["count"] for m in data["timeline"] if m["month"][:4] == year) == count


@pytest.mark.parametrize("name", ["region", "source", "year"])
def test_clicking_a_facet_filters_and_clicking_again_removes_it(
    web: FlaskClient, name: str
) -> None:
    start = "/?q=文明城市"
    body = web.get(start).get_data(as_text=True)
    values = facet_links(body, name)
    assert values, f"no {name} facet on {start}"
    url, count, selected = values[0]
    assert not selected
    filtered = web.get(url).get_data(as_text=True)
    assert total_of(filtered) == count
    again = [v for v in facet_links(filtered, name) if v[2]]
    assert len(again) == 1 and again[0][1] == count
    back = web.get(again[0][0]).get_data(as_text=True)
    assert total_of(back) == total_of(body)


def test_timeline_bars_link_to_their_month(web: FlaskClient) -> None:
    body = web.get("/?q=文明城市").get_data(as_text=True)
    bars = re.findall(r'<a href="([^"]*)" aria-label="(\d{4})年(\d+)月：(\d+) 篇"', body)
    data = web.get("/api/search?q=文明城市").get_json()
    assert len(bars) == sum(1 for m in data["timeline"] if m["count"])
    for url, year, month, count in bars:
        filtered = web.get(html.unescape(url))
        assert total_of(filtered.get_data(as_text=True)) == int(count)
        api = web.get("/api/search" + html.unescape(url)[1:]).get_json()
        dates = [hit["date"] for hit in api["hits"]]
        assert dates and all(d.startswith(f"{year}-{int(month):02d}") for d in dates)
    assert "<svg" in body and "<script" not in body.split("<svg", 1)[1].split("</svg>")[0]


def test_date_range_filter(web: FlaskClient) -> None:
    every = web.get("/api/search?q=工作&limit=100").get_json()
    dated = sorted(h["date"] for h in every["hits"] if h["date"])
    assert len(dated) >= 2
    since = dated[-1]
    data = web.get(f"/api/search?q=工作&since={since}&limit=100").get_json()
    assert data["total"] == sum(1 for d in dated if d >= since)
    body = web.get(f"/?q=工作&since={since}").get_data(as_text=True)
    assert f'name="since" type="date" value="{since}"' in body
    assert "日期：" in body  # the active filter, removable
    assert "/?q=%E5%B7%A5%E4%BD%9C" in links(body)


def test_sort_by_date_and_pagination_are_links(web: FlaskClient) -> None:
    body = web.get("/?q=工作&limit=5").get_data(as_text=True)
    targets = [parse_qs(urlsplit(link).query) for link in links(body)]
    assert {"q": ["工作"], "sort": ["date"], "limit": ["5"]} in targets
    assert {"q": ["工作"], "page": ["2"], "limit": ["5"]} in targets
    dates = [
        h["date"] for h in web.get("/api/search?q=工作&sort=date&limit=100").get_json()["hits"]
    ]
    known = [d for d in dates if d]
    assert known == sorted(known, reverse=True) and dates[: len(known)] == known
    one = web.get("/api/search?q=工作&limit=5").get_json()["hits"]
    two = web.get("/api/search?q=工作&limit=5&page=2").get_json()["hits"]
    assert one and two and not {h["id"] for h in one} & {h["id"] for h in two}
    page2 = web.get("/?q=工作&limit=5&page=2").get_data(as_text=True)
    assert '<strong aria-current="page">2</strong>' in page2
    assert "<title>工作 - 第 2 页 - searcher</title>" in page2


def test_duplicates_are_listed_under_a_hit(web: FlaskClient) -> None:
    body = web.get('/?q="专题点评"').get_data(as_text=True)
    assert "1 篇相似报道" in body
    hit = web.get('/api/search?q="专题点评"').get_json()["hits"][0]
    copy = hit["duplicates"][0]
    assert f"/article/{copy['id']}" in body and copy["path"] in body
    assert {hit["path"].rsplit("/", 1)[1], copy["path"].rsplit("/", 1)[1]} == {
        "repost.txt",
        "002_6e29f0d8b41d6044.txt",
    }


# --------------------------------------------------------------------------- article page


def test_article_page_highlights_the_query_and_lists_similar(web: FlaskClient) -> None:
    hit = web.get("/api/search?q=文明城市").get_json()["hits"][0]
    body = web.get(f"/article/{hit['id']}?q=文明城市").get_data(as_text=True)
    assert '<div class="body">' in body
    assert "<mark>文明城市</mark>" in body.split('<div class="body">', 1)[1]
    assert "内容相近的文章" in body
    assert "返回“文明城市”的搜索结果" in body
    assert 'name="q" type="search" value="文明城市"' in body  # the box keeps the query
    plain = web.get(f"/article/{hit['id']}").get_data(as_text=True)
    assert "<mark>" not in plain


def test_article_api_has_similar_and_duplicates(web: FlaskClient) -> None:
    hit = web.get('/api/search?q="专题点评"').get_json()["hits"][0]
    data = web.get(f"/api/article/{hit['id']}").get_json()
    assert [d["id"] for d in data["duplicates"]] == [d["id"] for d in hit["duplicates"]]
    assert data["similar"] and hit["id"] not in {s["id"] for s in data["similar"]}
    page = web.get(f"/article/{hit['id']}").get_data(as_text=True)
    for similar in data["similar"]:
        assert f"/article/{similar['id']}" in page


# --------------------------------------------------------------------------- empty states


def test_no_results_suggest_what_to_drop(web: FlaskClient) -> None:
    body = web.get('/?q="文明城市 不存在的短语"&region=北京市').get_data(as_text=True)
    assert total_of(body) == 0
    assert "去掉所有筛选条件" in body
    assert "不加引号搜索" in body
    assert "搜索语法" in body  # the query help panel
    assert 'class="facets"' not in body  # no empty facet boxes


def test_a_page_past_the_last_says_so(web: FlaskClient) -> None:
    body = web.get("/?q=文明城市&page=50").get_data(as_text=True)
    assert "一共只有 1 页" in body
    assert 'class="hit"' not in body
    assert web.get("/api/search?q=文明城市&page=50").get_json()["hits"] == []


def test_home_page_shows_examples_and_help(web: FlaskClient) -> None:
    body = web.get("/").get_data(as_text=True)
    assert "已收录" in body and 'class="example"' in body and "搜索语法" in body


# --------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("/?q=文明&page=1001", "page must be between 1 and 1000"),
        ("/api/search?q=文明&page=-1", "page must be between 1 and 1000"),
        ("/api/search?q=文明&page=99999999999999999999", "page must be between 1 and 1000"),
        ("/api/search?q=文明&limit=0", "limit must be between 1 and 100"),
        ("/api/search?q=文明&since=2020-13-01", "since must be a real date"),
        ("/?q=文明&until=yesterday", "until must be a date like"),
        ("/?q=" + "长" * 201, "query too long"),
        ("/api/search", "missing q"),
        ("/api/search?q=文明&region=" + "区" * 201, "region too long"),
    ],
)
def test_user_errors_are_400_with_a_clear_message(web: FlaskClient, url: str, message: str) -> None:
    response = web.get(url)
    assert response.status_code == 400
    if url.startswith("/api/"):
        assert message in response.get_json()["error"]
    else:
        assert message in html.unescape(response.get_data(as_text=True))


@pytest.mark.parametrize("query", ["，。！？", "...", '"', ","])
def test_a_query_of_only_punctuation_is_searched_as_typed(web: FlaskClient, query: str) -> None:
    # The search-quality issue: never an error, the same answer as the CLI and the engine.
    api = web.get("/api/search", query_string={"q": query})
    assert api.status_code == 200
    assert api.get_json()["query"] == query
    page = web.get("/", query_string={"q": query})
    assert page.status_code == 200
    total = api.get_json()["total"]
    shown = f"找到 <strong>{total:,}</strong> 篇文章" if total else "没有找到与"
    assert shown in page.get_data(as_text=True)


@pytest.mark.parametrize("url", ["/article/0000000000000000", "/api/article/x%3Cscript%3E"])
def test_unknown_article_is_404(web: FlaskClient, url: str) -> None:
    response = web.get(url)
    assert response.status_code == 404
    assert "<script>" not in response.get_data(as_text=True)


def test_indexed_markup_is_shown_as_text(web: FlaskClient) -> None:
    body = web.get("/?q=网格化管理").get_data(as_text=True)
    for raw in ("<script>alert(1)</script>", "<img src=x onerror", "<b>周口日报</b>"):
        assert raw not in body
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body
    assert "&lt;b&gt;周口日报&lt;/b&gt;" in body  # in the source facet
    hit = web.get("/api/search?q=网格化管理").get_json()["hits"][0]
    article = web.get(f"/article/{hit['id']}?q=网格化管理").get_data(as_text=True)
    assert "<script>alert" not in article and "<img src=x" not in article
    assert "&lt;img src=x onerror=alert(2)&gt;" in article


# --------------------------------------------------------------------------- serving


def test_opensearch_description(web: FlaskClient) -> None:
    response = web.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    assert 'template="http://localhost/?q={searchTerms}"' in response.get_data(as_text=True)
    home = web.get("/").get_data(as_text=True)
    assert 'rel="search" type="application/opensearchdescription+xml"' in home


def test_static_files_are_versioned_and_cached(web: FlaskClient) -> None:
    home = web.get("/").get_data(as_text=True)
    css = html.unescape(re.search(r'href="(/static/style\.css\?v=\w+)"', home).group(1))
    response = web.get(css)
    assert response.status_code == 200
    assert response.cache_control.max_age == 365 * 24 * 3600 and response.cache_control.immutable
    stale = web.get("/static/style.css?v=old")
    assert stale.cache_control.max_age == 3600 and not stale.cache_control.immutable


def test_a_rebuilt_index_is_picked_up_without_a_restart(tmp_path: Path, seeds: Path) -> None:
    import json

    from conftest import HOSTILE_PAGE

    engine = Engine(tmp_path / "ix")
    engine.index([seeds])
    app = create_app(engine)
    app.testing = True
    client = app.test_client()
    before = client.get("/api/search?q=网格化管理").get_json()
    assert "<b>周口日报</b>" not in {v["value"] for v in before["facets"]["source"]}

    dumps = tmp_path / "new"
    dumps.mkdir()
    (dumps / "hostile.jsonl").write_text(json.dumps(HOSTILE_PAGE, ensure_ascii=False) + "\n")
    Engine(tmp_path / "ix").index([dumps])  # another process's writer, in effect

    after = client.get("/api/search?q=网格化管理").get_json()
    assert after["total"] == before["total"] + 1
    assert {"value": "<b>周口日报</b>", "count": 1} in after["facets"]["source"]
    assert sum(m["count"] for m in after["timeline"]) > sum(m["count"] for m in before["timeline"])


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    q=st.text(max_size=40),
    page=st.one_of(st.none(), st.text(max_size=6), st.integers(-5, 2000).map(str)),
    since=st.one_of(st.none(), st.text(max_size=12), st.dates().map(str)),
    region=st.one_of(
        st.none(), st.sampled_from(["河南省", "周口", "川汇区", "<b>"]), st.text(max_size=8)
    ),
    path=st.sampled_from(["/", "/api/search"]),
)
def test_no_user_input_makes_a_500(
    web: FlaskClient, q: str, page: str | None, since: str | None, region: str | None, path: str
) -> None:
    params = {k: v for k, v in {"q": q, "page": page, "since": since, "region": region}.items()
              if v is not None}  # fmt: skip
    response = web.get(path, query_string=params)
    assert response.status_code in (200, 400), response.get_data(as_text=True)[:300]
    if path.startswith("/api/") and response.status_code == 400:
        assert response.get_json()["error"]


def test_help_explains_exact_strings_and_folding(client: FlaskClient) -> None:
    body = client.get("/").get_data(as_text=True)
    assert "精确字串" in body and "網格化管理" in body and "同义词" in body
