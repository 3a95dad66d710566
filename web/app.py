"""Flask app factory: server-rendered pages and their JSON twins from the same functions."""

from __future__ import annotations

from typing import Any

from flask import Flask, abort, jsonify, render_template, request, url_for
from werkzeug.exceptions import HTTPException

from searcher.engine import MAX_LIMIT, Engine, SearchResult
from searcher.errors import SearcherError
from searcher.query import MAX_QUERY_CHARS

MAX_PAGE = 1000
WEB_MAX_LIMIT = 100
EXAMPLES = ("文明城市", '"创建全国文明城市"', "脱贫攻坚 川汇区", "网格化管理", "创文 -创卫")


class BadRequest(Exception):
    """User input the page or API refuses with a 400 and this message."""


def _int_arg(name: str, default: int, low: int, high: int) -> int:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number") from None
    if not low <= value <= high:
        raise BadRequest(f"{name} must be between {low} and {high}")
    return value


def _search_args() -> dict[str, Any]:
    query = request.args.get("q", "").strip()
    if len(query) > MAX_QUERY_CHARS:
        raise BadRequest(f"query too long: at most {MAX_QUERY_CHARS} characters")
    sort = request.args.get("sort", "relevance")
    if sort not in ("relevance", "date"):
        raise BadRequest("sort must be 'relevance' or 'date'")
    return {
        "query": query,
        "page": _int_arg("page", 1, 1, MAX_PAGE),
        "limit": _int_arg("limit", 10, 1, min(WEB_MAX_LIMIT, MAX_LIMIT)),
        "sort": sort,
        "since": request.args.get("since") or None,
        "until": request.args.get("until") or None,
        "region": request.args.get("region") or None,
        "source": request.args.get("source") or None,
    }


def create_app(engine: Engine | None = None) -> Flask:
    """The web app over ``engine`` (default: the index in $SEARCHER_INDEX or ./index)."""
    app = Flask(__name__)
    app.config["ENGINE"] = engine or Engine()
    app.config["JSON_AS_ASCII"] = False
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600

    def get_engine() -> Engine:
        return app.config["ENGINE"]

    def run_search(args: dict[str, Any]) -> SearchResult:
        try:
            return get_engine().search(**args)
        except SearcherError as error:
            raise BadRequest(str(error)) from None

    @app.errorhandler(BadRequest)
    def bad_request(error: BadRequest) -> Any:
        if request.path.startswith("/api/"):
            return jsonify({"error": str(error)}), 400
        return render_template("error.html", message=str(error), status=400), 400

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        message = error.description or error.name
        if request.path.startswith("/api/"):
            return jsonify({"error": message}), error.code
        return render_template("error.html", message=message, status=error.code), error.code

    @app.after_request
    def security_headers(response: Any) -> Any:
        response.headers["Content-Security-Policy"] = (
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
        )
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["Referrer-Policy"] = "same-origin"
        return response

    @app.get("/")
    def search_page() -> Any:
        args = _search_args()
        result = run_search(args) if args["query"] else None
        stats = None if result else _stats_or_none(get_engine())
        return render_template(
            "search.html", args=args, result=result, stats=stats, examples=EXAMPLES,
            page_url=lambda page: url_for("search_page", **_with(args, page=page)),
        )  # fmt: skip

    @app.get("/api/search")
    def api_search() -> Any:
        args = _search_args()
        if not args["query"]:
            raise BadRequest("missing q: the query")
        result = run_search(args)
        return jsonify(result.to_dict())

    @app.get("/article/<article_id>")
    def article_page(article_id: str) -> Any:
        article = _article_or_404(get_engine(), article_id)
        return render_template("article.html", article=article, q=request.args.get("q", ""))

    @app.get("/api/article/<article_id>")
    def api_article(article_id: str) -> Any:
        return jsonify(_article_or_404(get_engine(), article_id).to_dict())

    @app.get("/api/stats")
    def api_stats() -> Any:
        return jsonify(get_engine().stats())

    return app


def _with(args: dict[str, Any], **changes: Any) -> dict[str, Any]:
    merged = {"q": args["query"], **{k: v for k, v in args.items() if k != "query"}, **changes}
    defaults = {"page": 1, "limit": 10, "sort": "relevance"}
    return {k: v for k, v in merged.items() if v not in (None, "") and defaults.get(k) != v}


def _article_or_404(engine: Engine, article_id: str) -> Any:
    if not article_id.isalnum() or len(article_id) > 64:
        abort(404, description="no such article")
    try:
        return engine.article(article_id)
    except SearcherError:
        abort(404, description=f"no article with id {article_id}")


def _stats_or_none(engine: Engine) -> dict[str, Any] | None:
    try:
        return engine.stats()
    except SearcherError:
        return None
