"""Flask app factory: server-rendered pages and their JSON twins from the same functions."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

from flask import Flask, Response, abort, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from searcher.articles import Article
from searcher.engine import Engine, Hit, SearchResult
from searcher.errors import SearcherError
from searcher.query import MAX_QUERY_CHARS, Snippet, find_spans, mark

from . import timeline
from .filters import MAX_PAGE, BadRequest, SearchArgs, year_range

EXAMPLES = ("文明城市", '"创建全国文明城市"', "脱贫攻坚 川汇区", "网格化管理", "创文 -创卫")
#: Facet values listed before "more" folds the rest away.
FACET_SHOWN = 10
#: Static files are linked with ``?v=<hash of the file>``, so they can be cached for a year.
STATIC_MAX_AGE = 365 * 24 * 3600
PLAIN_STATIC_MAX_AGE = 3600
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)


def create_app(engine: Engine | None = None) -> Flask:
    """The web app over ``engine`` (default: the index in $SEARCHER_INDEX or ./index)."""
    app = Flask(__name__)
    app.config["ENGINE"] = engine or Engine()
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = PLAIN_STATIC_MAX_AGE
    versions = _static_versions(Path(app.static_folder or "static"))

    def get_engine() -> Engine:
        return app.config["ENGINE"]

    @app.template_global()
    def static_url(filename: str) -> str:
        return url_for("static", filename=filename, v=versions.get(filename))

    app.jinja_env.globals.update(year_range=year_range, facet_shown=FACET_SHOWN)

    def search(args: SearchArgs) -> SearchResult:
        """The one search behind the page and the API (facets and timeline included)."""
        try:
            return get_engine().search(**args.engine_kwargs(), facets=True)
        except SearcherError as error:
            raise BadRequest(str(error)) from None

    def article_data(article_id: str) -> tuple[Article, list[Hit]]:
        engine = get_engine()
        if not article_id.isalnum() or len(article_id) > 64:
            abort(404, description="no such article")
        try:
            return engine.article(article_id), engine.similar(article_id)
        except SearcherError:
            abort(404, description=f"no article with id {article_id}")

    @app.before_request
    def utf8_only() -> None:
        # Werkzeug keeps undecodable bytes as literal "%FF" text; searching that would
        # answer a question nobody asked.
        try:
            unquote_to_bytes(request.query_string).decode("utf-8")
        except UnicodeDecodeError:
            raise BadRequest("the address is not valid UTF-8: type the query again") from None

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> Any:
        if request.path.startswith("/api/"):
            return jsonify({"error": str(error)}), 400
        # Keep what the user typed in the box (cut to the limit) so they can fix it.
        typed = SearchArgs(q=request.args.get("q", "").strip()[:MAX_QUERY_CHARS])
        return render_template("error.html", message=str(error), status=400, args=typed), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        message = error.description or error.name
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), error.code
        return render_template("error.html", message=message, status=error.code), error.code

    @app.after_request
    def headers(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        static = request.path.removeprefix("/static/")
        if (
            response.status_code == 200
            and static in versions
            and request.args.get("v") == (versions[static])
        ):
            response.cache_control.max_age = STATIC_MAX_AGE
            response.cache_control.immutable = True
        return response

    @app.get("/")
    def search_page() -> Any:
        args = SearchArgs.from_params(request.args)
        if not args.q:
            stats = _stats_or_none(get_engine())
            return render_template("search.html", args=args, stats=stats, examples=EXAMPLES)
        result = search(args)
        assert result.facets is not None
        return render_template(
            "search.html",
            args=args,
            result=result,
            facets=result.facets,
            chart=timeline.build(result.facets.timeline, args),
            suggestions=_suggestions(args) if not result.total else [],
            pages=_page_numbers(result.page, min(result.pages, MAX_PAGE)),
        )

    @app.get("/api/search")
    def api_search() -> Any:
        args = SearchArgs.from_params(request.args)
        if not args.q:
            raise BadRequest("missing q: the query")
        return jsonify(search(args).to_dict())

    @app.get("/article/<article_id>")
    def article_page(article_id: str) -> Any:
        article, similar = article_data(article_id)
        q = request.args.get("q", "").strip()
        strings = _highlight_strings(get_engine(), q)
        return render_template(
            "article.html",
            args=SearchArgs(q=q[:MAX_QUERY_CHARS]),
            article=article,
            similar=similar,
            q=q if strings else "",
            marked_title=Snippet(mark(article.title, find_spans(article.title, strings))),
            paragraphs=[Snippet(mark(p, find_spans(p, strings))) for p in article.paragraphs],
        )

    @app.get("/api/article/<article_id>")
    def api_article(article_id: str) -> Any:
        article, similar = article_data(article_id)
        return jsonify({**article.to_dict(), "similar": [hit.to_dict() for hit in similar]})

    @app.get("/api/stats")
    def api_stats() -> Any:
        try:
            return jsonify(get_engine().stats())
        except SearcherError as error:
            return jsonify({"error": str(error)}), 404

    @app.get("/opensearch.xml")
    def opensearch() -> Any:
        body = render_template("opensearch.xml", root=request.url_root.rstrip("/"))
        return Response(body, mimetype="application/opensearchdescription+xml")

    return app


def _static_versions(folder: Path) -> dict[str, str]:
    """A short content hash of each static file, for cache-busting links."""
    return {
        path.relative_to(folder).as_posix(): hashlib.blake2b(
            path.read_bytes(), digest_size=6
        ).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def _highlight_strings(engine: Engine, q: str) -> list[str]:
    """What to mark in an article opened from a search for ``q`` (nothing for a bad q)."""
    if not q:
        return []
    try:
        return engine.highlights(q)
    except SearcherError:
        return []


def _page_numbers(page: int, last: int) -> list[int | None]:
    """Page links around ``page``: first, last and two either side; None is a gap."""
    shown = sorted({1, last, *range(max(1, page - 2), min(last, page + 2) + 1)})
    out: list[int | None] = []
    for number in shown:
        if out and number - (out[-1] or 0) > 1:
            out.append(None)
        out.append(number)
    return out


def _suggestions(args: SearchArgs) -> list[tuple[str, str]]:
    """Ways out of an empty result: drop a filter, the quotes, or all but one word."""
    out: list[tuple[str, str]] = []
    if args.filtered:
        out.append(("去掉所有筛选条件", args.url(region=None, source=None, since=None, until=None)))
    unquoted = args.q.replace('"', " ").replace("“", " ").replace("”", " ").split()
    if any(quote in args.q for quote in '"“”'):
        out.append((f"不加引号搜索 {' '.join(unquoted)}", args.url(q=" ".join(unquoted))))
    words = [w for w in unquoted if w.upper() != "OR" and not w.startswith("-")]
    if len(words) > 1:
        out += [(f"只搜 {word}", args.url(q=word)) for word in words[:4]]
    return out


def _stats_or_none(engine: Engine) -> dict[str, Any] | None:
    try:
        return engine.stats()
    except SearcherError:
        return None
