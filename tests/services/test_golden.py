"""The public golden histories: our summary must equal the independent implementation's."""
from __future__ import annotations

import json
import math

import pytest

from tests.conftest import GOLDEN_JSON


@pytest.fixture
def db_url(any_db_url):
    """Every test here runs on SQLite and on PostgreSQL."""
    return any_db_url


EXPECTED = json.loads(GOLDEN_JSON.read_text(encoding="utf-8"))


def assert_matches(actual, expected, path="$"):
    """Every expected key present and equal; numbers to 1e-6; extra keys allowed."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_matches(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected)):
            assert_matches(a, e, f"{path}[{i}]")
    elif isinstance(expected, float) and not isinstance(expected, bool):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), path
        assert math.isclose(actual, expected, rel_tol=0, abs_tol=1e-6), \
            f"{path}: {actual} != {expected}"
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"


def by_site_and_episode(summary):
    return {(u["site"], u["episode"]): u for u in summary["ulcers"]}


@pytest.mark.parametrize("mrn", sorted(EXPECTED))
def test_summary_matches_golden(golden_db, mrn):
    from app.services.summary import patient_summary

    with golden_db.read() as session:
        actual = patient_summary(session, mrn)
    expected = EXPECTED[mrn]
    ulcers_actual, ulcers_expected = by_site_and_episode(actual), by_site_and_episode(expected)
    assert set(ulcers_actual) == set(ulcers_expected)
    for key, ulcer in ulcers_expected.items():
        assert_matches(ulcers_actual[key], ulcer, f"{mrn}{key}")
    assert_matches({k: v for k, v in actual.items() if k != "ulcers"},
                   {k: v for k, v in expected.items() if k != "ulcers"}, mrn)
    # Episodes in baseline order.
    baselines = [u["baseline_date"] for u in actual["ulcers"]]
    assert baselines == sorted(baselines)


def test_rectangle_method_is_reported_and_keeps_par(golden_db):
    from app.services.actor import Actor
    from app.services.settings import update_setting
    from app.services.summary import patient_summary

    with golden_db.write() as session:
        update_setting(session, "area_method", "rectangle", actor=Actor("admin", "admin"))
    with golden_db.read() as session:
        summary = patient_summary(session, "H-01000")
    assert summary["area_method"] == "rectangle"
    first = summary["ulcers"][0]
    assert first["baseline_area_cm2"] == pytest.approx(3.6 * 1.7)
    assert first["par_week4_percent"] == pytest.approx(
        EXPECTED["H-01000"]["ulcers"][0]["par_week4_percent"])
