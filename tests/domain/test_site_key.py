"""The site key (app.domain.limits.site_key): the one rule by which the visit form and the
visit service decide two ulcer sites are the same (docs/product.md); a visit sheet compares
them exactly as written (`key=str`)."""
from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from app.domain.limits import site_clashes, site_key

LABEL = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=30)
SHORTHAND = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                                    "0123456789-_"), min_size=1, max_size=20)
SPACES = st.text(st.sampled_from(" \t\u00a0\u3000"), max_size=3)


@given(LABEL)
def test_the_key_is_idempotent(label):
    assert site_key(site_key(label)) == site_key(label)


@given(SHORTHAND, st.lists(st.booleans(), max_size=20), SPACES, SPACES)
def test_letter_case_and_outer_spacing_do_not_matter(label, upper, before, after):
    recased = "".join(c.upper() if i < len(upper) and upper[i] else c.lower()
                      for i, c in enumerate(label))
    assert site_key(f"{before}{recased}{after}") == site_key(label)


@given(SHORTHAND, SHORTHAND, SPACES.filter(bool))
def test_a_run_of_spaces_inside_counts_as_one(left, right, spaces):
    assert site_key(f"{left}{spaces}{right}") == site_key(f"{left} {right}")


@given(SHORTHAND, st.data())
def test_labels_differing_in_a_letter_or_digit_stay_distinct(label, data):
    index = data.draw(st.integers(0, len(label) - 1))
    other = data.draw(st.sampled_from("abcdefghijklmnopqrstuvwxyz0123456789-_").filter(
        lambda c: c != label[index].lower()))
    changed = label[:index] + other + label[index + 1:]
    assert site_key(changed) != site_key(label)


def test_known_pairs():
    assert site_key("R-heel") == site_key("r-heel") == site_key("  R-HEEL ")
    assert site_key("R-heel") != site_key("L-heel")
    assert site_key("R heel") != site_key("R-heel")  # a hyphen is not a space
    assert site_key("ｒ-ｈｅｅｌ") == site_key("r-heel")  # full-width, as some keyboards type


@given(st.lists(SHORTHAND, max_size=6), st.lists(SHORTHAND, max_size=4))
def test_after_the_clashes_every_kept_new_site_has_its_own_key(sites, stored):
    clashes = site_clashes(sites, stored)
    kept = [s for i, s in enumerate(sites) if i not in clashes]
    assert len({site_key(s) for s in kept}) == len(kept)
    stored_keys = {site_key(s): s for s in stored}
    for site in kept:  # a kept site is a stored ulcer exactly, or a site of its own
        assert site in stored or site_key(site) not in stored_keys


def test_two_stored_spellings_from_before_the_rule_may_be_assessed_together():
    assert site_clashes(["R-heel", "r-heel"], ["R-heel", "r-heel"]) == {}
    assert site_clashes(["R-heel", "r-heel"], ["R-heel"]) == {
        1: "the site R-heel is already assessed in this visit and r-heel is the same site: one "
           "ulcer per site, whatever the letter case or spacing"}


@given(st.lists(SHORTHAND, max_size=8), st.lists(SHORTHAND, max_size=4))
def test_sites_as_written_clash_only_on_an_exact_repeat(sites, stored):
    clashes = site_clashes(sites, stored, key=str)
    assert set(clashes) == {i for i, site in enumerate(sites) if site in sites[:i]}
    assert all("assessed twice" in reason for reason in clashes.values())
