"""searcher: full-text search for Chinese local government news.

The data flows through one module per stage::

    sources (read, decode) -> clean (classify lines) -> articles (split, metadata)
        -> dedup (clusters) -> index (schema, writer, generations) -> query (parse, rank)

``engine.Engine`` ties the stages together for the CLI (``cli.py``) and the web UI (``web/``).
"""

__version__ = "0.1.0"
