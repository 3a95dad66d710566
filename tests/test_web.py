"""The web app through Flask's test client, over an index of the seed dumps."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

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
