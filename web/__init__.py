"""The web front end: a Flask app over the same :class:`searcher.engine.Engine` as the CLI."""

from .app import create_app

__all__ = ["create_app"]
