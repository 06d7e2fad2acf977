"""Pain and lab summaries (docs/metrics.md, "Pain and labs")."""
from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from app.domain.analytes import ReferenceRange
from app.domain.patient_measures import lab_summary, pain_summary

D = dt.date(2026, 1, 1)


def day(n):
    return D + dt.timedelta(days=n)


def test_pain_change_uses_first_and_last_recorded():
    s = pain_summary([(day(7), None), (day(0), 6.1), (day(14), 4.1), (day(21), None)])
    assert s.baseline_vas == 6.1 and s.latest_vas == 4.1
    assert s.clinically_important_reduction is True  # 2.0 points, despite float error


def test_pain_small_change_not_important_and_none_without_vas():
    assert pain_summary([(day(0), 5.0), (day(7), 3.1)]).clinically_important_reduction is False
    assert pain_summary([]).change is None


def test_lab_summary_flags_latest():
    s = lab_summary([(day(14), 6.1), (day(0), 24.0)], ReferenceRange(0, 10))
    assert (s.baseline, s.latest, s.latest_flag) == (24.0, 6.1, "N")
    assert s.change == 6.1 - 24.0
    assert lab_summary([], ReferenceRange(0, 10)) is None
    assert lab_summary([(day(0), 3.0)], ReferenceRange(None, None)).latest_flag is None


@given(st.integers(min_value=0, max_value=100), st.integers(min_value=0, max_value=100))
def test_the_summary_and_the_alert_agree_on_a_2_point_change(first_tenths, second_tenths):
    """One rule (Farrar 2001) for the pain summary's reduction and the rising-pain alert."""
    import datetime as dt

    from app.domain.alerts import _pain_alert
    from app.domain.patient_measures import is_important_vas_change, pain_summary

    first, second = first_tenths / 10, second_tenths / 10
    days = [(dt.date(2026, 1, 1), first), (dt.date(2026, 1, 15), second)]
    tenths_apart = second_tenths - first_tenths
    assert is_important_vas_change(second - first) == (abs(tenths_apart) >= 20)
    assert pain_summary(days).clinically_important_reduction == (tenths_apart <= -20)
    assert bool(_pain_alert(days)) == (tenths_apart >= 20)


@given(st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2100, 1, 1)),
       st.integers(min_value=0, max_value=40_000))
def test_age_is_whole_years_and_changes_on_the_birthday(birth, days_lived):
    from app.domain.patient_measures import age_in_years

    day = birth + dt.timedelta(days=days_lived)
    age = age_in_years(birth, day)
    assert 0 <= age <= days_lived // 365
    try:
        last_birthday = birth.replace(year=birth.year + age)
    except ValueError:  # born on 29 February: the birthday falls on 1 March that year
        last_birthday = dt.date(birth.year + age, 3, 1)
    assert last_birthday <= day < last_birthday.replace(year=last_birthday.year + 1) \
        if (last_birthday.month, last_birthday.day) != (2, 29) else True
    assert age_in_years(None, day) is None
