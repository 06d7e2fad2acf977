"""The visit form's state as plain values: what drafts keep and saving checks (no Qt)."""
from __future__ import annotations

import ast
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from app.ui.visit.state import UlcerEntry, VisitFormState


def a_state(**ulcer_values) -> VisitFormState:
    heel = {"length_cm": "", "width_cm": "", "traced_area_cm2": "", "closed": False,
            "method": "ruler"}
    return VisitFormState(
        patient_id=7, visit_id=None, base_version=None,
        visit={"visit_date": "2026-11-27", "vas": ""},
        ulcers=(UlcerEntry("L-heel", values=heel | ulcer_values),
                UlcerEntry("R-hallux", values=dict(heel)),
                UlcerEntry("", is_new=True, is_open=False, values={"ulcer_site": "",
                                                                    "length_cm": ""})),
        groups={"lab:crp_mg_l": "", "lab:crp_mg_l:unit": "mg/L"}, ui={"new_ulcer": False})


def test_the_state_module_imports_no_qt():
    source = Path("app/ui/visit/state.py").read_text(encoding="utf-8")
    modules = {getattr(node, "module", None) or alias.name
               for node in ast.walk(ast.parse(source))
               if isinstance(node, (ast.Import, ast.ImportFrom)) for alias in node.names}
    assert not any(m and m.startswith(("PySide6", "pyqtgraph")) for m in modules)


def test_draft_keys_are_stable_and_round_trip():
    state = a_state(length_cm="3,2")
    fields = state.fields()
    assert fields["ulcer:L-heel:length_cm"] == "3,2"
    assert fields["visit:visit_date"] == "2026-11-27"
    assert fields["lab:crp_mg_l:unit"] == "mg/L" and fields["new:ulcer_site"] == ""
    assert fields["ui:new_ulcer"] is False
    assert a_state().with_fields(fields) == state


def test_a_draft_of_an_ulcer_no_longer_open_is_left_out():
    fields = a_state().fields() | {"ulcer:L-toe:length_cm": "2"}
    restored = a_state().with_fields(fields)
    assert restored.ulcer("L-toe") is None and "ulcer:L-toe:length_cm" not in restored.fields()


def test_how_the_form_looks_is_not_a_change():
    state = a_state()
    opened = VisitFormState(**{**vars(state), "ui": {"new_ulcer": True}})
    assert not opened.differs_from(state)
    assert a_state(width_cm="2").differs_from(state)


def test_unmeasured_open_ulcers():
    assert a_state().unmeasured_sites() == ["L-heel", "R-hallux"]
    assert a_state(length_cm="3", width_cm="2").unmeasured_sites() == ["R-hallux"]
    assert a_state(closed=True).unmeasured_sites() == ["R-hallux"]      # closed today: measured
    assert a_state(traced_area_cm2="4").unmeasured_sites() == ["R-hallux"]
    assert a_state(length_cm="  ").unmeasured_sites() == ["L-heel", "R-hallux"]


@given(st.dictionaries(st.sampled_from(["length_cm", "width_cm", "traced_area_cm2"]),
                       st.text(max_size=6)))
def test_restoring_its_own_draft_gives_the_same_state(values):
    state = a_state(**values)
    assert a_state().with_fields(state.fields()) == state
    assert not a_state().with_fields(state.fields()).differs_from(state)


def test_reading_a_state_into_the_visit_it_records():
    import datetime as dt

    from app.ui.visit.reading import NEW_ULCER_SITE, read_visit

    opened = a_state()
    typed = VisitFormState(**{
        **vars(opened),
        "visit": {"visit_date": "2026-11-27", "vas": "4,5", "next_visit_date": "+2w"},
        "ulcers": (UlcerEntry("L-heel", values={**opened.ulcers[0].values,
                                                "length_cm": "3,2", "width_cm": "2"}),
                   opened.ulcers[1],
                   UlcerEntry("", is_new=True, is_open=False,
                              values={"ulcer_site": " R-toe ", "length_cm": "1"})),
        "groups": {"lab:crp_mg_l": "1,2", "lab:crp_mg_l:unit": "mg/dL",
                   "treatment:debridement": True, "treatment:site": NEW_ULCER_SITE}})
    data, reading = read_visit(typed, initial=opened, today=dt.date(2026, 11, 27))
    assert reading.problems == []
    assert (data.vas, data.next_visit_date) == (4.5, dt.date(2026, 12, 11))
    assert [(a.site, a.length_cm, a.width_cm) for a in data.assessments] == [
        ("L-heel", 3.2, 2.0), ("R-toe", 1.0, None)]       # R-hallux untouched: not assessed
    assert [e.key for e in reading.assessed] == ["ulcer:L-heel", "new"]
    assert (data.labs[0].analyte, data.labs[0].value, data.labs[0].unit) == ("crp_mg_l", 1.2,
                                                                             "mg/dL")
    assert data.treatments[0].site == "R-toe" and data.treatments[0].debridement


def test_reading_names_each_unreadable_field_by_its_key():
    import datetime as dt

    from app.ui.visit.reading import read_visit

    opened = a_state()
    typed = VisitFormState(**{
        **vars(opened), "visit": {"visit_date": "2026-02-30", "vas": "1.234,5"},
        "ulcers": (UlcerEntry("L-heel", values={**opened.ulcers[0].values, "width_cm": "two"}),
                   *opened.ulcers[1:])})
    data, reading = read_visit(typed, initial=opened, today=dt.date(2026, 11, 27))
    assert dict(reading.problems) == {
        "visit:visit_date": "not a real date (February 2026 has 28 days)",
        "visit:vas": "use either a decimal comma or a decimal point, not both",
        "ulcer:L-heel:width_cm": "not a number"}
    assert data.assessments[0].width_cm is None


def a_new_ulcer(number: int, site: str, **values) -> UlcerEntry:
    return UlcerEntry(site, is_new=True, is_open=False, new_number=number,
                      values={"ulcer_site": site, "length_cm": "", **values})


def test_further_new_ulcers_have_their_own_draft_keys_and_come_back():
    opened = a_state()
    typed = VisitFormState(**{**vars(opened), "ulcers": (
        *opened.ulcers[:2], a_new_ulcer(1, "R-heel", length_cm="2"),
        a_new_ulcer(2, "L-dorsum", length_cm="1"), a_new_ulcer(3, "L-MTH5", length_cm="3"))})
    fields = typed.fields()
    assert (fields["new:ulcer_site"], fields["new2:ulcer_site"], fields["new3:length_cm"]) == (
        "R-heel", "L-dorsum", "3")
    restored = opened.with_fields(fields)                 # the form opens with one new ulcer
    assert [(e.key, e.values.get("ulcer_site")) for e in restored.ulcers if e.is_new] == [
        ("new", "R-heel"), ("new2", "L-dorsum"), ("new3", "L-MTH5")]
    assert not restored.differs_from(typed)


def test_two_new_ulcers_are_read_and_the_treatment_names_the_second():
    import datetime as dt

    from app.ui.visit.reading import new_ulcer_site_value, read_visit

    opened = a_state()
    typed = VisitFormState(**{
        **vars(opened), "ulcers": (*opened.ulcers[:2],
                                   a_new_ulcer(1, "R-heel", length_cm="2", width_cm="1"),
                                   a_new_ulcer(2, "L-hallux", length_cm="1", width_cm="1")),
        "groups": {"treatment:debridement": True,
                   "treatment:site": new_ulcer_site_value(2)}})
    data, reading = read_visit(typed, initial=opened, today=dt.date(2026, 11, 27))
    assert reading.problems == []
    assert [a.site for a in data.assessments] == ["R-heel", "L-hallux"]
    assert [e.key for e in reading.assessed] == ["new", "new2"]
    assert data.treatments[0].site == "L-hallux"


def test_a_site_typed_twice_is_refused_at_the_later_site_and_not_read():
    import datetime as dt

    from app.ui.visit.reading import read_visit, repeated_sites

    opened = a_state()
    typed = VisitFormState(**{**vars(opened), "ulcers": (
        *opened.ulcers[:2], a_new_ulcer(1, "R-heel", length_cm="2"),
        a_new_ulcer(2, " r-heel ", length_cm="1"), a_new_ulcer(3, "l-HEEL", length_cm="1"))})
    assert repeated_sites(typed.ulcers) == {
        "new2": "R-heel is already added above: one section per site",
        "new3": "L-heel already has its own section above: measure it there"}
    data, reading = read_visit(typed, initial=opened, today=dt.date(2026, 11, 27))
    assert dict(reading.problems) == {
        "new2:ulcer_site": "R-heel is already added above: one section per site",
        "new3:ulcer_site": "L-heel already has its own section above: measure it there"}
    assert [a.site for a in data.assessments] == ["R-heel"]


@given(st.lists(st.sampled_from(["", "L-heel", "l-heel ", "R-heel", "R-HEEL", "L-toe"]),
                max_size=6))
def test_each_site_has_one_section_however_the_new_ones_are_typed(typed_sites):
    from app.ui.visit.reading import repeated_sites

    opened = a_state()  # open: L-heel and R-hallux
    ulcers = (*opened.ulcers[:2],
              *(a_new_ulcer(n, site) for n, site in enumerate(typed_sites, start=1)))
    repeated = repeated_sites(ulcers)
    kept = [e.values["ulcer_site"].strip().casefold() for e in ulcers[2:]
            if e.key not in repeated and e.values["ulcer_site"].strip()]
    open_sites = {"l-heel", "r-hallux"}
    assert len(kept) == len(set(kept)) and not (set(kept) & open_sites)
    # only a repeat is refused: every site typed is kept once unless an open ulcer has it
    typed = {s.strip().casefold() for s in typed_sites if s.strip()}
    assert set(kept) == typed - open_sites
