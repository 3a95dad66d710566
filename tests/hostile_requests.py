"""A fixed list of hostile requests a user (or a scanner) can send to the web UI and API.

Each is a path with its query string as sent on the wire (percent-encoded where a browser
would encode; invalid UTF-8 stays invalid). Used by ``tests/test_hostile_requests.py`` on the
seed index and by ``benchmarks/web_soak.py --hostile`` on a whole corpus.
"""

from __future__ import annotations

from urllib.parse import quote

WORDS = "文明城市川汇区脱贫攻坚网格化管理创建全国卫生乡村振兴新闻联播经济发展"


def _q(text: str, path: str = "/api/search", extra: str = "") -> str:
    return f"{path}?q={quote(text, safe='')}{extra}"


def _queries() -> list[str]:
    """Query strings that stress the parser and the engine (each for the page and the API)."""
    many_words = " ".join(WORDS[i % len(WORDS)] for i in range(100))  # 100 terms, 199 chars
    return [
        "长" * 10_000,
        "a" * 10_000,
        " ".join(["文明"] * 3000),  # thousands of terms
        many_words,
        " OR ".join(WORDS[i % len(WORDS)] for i in range(50)),
        " ".join("-" + WORDS[i % len(WORDS)] for i in range(66)),
        " ".join(f'"{WORDS[i % len(WORDS)]}' for i in range(66)),  # unbalanced quotes
        "title:" + " title:".join(WORDS[:30]),
        "的 " * 99,
        "文" * 200,
        "*",
        "?",
        "**",
        "*:*",
        "文*",
        "*文*",
        "文明?",
        "%",
        "_",
        ".*",
        "[a-z]+",
        "OR",
        "OR OR OR",
        "AND",
        "NOT",
        "-",
        "--",
        "- -",
        ":",
        "::",
        "title:",
        "-title:",
        "text:",
        "foo:bar",
        '"',
        '""',
        '"""',
        "“",
        "”",
        'title:"',
        '-""',
        '"文明',
        '文明"',
        "(((",
        ")",
        "(文明",
        "文明)",
        "((文明 OR 城市)",
        "{}",
        "[]",
        "\x00",
        "文明\x00城市",
        "\x1f",
        "\x1b[31m文明",
        "文明\r\n城市",
        "\u202e文明",
        "\ufeff文明",
        "\u200b",
        "文明\u0301",
        "\U0001f600",
        "ＯＲ",
        "ｔｉｔｌｅ：文明",
        "<script>alert(1)</script>",
        "javascript:alert(1)",
        "' OR 1=1 --",
        "%s%s%n",
        "../../../../etc/passwd",
        "${jndi:ldap://x}",
        "{{7*7}}",
    ]


def _raw() -> list[str]:
    """Requests with parameters no form produces: invalid UTF-8, odd numbers, unknown names."""
    raw = [
        "/?q=%FF",
        "/api/search?q=%FF%FE",
        "/api/search?q=%C3%28",
        "/?q=%E6%96",
        "/api/search?q=%ED%A0%80",
        "/api/search?q=%C0%AF",
        "/?q=%00",
        "/api/search?q=%",
        "/api/search?q=%%%",
        "/api/search?q=%zz",
        "/?q=文明&region=%FF",
        "/?q=文明&source=%FE",
        "/api/search?q=文明&page=-1",
        "/api/search?q=文明&page=0",
        "/api/search?q=文明&page=1001",
        "/api/search?q=文明&page=99999999999999999999999999",
        "/?q=文明&page=1e3",
        "/?q=文明&page=0x10",
        "/?q=文明&page=%20",
        "/api/search?q=文明&page=٣",
        "/api/search?q=文明&page=" + "9" * 5000,
        "/api/search?q=文明&limit=-1",
        "/api/search?q=文明&limit=10000",
        "/api/search?q=文明&limit=1.5",
        "/?q=文明&foo=bar",
        "/api/search?q=文明&q=城市",
        "/api/search?q=文明&page=2&page=3",
        "/?q=文明&callback=alert",
        "/api/search?q=文明&__proto__=1",
        "/?q[]=x",
        "/?q",
        "/api/search?q=文明&sort=../../etc",
        "/api/search?q=文明&sort=" + "x" * 10_000,
        "/api/search?q=文明&since=9999-99-99",
        "/api/search?q=文明&since=0000-01-01",
        "/api/search?q=文明&until=-1",
        "/api/search?q=文明&since=2024-02-30",
        "/api/search?q=文明&since=2030-01-01&until=2000-01-01",
        "/?q=文明&region=../../etc",
        "/api/search?q=文明&region=" + "区" * 10_000,
        "/api/search?q=文明&" + "x=1&" * 2000,
        "/?" + "&".join(f"p{i}=v" for i in range(1000)) + "&q=文明",
    ]
    return raw


def hostile_requests() -> list[str]:
    out = _raw()
    for text in _queries():
        out.append(_q(text))
        out.append(_q(text, "/"))
    return out


#: Paths that try to leave the static folder or name files by path. None may answer with
#: anything but a 4xx, and none may show a file from outside the app's own folders.
TRAVERSALS = [
    "/static/../app.py", "/static/%2e%2e/app.py", "/static/%2E%2E%2Fapp.py",
    "/static/..%2fapp.py", "/static/..%2f..%2fsearcher%2fcli.py", "/static/..\\app.py",
    "/static/..%5capp.py", "/static/%252e%252e%252fapp.py", "/static/....//app.py",
    "/static//etc/passwd", "/static/%2fetc%2fpasswd", "/static/../../../../../../etc/passwd",
    "/static/%2e%2e/%2e%2e/%2e%2e/%2e%2e/etc/passwd", "/static/..%c0%afapp.py",
    "/static/app.js%00.png", "/static/templates/base.html", "/static/../templates/base.html",
    "/article/../../../../etc/passwd", "/article/..%2f..%2f..%2fetc%2fpasswd",
    "/article/%2e%2e%2f%2e%2e%2fetc%2fpasswd", "/article/....%2f%2f....%2f%2fetc%2fpasswd",
    "/article/..", "/article/%2e%2e", "/article/.%2e", "/article/%00", "/article/%FF",
    "/article/CURRENT", "/article/articles.db", "/article/gen-000001",
    "/api/article/..%2f..%2fCURRENT", "/api/article/%2e%2e%2farticles.db",
    "/api/article/" + "a" * 5000, "/../../../../etc/passwd", "/%2e%2e/%2e%2e/etc/passwd",
    "//etc/passwd", "/index/CURRENT", "/gen-000001/articles.db", "/.git/config",
    "/web/app.py", "/opensearch.xml/../app.py", "/static", "/static/",
]  # fmt: skip
