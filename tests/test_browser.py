"""The web UI in a real browser: Debian's Chromium driven by Playwright."""

from __future__ import annotations

import os
import shutil
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from searcher.engine import Engine
from web import create_app

CHROMIUM = "/usr/bin/chromium"
ARTIFACTS = Path(os.environ.get("SEARCHER_ARTIFACTS", "test-artifacts"))
pytestmark = pytest.mark.browser

if not Path(CHROMIUM).exists() and not os.environ.get("SEARCHER_REQUIRE_BROWSER"):
    pytest.skip("Debian's chromium is not installed", allow_module_level=True)


@pytest.fixture(scope="module")
def server(web_index: Path, free_port: Callable[[], int]) -> Iterator[str]:
    from waitress.server import create_server

    port = free_port()
    srv = create_server(create_app(Engine(web_index)), host="127.0.0.1", port=port, threads=4)
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


@pytest.fixture
def page(browser: object) -> Iterator[Any]:
    """A desktop-sized page that fails the test on any script dialog or console error (a CSP
    violation, a script error)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})  # type: ignore[attr-defined]
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "dialog", lambda dialog: (problems.append(f"dialog: {dialog.message}"), dialog.dismiss())
    )
    page.on("console", lambda msg: msg.type == "error" and problems.append(msg.text))
    page.on("pageerror", lambda error: problems.append(str(error)))
    yield page
    context.close()
    assert not problems, problems


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def total(page: Any) -> int:
    return int(page.locator("#results-h strong").inner_text().replace(",", ""))


def test_search_filter_page_open_and_go_back(server: str, page: Any) -> None:
    page.goto(server + "/")
    page.locator("#welcome-h").click()  # away from the autofocused box: "/" brings it back
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "q"
    page.keyboard.type("工作")
    page.keyboard.press("Enter")
    page.wait_for_selector(".hit")
    everything = total(page)
    assert page.locator(".timeline svg a").count() > 0
    shot(page, "search-facets.png")

    region = page.locator("#facet-region + ul a").first
    name = region.locator(".name").inner_text()
    count = int(region.locator(".count").inner_text())
    region.click()
    page.wait_for_url("**region=**")
    assert total(page) == count < everything
    assert page.locator("#facet-region + ul a.on .name").inner_text() == name
    assert page.get_by_role("link", name=f"地区：{name}").is_visible()

    page.get_by_role("link", name="下一页").click()
    page.wait_for_url("**page=2**")
    assert page.locator('.pager [aria-current="page"]').inner_text() == "2"
    first = page.locator(".hit h2 a").first
    title = first.inner_text()
    first.click()
    page.wait_for_selector("article.article h1")
    assert page.locator("article.article h1").inner_text() == title
    assert page.locator(".body mark").first.inner_text() == "工作"
    shot(page, "article.png")

    page.go_back()
    page.wait_for_selector(".hit")
    assert "page=2" in page.url and "region=" in page.url
    assert page.locator(".hit h2 a").first.inner_text() == title

    page.locator("#facet-region + ul a.on").click()
    page.wait_for_selector(".hit")
    assert total(page) == everything and "region=" not in page.url


def test_timeline_bar_and_date_range(server: str, page: Any) -> None:
    page.goto(server + "/?q=文明城市")
    bar = page.locator(".timeline svg a").first
    label = bar.get_attribute("aria-label")
    year, rest = label.split("年")
    month, count = rest.split("月：")
    bar.click()
    page.wait_for_url("**since=**")
    assert total(page) == int(count.split()[0])
    assert all(
        d.startswith(f"{year}-{int(month):02d}")
        for d in page.locator(".hit .meta time").all_inner_texts()
    )
    page.get_by_role("link", name="日期：").click()
    page.get_by_label("开始", exact=True).fill("2018-01-01")
    page.get_by_label("结束", exact=True).fill("2018-12-31")
    page.get_by_role("button", name="筛选日期").click()
    page.wait_for_url("**until=2018-12-31**")
    dates = page.locator(".hit .meta time").all_inner_texts()
    assert dates and all(d.startswith("2018-") for d in dates)


def test_indexed_markup_is_text_and_runs_nothing(server: str, page: Any) -> None:
    page.goto(server + "/?q=网格化管理")
    titles = page.locator(".hit h2").all_inner_texts()
    assert "川汇区召开网格化管理推进会<script>alert(1)</script>" in titles
    assert "<b>周口日报</b>" in page.locator("#facet-source + ul").inner_text()
    page.get_by_role("link", name="川汇区召开网格化管理推进会<script>alert(1)</script>").click()
    page.wait_for_selector("article.article h1")
    body = page.locator(".body").inner_text()
    assert "<script>alert(1)</script>" in body
    assert "<img src=x onerror=alert(2)>" in body
    assert page.locator("article img, article script, .results script").count() == 0
    assert page.evaluate("document.scripts.length") == 1  # only /static/app.js
    shot(page, "article-hostile.png")


def test_everything_works_without_javascript(server: str, browser: object) -> None:
    context = browser.new_context(java_script_enabled=False)  # type: ignore[attr-defined]
    page = context.new_page()
    page.goto(server + "/")
    box = page.get_by_label("搜索政务新闻")
    box.fill("文明城市")
    box.press("Enter")
    page.wait_for_selector(".hit")
    everything = total(page)
    page.locator("#facet-year + ul a").first.click()
    page.wait_for_selector(".hit")
    assert total(page) < everything
    page.get_by_role("link", name="日期", exact=True).click()
    page.wait_for_url("**sort=date**")
    page.locator(".hit h2 a").first.click()
    page.wait_for_selector("article.article h1")
    assert page.locator(".body p").count() > 0
    shot(page, "article-nojs.png")
    page.goto(server + '/?q="专题点评"')
    copies = page.locator(".hit .dups ul a")
    assert not copies.first.is_visible()
    page.get_by_text("1 篇相似报道").click()
    assert copies.first.is_visible()
    context.close()


def test_phone_width_reads_without_sideways_scrolling(server: str, browser: object) -> None:
    context = browser.new_context(  # type: ignore[attr-defined]
        viewport={"width": 390, "height": 844}, device_scale_factor=2, is_mobile=True
    )
    page = context.new_page()
    page.goto(server + "/?q=文明城市")
    page.wait_for_selector(".hit")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    # The facets fold away above the results; the first result is on the first screen.
    assert page.locator(".hit").first.bounding_box()["y"] < 844
    shot(page, "search-phone.png")
    page.locator(".hit h2 a").first.click()
    page.wait_for_selector("article.article h1")
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    shot(page, "article-phone.png")
    context.close()


def test_empty_states_help(server: str, page: Any) -> None:
    page.goto(server + "/")
    assert page.evaluate("document.activeElement.id") == "q"
    assert page.locator(".example").count() >= 3
    shot(page, "home.png")
    page.goto(server + '/?q="文明城市 没有这样的短语"&region=河南省')
    assert total(page) == 0
    assert page.get_by_role("link", name="去掉所有筛选条件").is_visible()
    assert page.locator(".help dl").is_visible()  # the query syntax help, open
    shot(page, "no-results.png")
    page.get_by_role("link", name="不加引号搜索").click()
    page.wait_for_url("**q=**")
    assert '"' not in page.locator("#q").input_value()


def test_results_appear_while_typing(server: str, page: Any) -> None:
    page.goto(server + "/?q=脱贫攻坚")
    box = page.get_by_label("搜索政务新闻")
    box.fill("")
    box.press_sequentially("网格化管理", delay=30)
    page.wait_for_url("**q=%E7%BD%91%E6%A0%BC%E5%8C%96%E7%AE%A1%E7%90%86*")
    page.wait_for_function("document.title.startsWith('网格化管理')")
    assert page.locator(".hit mark").first.inner_text() == "网格化管理"
    assert page.evaluate("document.activeElement.id") == "q"  # still typing in the box
    page.locator("#facet-region + ul a").first.click()  # the swapped-in page works as before
    page.wait_for_url("**region=**")
    assert total(page) > 0


def test_keyboard_only(server: str, page: Any) -> None:
    page.goto(server + "/?q=文明城市")  # a results page: the focus starts at the top
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "skip"
    assert page.locator(".skip").is_visible()  # shown when focused
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "results-h"
    page.locator("#q").focus()
    for _ in range(20):
        page.keyboard.press("Tab")
        if page.evaluate("!!document.activeElement.closest('.facets ul a')"):
            break
    else:
        raise AssertionError("no facet link reachable with Tab")
    page.keyboard.press("Enter")
    page.wait_for_url("**region=**")
    assert page.locator("#facet-region + ul a.on").count() == 1


@pytest.fixture(scope="module")
def xss_server(xss_index: Path, free_port: Callable[[], int]) -> Iterator[str]:
    from waitress.server import create_server

    port = free_port()
    srv = create_server(create_app(Engine(xss_index)), host="127.0.0.1", port=port, threads=2)
    threading.Thread(target=srv.run, daemon=True).start()
    yield f"http://127.0.0.1:{port}"
    srv.close()


def test_script_urls_and_entities_in_a_page_run_nothing(xss_server: str, page: Any) -> None:
    """Typed, shown in results and facets, opened: no dialog, no CSP violation (the ``page``
    fixture fails on either), no element the page's text could have made."""
    page.goto(xss_server + "/")
    page.get_by_label("搜索政务新闻").press_sequentially("联播快讯")  # instant results
    page.wait_for_selector(".hit h2")
    title = page.locator(".hit h2").first.inner_text()
    assert "<svg onload=alert(11)>" in title
    page.locator(".hit h2 a").first.click()
    page.wait_for_selector("article.article h1")
    assert "javascript:alert(document.domain)" in page.locator("dl.fields").inner_text()
    body = page.locator(".body").inner_text()
    assert '<a href="javascript:alert(14)">' in body or "javascript:alert(15)" in body
    forged = "svg, img, iframe, .body a, .body style, dd a"
    assert page.locator(f"main {forged}".replace(", ", ", main ")).count() == 0
    assert page.evaluate("document.scripts.length") == 1  # only /static/app.js
    assert page.locator("body").is_visible()  # the page's <style> hid nothing
