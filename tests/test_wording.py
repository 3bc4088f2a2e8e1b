"""Every message the bot can send: grade 8 or lower, and none of the words it must never say."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
import textstat

from bot.session import messages
from bot.session.screening import Screening
from bot.trial.model import load_trial

TRIAL = load_trial()
TODAY = date(2026, 11, 25)
MAX_GRADE = 8.0


SAMPLE = {
    "short_name": TRIAL.info["short_name"],
    "registry_id": TRIAL.registry_id,
    "retention_days": str(TRIAL.retention_days),
    "site": TRIAL.info["site"]["name"],
    "contacts": "Dr Jun Liang",
    "reference": "S-ABCDEFGH23",
    "number": "4",
    "total": "18",
    "topic": "your age",
    "medicine": "rituximab",
    "condition": "breast cancer",
    "vaccine": "MMR",
    "answer": "yes",
    "name": "Medicines and treatments",
    "count": "2",
    "items": "lymphoma (cancer of the lymph glands)",
}


def atomic_texts() -> Iterator[tuple[str, str]]:
    for q in [*TRIAL.questions.values(), *TRIAL.follow_ups.values()]:
        rendered = q.render(medicine="mycophenolate (CellCept)", vaccine="MMR")
        yield from ((f"{q.id}.text", rendered.text), (f"{q.id}.retry", rendered.retry), (f"{q.id}.why", rendered.why))
        if rendered.confirm:
            yield f"{q.id}.confirm", rendered.confirm
    for c in TRIAL.criteria:
        for key, text in c.reasons.items():
            yield f"{c.id}.{key}", text.format(**SAMPLE)
    for group in ("outcomes", "common_reasons", "texts", "faq"):
        for key, text in getattr(TRIAL, group).items():
            yield f"{group}.{key}", text.format(**SAMPLE)


def sent_messages() -> Iterator[tuple[str, str]]:
    """Whole messages as sent in a few screenings (questions with progress, results, closings)."""
    yield from ((f"intro.{i}", m["text"]) for i, m in enumerate(messages.intro(TRIAL)))
    for name, answers in {
        "may_fit": ["34", "yes", "yes", "1.8 g/g", "no", "no", "none", "no"] + ["no"] * 10 + ["yes"],
        "needs_team": ["18", "not sure", "yes", "110 mg/mmol", "yes", "yes", "not sure", "yes", "no", "none", "no"],
        "likely_not": ["70"],
    }.items():
        screening = Screening(TRIAL)
        for text in answers:
            qid = screening.current_question_id()
            if qid is None:
                break
            yield f"{name}.{qid}", messages.question(screening, qid)["text"]
            screening.answer(text, TODAY)
        for i, m in enumerate(messages.recap(screening)):
            yield f"{name}.recap.{i}", m["text"]
        outcome = screening.result(final=True)
        for i, m in enumerate(messages.result(TRIAL, outcome, "S-ABCDEFGH23", screening.answers, TODAY)):
            yield f"{name}.result.{i}", m["text"]
        yield f"{name}.details", messages.details_text(TRIAL, outcome)["text"]


ALL = list(atomic_texts()) + list(sent_messages())


def grade(text: str) -> float:
    # A reference number or phone number is not prose; drop it before measuring.
    prose = re.sub(r"S-[A-Z0-9]{10}|\+?\d[\d\s]{6,}\d|\S+@\S+", "", text)
    # Each line of a list is read on its own, like a sentence.
    prose = re.sub(r"[:.]?\n- ", ". ", prose)
    return float(textstat.flesch_kincaid_grade(prose))


# A button label ("Continue") is no prose: the formula means nothing for one or two words.
PROSE = [(where, text) for where, text in ALL if len(text.split()) >= 3]


@pytest.mark.parametrize(("where", "text"), PROSE, ids=[w for w, _ in PROSE])
def test_reading_level_is_grade_8_or_lower(where: str, text: str) -> None:
    assert grade(text) <= MAX_GRADE, f"{where} reads at grade {grade(text):.1f}: {text}"


FORBIDDEN = [
    r"\byou(?: are|'re| will be)? (?:eligible|qualif(?:y|ied))\b",
    r"(?<!\bif )(?<!whether )(?<!says )\byou can (?:definitely )?join\b",
    r"\bfree (?:treatment|medicine|care|of charge)\b",
    r"\bguarantee",
    r"\b(?:will|can|could|may) (?:cure|heal)\b|\ba cure\b",
    r"\b(?:stop|start|skip|delay|increase|reduce|lower|raise) (?:taking|your)\b",
    r"\bwill (?:help|heal|fix) you\b",
    r"Jennifer Cobb|NIAID",
]


@pytest.mark.parametrize(("where", "text"), ALL, ids=[w for w, _ in ALL])
def test_no_forbidden_wording(where: str, text: str) -> None:
    for pattern in FORBIDDEN:
        assert not re.search(pattern, text, re.IGNORECASE), f"{where} says {pattern!r}: {text}"


def test_the_wording_checks_can_fail() -> None:
    assert grade("Notwithstanding considerable immunological heterogeneity, randomisation ensures comparability.") > 8
    assert any(re.search(p, "Good news, you are eligible!", re.IGNORECASE) for p in FORBIDDEN)
    assert any(re.search(p, "Please stop taking your tacrolimus.", re.IGNORECASE) for p in FORBIDDEN)
