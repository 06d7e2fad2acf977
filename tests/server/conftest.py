"""Server tests: two real processes against the throwaway PostgreSQL cluster (or SQLite)."""
from __future__ import annotations

import multiprocessing

import pytest


@pytest.fixture(scope="session")
def spawn():
    """A multiprocessing context whose children start clean (no inherited connections)."""
    return multiprocessing.get_context("spawn")


@pytest.fixture(scope="session")
def pool(spawn):
    """Two worker processes shared by the tests (each starts once, imports once)."""
    with spawn.Pool(2) as workers:
        yield workers


@pytest.fixture(scope="session")
def manager(spawn):
    with spawn.Manager() as shared:
        yield shared


def golden_halves() -> tuple[str, str]:
    """The golden visit sheet split into two sheets of different patients."""
    from tests.conftest import GOLDEN_CSV

    lines = GOLDEN_CSV.read_text(encoding="utf-8").splitlines(keepends=True)
    header, rows = lines[0], lines[1:]
    mrns = sorted({row.split(",", 1)[0] for row in rows})
    first = set(mrns[: len(mrns) // 2])
    return (header + "".join(r for r in rows if r.split(",", 1)[0] in first),
            header + "".join(r for r in rows if r.split(",", 1)[0] not in first))
