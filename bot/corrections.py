"""Work out which earlier answer a person wants to change ("actually I'm 45", "no wait, it was in May")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.screening import Screening
from bot.understand import NotUnderstood, understand
from bot.words import normalise

# Words that only say "this is a correction"; what is left is the new answer.
_LEAD = re.compile(
    r"^(?:(?:oops|sorry|actually|wait|no wait|hold on|hang on|correction|my mistake|i made a mistake|"
    r"that was wrong|that's wrong|thats wrong|i meant to say|i meant|i mean|change (?:it|that) to|"
    r"i want to change (?:my answer|an answer|something)|let me correct that|scratch that)[\s,.:;!-]*)+"
)
_CHANGE_TO = re.compile(r"\bchange (?:my|the) (?P<topic>[\w\s]+?) to\b")

# Question types whose answers are specific enough to recognise on their own,
# in the order they are tried; a yes/no only ever corrects the last yes/no answer.
_SPECIFIC = ("age", "lab_protein", "medicine_list", "vaccine", "procedure", "condition", "time_ago")


@dataclass(frozen=True)
class Correction:
    question_id: str
    value: Any


def strip_lead(text: str) -> str:
    clean = normalise(text)
    return _LEAD.sub("", _CHANGE_TO.sub("", clean)).strip()


def _answered(screening: Screening) -> list[str]:
    """Answered questions, the most recent first."""
    return list(reversed(list(screening.answers)))


def find_correction(screening: Screening, text: str, today: date) -> Correction | None:
    """The question the person means and the new value, or None if it is not clear."""
    if text.lstrip().startswith("/"):
        return None  # a button or typed command says nothing about which answer
    rest = strip_lead(text)
    if not rest:
        return None
    marked = rest != normalise(text)  # "actually", "I meant" ... says it is a correction
    answered = _answered(screening)
    by_type: dict[str, list[str]] = {}
    for qid in answered:
        by_type.setdefault(screening.question(qid).type, []).append(qid)
    # Every medicine counts the same wherever it was named, so add it to the first list.
    order = list(screening.trial.questions)
    by_type.get("medicine_list", []).sort(key=lambda q: order.index(q) if q in order else len(order))
    for kind in _SPECIFIC:
        for qid in by_type.get(kind, []):
            understood = understand(screening.question(qid), rest, today)
            if isinstance(understood, NotUnderstood) or _is_plain_yes_no(understood.value):
                continue
            return Correction(qid, _merge(screening, qid, understood.value))
    last_yes_no = next((q for q in answered if screening.question(q).type == "yes_no"), None)
    if last_yes_no and marked:  # a bare "yes" is an answer, not a correction
        understood = understand(screening.question(last_yes_no), rest, today)
        if not isinstance(understood, NotUnderstood):
            return Correction(last_yes_no, understood.value)
    return None


def _is_plain_yes_no(value: Any) -> bool:
    """An answer that names nothing we know ("yes", "no", an unknown word) cannot say which answer it corrects."""
    if isinstance(value, str):
        return True
    return isinstance(value, dict) and ("items" in value and not value["items"])


def _merge(screening: Screening, qid: str, value: Any) -> Any:
    """A medicine named in a correction is added to the list, not put in place of it."""
    old = screening.answers.get(qid)
    if screening.question(qid).type != "medicine_list" or not isinstance(old, dict) or old.get("none"):
        return value
    items = {i["id"]: i for i in old.get("items", [])}
    items.update({i["id"]: i for i in value.get("items", [])})
    return {"none": False, "items": list(items.values()), "unknown": old.get("unknown", 0) + value.get("unknown", 0)}
