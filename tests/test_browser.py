"""The web UI in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from searcher.engine import Engine
from web import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("SEARCHER_ARTIFACTS", "test-artifacts"))
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() and not os.environ.get("SEARCHER_REQUIRE_BROWSER"):
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def server(seed_index: Path) -> Iterator[str]:
    from waitress.server import create_server

    port = _free_port()
    srv = create_server(create_app(Engine(seed_index)), host="127.0.0.1", port=port, threads=4)
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    srv.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), "Debian's chromium is required for browser tests"
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run"],
        )  # fmt: skip
        yield browser
        browser.close()


def test_type_a_query_and_see_highlighted_results(server: str, browser: object) -> None:
    page = browser.new_page()  # type: ignore[attr-defined]
    page.goto(server + "/")
    box = page.get_by_label("搜索政务新闻")
    box.fill("文明城市")
    box.press("Enter")
    page.wait_for_selector(".hit")
    assert page.title() == "文明城市 - searcher"
    marks = page.locator(".snippet mark")
    assert marks.count() > 0
    assert marks.first.inner_text() == "文明城市"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "search.png"), full_page=True)
    page.locator(".hit h2 a").first.click()
    page.wait_for_selector("article.article h1")
    page.screenshot(path=str(ARTIFACTS / "article.png"), full_page=True)
    page.close()
