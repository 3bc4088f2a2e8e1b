"""Every medicine and vaccine of the independent table has the class the domain reference gives it.

The table (tests/data/safety_facts.yml `drug_classes`, `vaccine_kinds`) was written from DR §5 and §6,
never from lexicon/. A lexicon entry in the wrong class turns a plausible answer into "may be a fit"
(test audit 2, M8: guselkumab marked an everyday medicine), so each phrasing of each item is read
here and its class compared.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.reading.lexicon import lexicon
from bot.reading.terms import find_terms
from bot.trial.model import load_trial
from tests.safety import FACTS

TRIAL = load_trial()
# The lexicon classes each DR class may be written as. A class the trial sends to the team (its
# `route_classes`) stands for any exclusionary class: the team decides.
ALLOWED = {
    "b_cell_depleter": {"b_cell_depleter"},
    "immunosuppressant": {"immunosuppressant"},
    "biologic": {"biologic"},
    "jak_inhibitor": {"jak_inhibitor"},
    "targeted_other": {"targeted_other"},
}
ROUTE_CLASSES = {k for c in TRIAL.criteria for k in c.rule.get("route_classes", [])}
# Medicines the trial sends to the team by name (a medicine for hepatitis B, HIV or TB).
ROUTE_IDS = {k for c in TRIAL.criteria for k in c.rule.get("infection_medicines", [])}


def _phrasings() -> list[tuple[str, str, str, dict[str, Any]]]:
    """(item id, phrasing, language, the table's class entry) for every item with phrasings."""
    out = []
    for item_id, entry in FACTS["drug_classes"].items():
        section = FACTS["sections"].get(str(entry.get("section")))
        if not section:
            continue
        for item in section["items"]:
            if item["id"] == item_id:
                out += [(item_id, p, lang, entry) for lang in ("en", "zh") for p in item.get(lang, [])]
    return out


def _class_of(phrase: str, entry: dict[str, Any]) -> str:
    classes = {k.lower(): v for k, v in (entry.get("phrase_class") or {}).items()}
    return str(classes.get(phrase.lower(), entry["class"]))


@pytest.mark.parametrize(
    ("item", "phrase", "lang", "entry"), _phrasings(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_medicine_has_the_class_the_domain_reference_gives(
    item: str, phrase: str, lang: str, entry: dict[str, Any]
) -> None:
    found = find_terms(phrase)
    assert found, f"{phrase!r} ({item}) is not read at all"
    dr_class = _class_of(phrase, entry)
    for term in found:
        known = term.entry
        if term.category != "medicine" or not term.verified:
            # A name the DR asks to verify, or another kind of thing at a medicines question, is
            # the study team's to read (bot/scoring.py: unverified, unknown_medicine).
            assert dr_class != "harmless" or term.category == "medicine", (phrase, known.key)
            continue
        routed = known.route or known.kind in ROUTE_CLASSES or known.id in ROUTE_IDS
        exclusionary = bool(lexicon().medicine_classes[known.kind]["exclusionary"])
        if dr_class == "harmless":
            assert not exclusionary and routed == bool(entry.get("route")), (phrase, known.kind, known.route)
            continue
        assert exclusionary, f"{phrase!r}: DR {dr_class}, lexicon {known.kind} (never excludes anyone)"
        if entry.get("route"):
            assert routed, f"{phrase!r}: the DR sends it to the study team, the lexicon does not ({known.kind})"
        else:
            assert known.kind in ALLOWED[dr_class] or routed, f"{phrase!r}: DR {dr_class}, lexicon {known.kind}"


KIND = {"live": {"live"}, "non_live": {"non_live", "not_vaccine"}, "zoster_live": {"zoster_live"},
        "zoster_recombinant": {"zoster_recombinant"}}  # fmt: skip


def _vaccines() -> list[tuple[str, str, str, bool]]:
    out = []
    for name in ("live_vaccines", "harmless_vaccines"):
        for item in FACTS["sections"][name]["items"]:
            kind = FACTS["vaccine_kinds"].get(item["id"])
            if kind:
                out += [(item["id"], p, kind, bool(item.get("route"))) for lang in ("en", "zh") for p in item[lang]]
    return out


@pytest.mark.parametrize(
    ("item", "phrase", "kind", "route"), _vaccines(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_each_vaccine_is_live_or_not_as_the_domain_reference_says(
    item: str, phrase: str, kind: str, route: bool
) -> None:
    found = find_terms(phrase, ("vaccine",))
    assert found and all(t.verified for t in found), f"{phrase!r} ({item}) is not read as a known vaccine"
    allowed = KIND[kind] | ({"type_unknown", "zoster_unknown"} if route else set())
    kinds = {t.entry.kind for t in found}  # "Ebola vaccine (Ervebo)" names it twice, generically then exactly
    assert kinds & allowed and kinds <= allowed | {"type_unknown"}, f"{phrase!r}: DR {kind}, lexicon {kinds}"


def test_the_table_covers_every_excluding_class() -> None:
    """A shrunk table would pass the tests above."""
    classes = {e["class"] for e in FACTS["drug_classes"].values()}
    assert classes >= set(ALLOWED) | {"harmless"}
    assert len(_phrasings()) > 300 and len(_vaccines()) > 60
