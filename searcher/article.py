"""The article: what every stage after cleaning passes along, and what searches show.

Its own module so that what only reads articles (the store, the engine's searches, the web
front end) does not load the cleaner's and metadata extractor's rules to name it.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Article:
    """One article as indexed and shown."""

    id: str
    title: str
    text: str
    path: str
    date: str | None = None
    region: str | None = None
    source: str | None = None
    reporter: str | None = None
    url: str | None = None
    page: int = 0
    duplicates: list[dict[str, str | None]] = field(default_factory=list)
    cluster: str | None = None

    @property
    def paragraphs(self) -> list[str]:
        return [p for p in self.text.split("\n") if p.strip()]

    def to_dict(self) -> dict[str, object]:
        return {
            "id": self.id,
            "title": self.title,
            "date": self.date,
            "region": self.region,
            "source": self.source,
            "reporter": self.reporter,
            "path": self.path,
            "url": self.url,
            "text": self.text,
            "duplicates": self.duplicates,
        }
