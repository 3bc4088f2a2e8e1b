"""The trial file: complete, consistent, faithful to the public listing, and the only trial-specific source."""

from __future__ import annotations

import re
import shutil
from datetime import date
from pathlib import Path

import pytest
import yaml

from bot import PROJECT_ROOT
from bot.reading.lexicon import lexicon
from bot.session import messages
from bot.session.screening import Screening
from bot.settings import Settings
from bot.trial.model import TrialFileError, load_trial, trial_file
from bot.yamlfile import load_yaml
from channels import trial_choice

LISTING = PROJECT_ROOT / "docs" / "sources" / "trial-listing.txt"
DATA = Path(__file__).parent / "data"
TRIAL = load_trial()


def _clean(text: str) -> str:
    text = text.replace("\\>", ">").replace("\\<", "<").lstrip("-• ").strip()
    return " ".join(text.split())


def listing_bullets(section: str) -> list[str]:
    """The criterion bullets ("• ...") of the listing's inclusion or exclusion section."""
    text = LISTING.read_text(encoding="utf-8")
    start = text.index(f"- {section} Criteria:")
    end = text.index("- Exclusion Criteria:") if section == "Inclusion" else text.index("About The Affiliated")
    return [_clean(line) for line in text[start:end].splitlines() if line.startswith("- •")]


@pytest.mark.parametrize(("section", "kind", "count"), [("Inclusion", "inclusion", 7), ("Exclusion", "exclusion", 8)])
def test_every_listing_bullet_maps_to_criteria(section: str, kind: str, count: int) -> None:
    bullets = listing_bullets(section)
    assert len(bullets) == count
    criteria = [c for c in TRIAL.criteria if c.kind == kind]
    for bullet in bullets:
        covering = [c for c in criteria if _clean(c.listing) in bullet]
        assert covering, f"no criterion for: {bullet[:80]}"
        rest = bullet
        for c in covering:
            rest = rest.replace(_clean(c.listing), "")
        # What is left of the bullet is only punctuation: the criteria cover all of it.
        assert not re.sub(r"[\s.;,]", "", rest), f"not covered: {rest!r}"
    for c in criteria:
        assert any(_clean(c.listing) in b for b in bullets), f"{c.id} quotes nothing in the listing"


def test_seven_inclusion_and_ten_exclusion_criteria_with_stable_ids() -> None:
    kinds = [c.kind for c in TRIAL.criteria]
    assert kinds.count("inclusion") == 7
    assert kinds.count("exclusion") == 10
    assert all(re.fullmatch(r"(inc|exc)_[a-z0-9_]+", c.id) for c in TRIAL.criteria)


def test_windows_and_margins_match_the_listing_and_the_domain_reference() -> None:
    """Windows from the listing; margins from DR §7.2 rule 4, as the independent table gives them
    (14 days for 24 and 12 weeks, 7 for 4): a smaller margin turns an answer near the edge into a fit."""
    rules = {c.id: (c.rule.get("window_days"), c.rule.get("margin_days")) for c in TRIAL.criteria}
    table = {int(w["days"]): int(w["margin_days"]) for w in load_yaml(DATA / "safety_facts.yml")["windows"].values()}
    weeks = {
        "exc_b_cell_depletion": 24,
        "exc_immunosuppressant_dose": 12,
        "exc_biologic": 4,
        "exc_plasmapheresis": 12,
        "exc_major_surgery": 12,
        "exc_live_vaccine": 12,
    }
    for criterion, n in weeks.items():
        assert rules[criterion] == (n * 7, table[n * 7]), criterion


def test_classes_and_kinds_named_by_the_trial_exist_in_the_lexicon() -> None:
    classes = set(lexicon().medicine_classes)
    for c in TRIAL.criteria:
        for key in ("classes", "route_classes"):
            assert set(c.rule.get(key, [])) <= classes, c.id
        for medicine in c.rule.get("pulse_medicines", []):
            assert f"medicine:{medicine}" in lexicon().entries
    kinds = {e.kind for e in lexicon().of("procedure")}
    plasma = TRIAL.criterion("exc_plasmapheresis").rule
    assert set(plasma["counts"]) | set(plasma["route"]) <= kinds
    cancer_kinds = {e.kind for e in lexicon().of("condition") if e.group == "cancer"}
    malignancy = TRIAL.criterion("exc_malignancy").rule
    assert set(malignancy["exception_kinds"]) | set(malignancy["excluding_kinds"]) <= cancer_kinds


def test_no_medicine_that_must_never_exclude_is_in_an_excluding_class() -> None:
    safe = {k for k, v in lexicon().medicine_classes.items() if not v["exclusionary"]}
    for c in TRIAL.criteria:
        assert not safe & set(c.rule.get("classes", [])), c.id
        assert not safe & set(c.rule.get("route_classes", [])), c.id
    for medicine in ("hydroxychloroquine", "prednisone", "benazepril"):
        assert lexicon().entries[f"medicine:{medicine}"].kind in safe


def test_contacts_come_from_the_registry_and_the_listing_error_is_recorded_not_shown() -> None:
    assert TRIAL.contacts[0]["name"] == "Dr Jun Liang"
    assert "+86 135 0519 3169" in TRIAL.contacts[0]["phone"]
    assert "Jennifer Cobb" in TRIAL.info["contact_discrepancy"]
    shown = " ".join(str(c) for c in TRIAL.contacts) + " ".join(TRIAL.texts.values())
    assert "Cobb" not in shown and "NIAID" not in shown


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda raw: raw["criteria"][1]["reasons"].pop("too_old"), "no reason text"),
        (lambda raw: raw["criteria"][0]["rule"].update(question="nope"), "unknown question"),
        (lambda raw: raw["questions"][0].update(type="essay"), "unknown type"),
        (lambda raw: raw["questions"][5].update(ask_if={"nope": ["yes"]}), "unknown question"),
        (lambda raw: raw["criteria"].append(raw["criteria"][0]), "unique"),
        (lambda raw: raw["trial"].update(contacts=[]), "contact"),
        (lambda raw: raw["texts"].pop("provider"), "texts must define"),
        (lambda raw: raw["criteria"][0]["rule"]["answers"].update(no="maybe"), "unknown verdict"),
        (lambda raw: raw["questions"][2].pop("label"), "missing label"),
        (lambda raw: raw["questions"][2].update(section="elsewhere"), "unknown section"),
        (lambda raw: raw["questions"][0].update(section="last"), "part by part"),
        (lambda raw: raw["sections"].append(raw["sections"][0]), "each once"),
        (lambda raw: raw["questions"][1].update(replies=["yes", "perhaps"]), "unknown quick replies"),
    ],
)
def test_a_broken_trial_file_is_refused_with_a_clear_message(mutate, message: str, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import yaml

    raw = load_yaml(TRIAL.path)
    mutate(raw)
    broken = tmp_path / "broken.yml"
    broken.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(TrialFileError, match=message):
        load_trial(broken)


# Words that belong to this trial; none may appear in the generic code.
TRIAL_WORDS = re.compile(
    r"NCT\d{8}|lupus|nephritis|rituximab|mycophenolate|Nanjing|Drum Tower|Liang|SLEDAI|MSC|IL-2",
    re.IGNORECASE,
)


@pytest.mark.parametrize(
    "path", sorted((PROJECT_ROOT / "bot").rglob("*.py")) + sorted((PROJECT_ROOT / "actions").glob("*.py"))
)
def test_nothing_trial_specific_is_hard_coded(path: Path) -> None:
    code = "\n".join(
        line for line in path.read_text(encoding="utf-8").splitlines() if not line.lstrip().startswith("#")
    )
    found = sorted(set(TRIAL_WORDS.findall(code)))
    assert not found, f"{path.name} names {found}: put it in the trial file"


def test_the_closing_uses_the_listings_words_for_the_provider() -> None:
    """People meet "speak with your healthcare provider" on the trial listing; the closing says the same."""
    assert "speak with your healthcare provider" in TRIAL.texts["provider"].lower()
    assert "healthcare provider" in LISTING.read_text(encoding="utf-8").lower()


def test_two_trial_files_each_serve_their_own_trial(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Another trial is another file: a second one beside ours (here ours with another id, site and age
    limit), each chosen by its registry id, neither leaking into the other."""
    trials = tmp_path / "trials"
    trials.mkdir()
    shutil.copy(TRIAL.path, trials / TRIAL.path.name)
    raw = load_yaml(TRIAL.path)
    raw["trial"]["registry_id"] = "NCT00000001"
    raw["trial"]["site"]["name"] = "Another Hospital"
    next(c for c in raw["criteria"] if c["id"] == "inc_age")["rule"]["max_years"] = 75
    (trials / "NCT00000001.yml").write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")

    with pytest.raises(TrialFileError, match=r"2 trial files .* set SCREENER_TRIAL to one of them"):
        trial_file(trials=trials)  # no guess: a process serves the trial it is told to
    ours, other = (load_trial(trial_file(name, trials)) for name in (TRIAL.registry_id, "NCT00000001"))
    assert (ours.registry_id, other.registry_id) == (TRIAL.registry_id, "NCT00000001")
    for trial, verdict in ((ours, "does_not_meet"), (other, "meets")):
        screening = Screening(trial)
        screening.answer("70", date(2026, 11, 30))
        assert screening.result().verdict("inc_age").verdict == verdict, trial.registry_id
    assert "Another Hospital" in messages.contacts_text(other)
    assert "Another Hospital" not in messages.contacts_text(ours)
    # The deployment's choice reaches the file through its settings, never through a module reading it.
    monkeypatch.setenv("SCREENER_TRIAL", "NCT00000001")
    with pytest.raises(TrialFileError):
        trial_file(trials=trials)
    assert trial_file(Settings.from_env().trial, trials) == trials / "NCT00000001.yml"
    assert trial_choice({}) == "NCT00000001" and trial_choice({"trial": TRIAL.registry_id}) == TRIAL.registry_id
