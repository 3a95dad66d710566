"""Shared fixtures: the seed dumps and an index of them built once per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from searcher.engine import Engine, bundled_seeds

SEEDS = bundled_seeds()


@pytest.fixture(scope="session")
def seeds() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An index of the five seed dumps (read-only for tests: copy it to write)."""
    folder = tmp_path_factory.mktemp("seed-index")
    Engine(folder).index([SEEDS])
    return folder


@pytest.fixture(scope="session")
def engine(seed_index: Path) -> Engine:
    return Engine(seed_index)
