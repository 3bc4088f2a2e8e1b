"""Every criterion on both sides of every boundary, the reference's traps, and the overall outcome."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.scoring import (
    DOES_NOT_MEET,
    LIKELY_NOT,
    MAY_FIT,
    MEETS,
    NEEDS_TEAM,
    OUTCOME_NEEDS_TEAM,
    score,
    scored,
)
from bot.session.screening import Screening
from bot.trial.model import load_trial
from tests.safety import FIT  # someone who may be a fit: every question answered the easy way

TODAY = date(2026, 11, 25)
TRIAL = load_trial()


def screen(**changes: str) -> Screening:
    """Answer every question of FIT (with ``changes``) through the real understanding code."""
    texts = {**FIT, **changes}
    screening = Screening(TRIAL)
    for qid, text in texts.items():
        if qid in TRIAL.questions or ":" in qid:
            turn = screening.answer(text, TODAY, qid)
            assert turn.understood, f"{qid}: {text!r} was not understood"
    return screening


def verdict(criterion: str, **changes: str) -> tuple[str, tuple[str, ...]]:
    v = screen(**changes).result(final=True).verdict(criterion)
    return v.verdict, v.reasons


def test_the_fit_answers_may_fit() -> None:
    result = screen().result()
    assert result.next_questions == ()
    assert result.outcome == MAY_FIT
    # Only the site can check these; they never turn "may fit" into "needs the team".
    site = {v.criterion for v in result.verdicts if v.verdict == NEEDS_TEAM}
    assert site == {"inc_sle_classification", "inc_sledai", "inc_pregnancy_tests"}
    assert all(v.site_check for v in result.verdicts if v.verdict == NEEDS_TEAM)


CASES = [
    # criterion, changes, verdict, reason
    ("inc_age", {"age": "17"}, DOES_NOT_MEET, "too_young"),
    ("inc_age", {"age": "18"}, NEEDS_TEAM, "at_minimum"),
    ("inc_age", {"age": "19"}, MEETS, "in_range"),
    ("inc_age", {"age": "64"}, MEETS, "in_range"),
    ("inc_age", {"age": "65"}, NEEDS_TEAM, "near_maximum"),  # may turn 66 before the visit
    ("inc_age", {"age": "66"}, DOES_NOT_MEET, "too_old"),
    ("inc_age", {"age": "born 1961-06-01"}, MEETS, "in_range"),  # 65, 66th birthday months away
    ("inc_age", {"age": "born 1960-12-10"}, NEEDS_TEAM, "near_maximum"),  # 66 in 15 days
    ("inc_age", {"age": "born in 2008"}, NEEDS_TEAM, "at_minimum"),  # 17 or 18
    ("inc_age", {"age": "not sure"}, NEEDS_TEAM, "not_understood"),
    ("inc_sledai", {}, NEEDS_TEAM, "site_check"),  # only the study doctors can score it
    ("inc_sle_classification", {"lupus_diagnosis": "no"}, DOES_NOT_MEET, "no"),
    ("inc_sle_classification", {"lupus_diagnosis": "not sure"}, NEEDS_TEAM, "unsure"),
    ("inc_sle_classification", {"lupus_diagnosis": "yes"}, NEEDS_TEAM, "site_check"),
    # Proteinuria: domain-reference §4.3, in every unit, on both sides of 1.0 g/g.
    ("inc_proteinuria", {"protein_result": "UPCR 1.35 g/g"}, MEETS, "above"),
    ("inc_proteinuria", {"protein_result": "PCR 150 mg/mmol"}, MEETS, "above"),
    ("inc_proteinuria", {"protein_result": "PCR 100 mg/mmol"}, DOES_NOT_MEET, "below"),  # the trap: 0.88 g/g
    ("inc_proteinuria", {"protein_result": "110 mg/mmol"}, NEEDS_TEAM, "borderline"),
    ("inc_proteinuria", {"protein_result": "125 mg/mmol"}, NEEDS_TEAM, "borderline"),
    ("inc_proteinuria", {"protein_result": "UPCR 1100 mg/g"}, NEEDS_TEAM, "borderline"),
    ("inc_proteinuria", {"protein_result": "1.0 g/g"}, NEEDS_TEAM, "borderline"),
    ("inc_proteinuria", {"protein_result": "900 mg/g"}, DOES_NOT_MEET, "below"),
    ("inc_proteinuria", {"protein_result": "24-hour protein 1.8 g"}, MEETS, "above"),
    ("inc_proteinuria", {"protein_result": "24-hour protein 950 mg"}, DOES_NOT_MEET, "below"),
    ("inc_proteinuria", {"protein_result": "24h urine protein 0.6 g/L"}, NEEDS_TEAM, "needs_volume"),
    ("inc_proteinuria", {"protein_result": "urine protein +++"}, NEEDS_TEAM, "not_accepted"),
    ("inc_proteinuria", {"protein_result": "UACR 1500 mg/g"}, NEEDS_TEAM, "not_accepted"),
    ("inc_proteinuria", {"protein_result": "I don't know"}, NEEDS_TEAM, "unknown"),
    ("inc_proteinuria", {"kidney_involvement": "no"}, NEEDS_TEAM, "no_kidney"),
    ("inc_proteinuria", {"kidney_involvement": "not sure"}, NEEDS_TEAM, "kidney_unsure"),
    ("inc_proteinuria", {"kidney_involvement": "不确定，尿里有蛋白，没做过肾穿"}, NEEDS_TEAM, "kidney_unsure"),
    ("inc_proteinuria", {"kidney_involvement": "no", "protein_result": "0.5 g/g"}, DOES_NOT_MEET, "below"),
    ("inc_contraception", {"contraception_agree": "no"}, DOES_NOT_MEET, "no"),
    ("inc_contraception", {"contraception_agree": "not sure"}, NEEDS_TEAM, "unsure"),
    ("inc_contraception", {"could_have_children": "no"}, MEETS, "not_applicable"),
    ("inc_pregnancy_tests", {"could_have_children": "no"}, MEETS, "not_applicable"),
    ("inc_pregnancy_tests", {"could_become_pregnant": "not sure"}, NEEDS_TEAM, "site_check"),
    ("inc_pregnancy_tests", {"could_become_pregnant": "no"}, MEETS, "not_applicable"),
    ("inc_consent", {"willing": "no"}, DOES_NOT_MEET, "no"),
    ("inc_consent", {"willing": "not sure"}, NEEDS_TEAM, "unsure"),
    # B-cell depletion: 24 weeks (168 days), margin 14.
    ("exc_b_cell_depletion", {"infusions": "rituximab about 6 months ago"}, NEEDS_TEAM, "near"),  # §7.2
    ("exc_b_cell_depletion", {"infusions": "rituximab 2 months ago"}, DOES_NOT_MEET, "inside"),
    ("exc_b_cell_depletion", {"infusions": "rituximab in March 2025"}, MEETS, "outside"),
    ("exc_b_cell_depletion", {"infusions": "obinutuzumab 4 weeks ago"}, DOES_NOT_MEET, "inside"),
    ("exc_b_cell_depletion", {"infusions": "daratumumab"}, NEEDS_TEAM, "route"),
    ("exc_b_cell_depletion", {"infusions": "CAR-T cell therapy"}, NEEDS_TEAM, "route"),
    ("exc_b_cell_depletion", {"infusions": "rituximav"}, NEEDS_TEAM, "unverified"),  # a misspelling is a guess
    ("exc_b_cell_depletion", {"infusions": "zorblax"}, NEEDS_TEAM, "unknown_medicine"),
    ("exc_b_cell_depletion", {"medicines": "not sure"}, NEEDS_TEAM, "medicines_unsure"),
    # Unstable immunosuppressant dose: 12 weeks (84 days), margin 14.
    (
        "exc_immunosuppressant_dose",
        {"medicines": "cellcept", "dose:mycophenolate_mofetil": "same dose"},
        MEETS,
        "stable",
    ),
    (
        "exc_immunosuppressant_dose",
        {
            "medicines": "mycophenolate",
            "dose:mycophenolate_mofetil": "it changed",
            "dose_when:mycophenolate_mofetil": "about 3 months ago",
        },
        NEEDS_TEAM,
        "changed_near",
    ),  # §7.2 worked example
    (
        "exc_immunosuppressant_dose",
        {
            "medicines": "MMF",
            "dose:mycophenolate_mofetil": "increased",
            "dose_when:mycophenolate_mofetil": "3 weeks ago",
        },
        DOES_NOT_MEET,
        "changed_inside",
    ),
    (
        "exc_immunosuppressant_dose",
        {
            "medicines": "MMF",
            "dose:mycophenolate_mofetil": "lowered",
            "dose_when:mycophenolate_mofetil": "8 months ago",
        },
        MEETS,
        "changed_outside",
    ),
    (
        "exc_immunosuppressant_dose",
        {"medicines": "tacrolimus", "dose:tacrolimus": "I stopped it", "dose_when:tacrolimus": "3 weeks ago"},
        NEEDS_TEAM,
        "stopped",
    ),
    (
        "exc_immunosuppressant_dose",
        {"medicines": "azathioprine", "dose:azathioprine": "just started", "dose_when:azathioprine": "last week"},
        DOES_NOT_MEET,
        "changed_inside",
    ),
    (
        "exc_immunosuppressant_dose",
        {"medicines": "leflunomide", "dose:leflunomide": "not sure"},
        NEEDS_TEAM,
        "dose_unknown",
    ),
    ("exc_immunosuppressant_dose", {"infusions": "cyclophosphamide 2 months ago"}, NEEDS_TEAM, "pulse"),
    ("exc_immunosuppressant_dose", {"infusions": "cyclophosphamide in 2024"}, MEETS, "pulse_outside"),
    ("exc_immunosuppressant_dose", {"medicines": "thalidomide"}, NEEDS_TEAM, "route"),
    # Drugs that never exclude (§5E), even where some call them immunosuppressants.
    ("exc_immunosuppressant_dose", {"medicines": "plaquenil, prednisone, benazepril, losartan"}, MEETS, "none"),
    ("exc_biologic", {"medicines": "hydroxychloroquine and prednisolone"}, MEETS, "none"),
    # Biologics and small-molecule targeted drugs: 4 weeks (28 days), margin 7.
    ("exc_biologic", {"infusions": "belimumab 2 months ago"}, MEETS, "outside"),
    ("exc_biologic", {"infusions": "Benlysta 2 weeks ago"}, DOES_NOT_MEET, "inside"),
    ("exc_biologic", {"infusions": "belimumab about a month ago"}, NEEDS_TEAM, "near"),
    ("exc_biologic", {"medicines": "tofacitinib", "last_dose:tofacitinib": "2 months ago"}, MEETS, "outside"),
    ("exc_biologic", {"medicines": "Humira", "last_dose:adalimumab": "last week"}, DOES_NOT_MEET, "inside"),
    ("exc_biologic", {"medicines": "baricitinib", "last_dose:baricitinib": "not sure"}, NEEDS_TEAM, "when_unknown"),
    ("exc_biologic", {"infusions": "telitacicept"}, NEEDS_TEAM, "route"),
    ("exc_biologic", {"medicines": "ibrutinib"}, NEEDS_TEAM, "route"),
    # Plasmapheresis / immunoadsorption: 12 weeks, margin 14; dialysis is not this but goes to the team.
    (
        "exc_plasmapheresis",
        {"plasma_procedure": "yes", "plasma_procedure_when": "6 weeks ago"},
        DOES_NOT_MEET,
        "inside",
    ),
    (
        "exc_plasmapheresis",
        {"plasma_procedure": "yes", "plasma_procedure_when": "about 3 months ago"},
        NEEDS_TEAM,
        "near",
    ),
    ("exc_plasmapheresis", {"plasma_procedure": "plasma exchange in 2025"}, MEETS, "outside"),
    ("exc_plasmapheresis", {"plasma_procedure": "I'm on dialysis"}, NEEDS_TEAM, "route"),
    ("exc_plasmapheresis", {"plasma_procedure": "not sure"}, NEEDS_TEAM, "unsure"),
    ("exc_severe_disease", {"serious_illness": "yes"}, NEEDS_TEAM, "yes"),
    ("exc_severe_disease", {"serious_illness": "no"}, MEETS, "no"),
    ("exc_infection", {"infection_serious": "yes"}, DOES_NOT_MEET, "recent"),
    ("exc_infection", {"infection_treated": "yes"}, DOES_NOT_MEET, "recent"),
    ("exc_infection", {"infection_treated": "not sure"}, NEEDS_TEAM, "recent_unsure"),
    ("exc_infection", {"chronic_infection": "hepatitis B carrier"}, NEEDS_TEAM, "chronic"),
    ("exc_infection", {"chronic_infection": "I have nail fungus"}, MEETS, "nail_fungus"),
    ("exc_infection", {"chronic_infection": "not sure"}, NEEDS_TEAM, "chronic_unsure"),
    # Major surgery: "major" is the team's call, so a recent one is checked, not excluded.
    ("exc_major_surgery", {"surgery_recent": "yes", "surgery_when": "3 weeks ago"}, NEEDS_TEAM, "inside"),
    ("exc_major_surgery", {"surgery_recent": "yes", "surgery_when": "in 2025"}, MEETS, "outside"),
    ("exc_major_surgery", {"surgery_planned": "yes"}, NEEDS_TEAM, "planned"),
    # Live vaccines: 12 weeks, margin 14; the zoster exception.
    ("exc_live_vaccine", {"vaccine_recent": "MMR 3 weeks ago"}, DOES_NOT_MEET, "inside"),
    ("exc_live_vaccine", {"vaccine_recent": "MMR", "vaccine_when:mmr": "in 2025"}, MEETS, "outside"),
    ("exc_live_vaccine", {"vaccine_recent": "a flu shot"}, MEETS, "not_live"),
    ("exc_live_vaccine", {"vaccine_recent": "Shingrix"}, MEETS, "zoster_recombinant"),
    ("exc_live_vaccine", {"vaccine_recent": "Zostavax"}, NEEDS_TEAM, "zoster_live"),
    ("exc_live_vaccine", {"vaccine_recent": "flu vaccine"}, NEEDS_TEAM, "type_unknown"),
    ("exc_live_vaccine", {"vaccine_recent": "the blorvax jab"}, NEEDS_TEAM, "unknown_vaccine"),
    ("exc_live_vaccine", {"vaccine_planned": "yellow fever vaccine"}, NEEDS_TEAM, "planned_live"),
    ("exc_live_vaccine", {"vaccine_planned": "flu shot"}, MEETS, "none"),
    # Names read from slips only: "maybe zostervax, my dr mentioned a shingels shot" met it.
    (
        "exc_live_vaccine",
        {"vaccine_planned": "maybe zostervax, my dr mentioned a shingels shot"},
        NEEDS_TEAM,
        "planned_check",
    ),
    ("exc_live_vaccine", {"vaccine_planned": "the shingels shot"}, NEEDS_TEAM, "planned_check"),
    # Cancer: basal cell carcinoma of the skin is the only exception.
    ("exc_malignancy", {"cancer_history": "yes", "cancer_type": "breast cancer"}, DOES_NOT_MEET, "excluded"),
    (
        "exc_malignancy",
        {"cancer_history": "yes", "cancer_type": "basal cell carcinoma", "cancer_removed": "yes"},
        MEETS,
        "exception",
    ),
    # The exception needs "removed or cured", and holds only when every cancer named is the excepted kind.
    (
        "exc_malignancy",
        {"cancer_history": "yes", "cancer_type": "basal cell carcinoma", "cancer_removed": "no, not yet"},
        NEEDS_TEAM,
        "exception_unconfirmed",
    ),
    (
        "exc_malignancy",
        {"cancer_history": "yes", "cancer_type": "basal cell carcinoma and a skin cancer on my leg"},
        NEEDS_TEAM,
        "unclear",
    ),
    (
        "exc_malignancy",
        {"cancer_history": "yes", "cancer_type": "squamous cell skin cancer"},
        DOES_NOT_MEET,
        "excluded",
    ),
    ("exc_malignancy", {"cancer_history": "yes", "cancer_type": "skin cancer"}, NEEDS_TEAM, "unclear"),
    ("exc_malignancy", {"cancer_history": "yes", "cancer_type": "not sure"}, NEEDS_TEAM, "unclear"),
    ("exc_malignancy", {"cancer_history": "not sure"}, NEEDS_TEAM, "unsure"),
    ("exc_pregnancy", {"pregnant_or_breastfeeding": "yes"}, DOES_NOT_MEET, "yes"),
    ("exc_pregnancy", {"pregnant_or_breastfeeding": "not sure"}, NEEDS_TEAM, "unsure"),
    # Asked of everyone, whatever they say about having children.
    ("exc_pregnancy", {"could_have_children": "no"}, MEETS, "no"),
    # An acute infection long over, named at the chronic question, is history; with no time, or a
    # chronic one beside it, the team checks (held-out set 2026-12-07: "甲肝 as a kid" went to the team).
    ("exc_infection", {"chronic_infection": "no, never. Had hepatitis A as a kid, that's all"}, MEETS, "none"),
    ("exc_infection", {"chronic_infection": "小时候得过甲肝，早好了"}, MEETS, "none"),
    ("exc_infection", {"chronic_infection": "hepatitis A"}, NEEDS_TEAM, "chronic"),
    ("exc_infection", {"chronic_infection": "hep A as a kid and hep B"}, NEEDS_TEAM, "chronic"),
    ("exc_infection", {"chronic_infection": "pneumonia last week"}, NEEDS_TEAM, "chronic"),
    # A cancer of no known kind beside words not read ("基地细胞癌", a slip of 基底) is for the team; a
    # plain "cancer", or a named one, is excluded.
    ("exc_malignancy", {"cancer_history": "yes", "cancer_type": "基地细胞癌，长在鼻子边上"}, NEEDS_TEAM, "unclear"),
    ("exc_malignancy", {"cancer_history": "yes", "cancer_type": "癌症"}, DOES_NOT_MEET, "excluded"),
    ("exc_malignancy", {"cancer_history": "yes", "cancer_type": "乳腺癌，长在左边"}, DOES_NOT_MEET, "excluded"),
]


@pytest.mark.parametrize(("criterion", "changes", "expected", "reason"), CASES)
def test_criterion(criterion: str, changes: dict[str, str], expected: str, reason: str) -> None:
    got, reasons = verdict(criterion, **changes)
    assert (got, reason in reasons) == (expected, True), reasons


def test_every_criterion_is_tested_on_each_side() -> None:
    for c in TRIAL.criteria:
        seen = {v for cid, _, v, _ in CASES if cid == c.id}
        assert NEEDS_TEAM in seen, c.id
        if c.rule_type != "site_check" or c.rule.get("question") or c.rule.get("applies_if"):
            assert MEETS in seen or DOES_NOT_MEET in seen, c.id


def test_a_clear_exclusion_ends_the_screen_early() -> None:
    screening = Screening(TRIAL)
    assert screening.answer("I'm 70", TODAY).understood
    result = screening.result()
    assert result.outcome == LIKELY_NOT
    assert result.next_questions == ()
    assert result.ended_early
    assert result.verdict("inc_age").text == TRIAL.criterion("inc_age").reasons["too_old"]


def test_an_answer_that_needs_checking_gives_that_outcome() -> None:
    assert screen(age="18").result().outcome == OUTCOME_NEEDS_TEAM


def test_unanswered_criteria_go_to_the_team_when_the_screen_stops() -> None:
    screening = Screening(TRIAL)
    screening.answer("40", TODAY)
    final = screening.result(final=True)
    assert final.verdict("exc_pregnancy").verdict == NEEDS_TEAM
    assert final.verdict("exc_pregnancy").reasons == ("not_asked",)
    assert final.outcome == OUTCOME_NEEDS_TEAM
    assert final.next_questions == ()


def asked(**answers: str) -> list[str]:
    """Every question the screen asks for these answers, in order."""
    screening, seen = Screening(TRIAL), []
    while (qid := screening.current_question_id()) is not None:
        seen.append(qid)
        text = answers.get(qid, FIT.get(qid, "no"))
        assert screening.answer(text, TODAY).understood, qid
    return seen


def test_questions_come_in_the_trial_files_order_and_all_are_asked_for_a_fit() -> None:
    order = asked()
    main = [q for q in order if ":" not in q]
    assert main == [q for q in TRIAL.questions if q in main]
    assert set(FIT) <= set(order)


def test_the_pregnancy_question_is_asked_of_everyone_before_the_fertility_questions() -> None:
    order = asked(could_have_children="no")
    assert not {"could_become_pregnant", "contraception_agree"} & set(order)
    assert order.index("pregnant_or_breastfeeding") < order.index("could_have_children")


def test_follow_ups_only_for_medicines_that_matter() -> None:
    order = asked(
        medicines="cellcept, plaquenil and prednisone",
        infusions="rituximab",
        **{"dose:mycophenolate_mofetil": "same dose", "last_dose:rituximab": "in 2024"},
    )
    assert "dose:mycophenolate_mofetil" in order
    assert "last_dose:rituximab" in order
    assert not [q for q in order if q.endswith((":hydroxychloroquine", ":prednisone"))]
    # follow-ups come right after the medicine questions
    assert order.index("dose:mycophenolate_mofetil") == order.index("infusions") + 1


def test_a_date_given_with_the_name_is_not_asked_again() -> None:
    order = asked(infusions="rituximab in March 2025")
    assert "last_dose:rituximab" not in order


def test_when_is_asked_only_for_a_live_vaccine_and_for_each_one() -> None:
    assert not [q for q in asked(vaccine_recent="a flu shot") if q.startswith("vaccine_when")]
    assert "vaccine_when:mmr" in asked(vaccine_recent="MMR", **{"vaccine_when:mmr": "in 2025"})
    assert "vaccine_when:mmr" not in asked(vaccine_recent="MMR last week")
    both = asked(
        vaccine_recent="MMR and yellow fever vaccine",
        **{"vaccine_when:mmr": "in 2025", "vaccine_when:yellow_fever": "in 2025"},
    )
    assert {"vaccine_when:mmr", "vaccine_when:yellow_fever"} <= set(both)


def test_a_cancer_type_is_asked_only_after_a_yes() -> None:
    assert "cancer_type" not in asked()
    assert "cancer_type" in asked(cancer_history="yes", cancer_type="basal cell carcinoma")


def test_two_misses_make_the_answer_needs_the_team_and_move_on() -> None:
    screening = Screening(TRIAL)
    screening.answer("34", TODAY)
    first = screening.answer("banana", TODAY)
    assert not first.understood and not first.gave_up and screening.misses == {"lupus_diagnosis": 1}
    second = screening.answer("banana again", TODAY)
    assert second.gave_up
    assert screening.current_question_id() == "kidney_involvement"
    assert screening.result(final=True).verdict("inc_sle_classification").verdict == NEEDS_TEAM


def test_scoring_does_not_depend_on_the_order_answers_arrive_in() -> None:
    forward = screen(infusions="rituximab 2 months ago").answers
    backward = dict(reversed(list(forward.items())))
    assert score(TRIAL, forward) == score(TRIAL, backward)


# ----------------------------------------------------------------- the result remembered
ZH_TRIAL = load_trial(None, "zh")
ANSWERS = ["yes", "no", "not sure", "40", "17", "none", "UPCR 1.8 g/g", "cellcept", "rituximab in May"]


@settings(deadline=None, max_examples=60)
@given(st.lists(st.tuples(st.sampled_from(sorted(FIT)), st.sampled_from(ANSWERS)), max_size=12))
def test_a_remembered_result_is_the_result_of_those_answers_in_that_language(said: list[tuple[str, str]]) -> None:
    """``scored`` never hands one state's result to another, nor one language's to the other."""
    screening = Screening(TRIAL)
    for qid, text in said:
        screening.answer(text, TODAY, qid)
        for trial in (TRIAL, ZH_TRIAL, TRIAL):
            answers = screening.answers
            for final in (False, True):
                assert scored(trial, answers, final) == score(trial, answers, final)
        first = scored(TRIAL, screening.answers)
        assert scored(TRIAL, dict(screening.answers)) is first  # the same answers: not scored again
