"""Turn a person's free-text answer to one question into a normalised value.

Values are plain JSON (strings, numbers, dicts) so that they can be stored
as they are. Nothing the person typed is kept, only what it means: an age,
a range of days, a medicine's id and class.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.ages import parse_age
from bot.labs import NO_UNIT, parse_protein
from bot.numbers import words_to_digits
from bot.terms import Term, find_terms
from bot.times import parse_days_ago
from bot.trial import Question
from bot.words import english, find_groups, normalise

YES, NO, UNSURE = "yes", "no", "unsure"
# Stored when an answer was not understood twice: the criterion goes to the study team.
UNCLEAR: dict[str, bool] = {"unclear": True}


@dataclass(frozen=True)
class Understood:
    value: Any
    # A time given along with the answer ("rituximab in May"), for the
    # question that asks when.
    when: dict[str, Any] | None = None


@dataclass(frozen=True)
class NotUnderstood:
    hint: str = ""  # what was missing: "unit", "which", "date", ...


Answer = Understood | NotUnderstood


def is_unclear(value: Any) -> bool:
    return isinstance(value, dict) and value.get("unclear") is True


def names_only_unknowns(value: Any) -> bool:
    """A list answer that names nothing we know ("what is this study?" read as a medicine list)."""
    return isinstance(value, dict) and not value.get("items") and bool(value.get("unknown"))


def yes_no(text: str) -> str | None:
    """yes, no or unsure; None when the text says neither (or both)."""
    groups = find_groups(text, "answers")
    if UNSURE in groups:
        return UNSURE
    if len(groups) == 1:
        return groups[0]
    return None


_TIME_CUE = re.compile(
    r"\b(ago|last|since|yesterday|today|earlier|in (19|20)\d\d|\d{4}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|(in|early|late|mid|since) may|may \d)\b"
)


def _when(piece: str, today: date) -> dict[str, Any] | None:
    """A time in a piece of an answer, if the piece clearly talks about when."""
    if not _TIME_CUE.search(normalise(piece)):
        return None
    ago = parse_days_ago(piece, today)
    return ago.as_dict() if ago else None


def _item(term: Term) -> dict[str, Any]:
    return {"id": term.entry.id, "kind": term.entry.kind, "verified": term.verified}


_SPLIT = re.compile(r"[,;\n/&+]|\band\b|\bplus\b|\balso\b|\bthen\b|和|、|，|；")


def _leftover_words(piece: str) -> list[str]:
    filler = english().medicine_filler
    words = re.findall(r"[^\W\d_]+(?:'[a-z]+)?", normalise(words_to_digits(piece)))
    return [w for w in words if w not in filler and len(w) > 2]


def _medicines(text: str, today: date) -> Answer:
    pieces = [p for p in _SPLIT.split(text) if p and p.strip()]
    items: dict[str, dict[str, Any]] = {}
    unknown = 0
    for piece in pieces:
        terms = find_terms(piece, ("medicine",))
        when = _when(piece, today)
        for term in terms:
            item = items.setdefault(term.entry.id, _item(term))
            if when and "last_dose" not in item:
                item["last_dose"] = when
        if not terms and _leftover_words(piece) and yes_no(piece) is None:
            unknown += 1
    if items or (unknown and not text.rstrip().endswith("?")):  # "what is this study?" is no medicine
        return Understood({"none": False, "items": list(items.values()), "unknown": unknown})
    answer = yes_no(text)
    if answer == NO:
        return Understood({"none": True, "items": [], "unknown": 0})
    if answer == UNSURE:
        return Understood(UNSURE)
    return NotUnderstood("which" if answer == YES else "")


def _named(text: str, category: str, today: date, group: str | None = None) -> Answer:
    """Answers that may name things: "yes, MMR in June", "no", "I had shingles"."""
    terms = [t for t in find_terms(text, (category,)) if group is None or t.entry.group == group]
    answer = yes_no(text)
    if terms:
        value = {"answer": NO if answer == NO else YES, "items": [_item(t) for t in terms], "unknown": 0}
        return Understood(value, _when(text, today))
    if answer in (NO, UNSURE):
        return Understood({"answer": answer, "items": [], "unknown": 0})
    if answer == YES and category != "vaccine" and group != "cancer":
        # "yes" is a full answer to "have you had plasma exchange?"
        return Understood({"answer": YES, "items": [], "unknown": 0}, _when(text, today))
    leftover = _leftover_words(text)
    if category == "vaccine" and leftover and _VACCINE_WORDS.search(normalise(text)):
        # A vaccine we do not know: the study team checks it.
        return Understood({"answer": YES, "items": [], "unknown": 1}, _when(text, today))
    if group == "cancer" and leftover:
        return Understood({"answer": YES, "items": [], "unknown": 1})
    return NotUnderstood("which")


_VACCINE_WORDS = re.compile(r"vaccin|\bshots?\b|\bjabs?\b|inject|immuni[sz]|booster|疫苗|针")


def _dose(text: str) -> Answer:
    groups = find_groups(text, "dose")
    for key in ("pulse", "stopped", "started", "changed", "stable"):
        if key in groups:
            return Understood(key)
    answer = yes_no(text)
    mapping = {YES: "stable", NO: "changed", UNSURE: UNSURE}
    return Understood(mapping[answer]) if answer else NotUnderstood()


def understand(question: Question, text: str, today: date) -> Answer:
    """What ``text`` means as an answer to ``question`` on ``today``."""
    if not text or not text.strip() or text.lstrip().startswith("/"):
        return NotUnderstood()  # "/intent{...}" is a command, never an answer
    kind = question.type
    if kind == "yes_no":
        answer = yes_no(text)
        return Understood(answer) if answer else NotUnderstood()
    if kind == "age":
        age = parse_age(text, today)
        if age:
            return Understood(age.as_dict())
        return Understood(UNSURE) if yes_no(text) == UNSURE else NotUnderstood("age")
    if kind == "time_ago":
        ago = parse_days_ago(text, today)
        if ago:
            return Understood(ago.as_dict())
        return Understood(UNSURE) if yes_no(text) == UNSURE else NotUnderstood("date")
    if kind == "lab_protein":
        result = parse_protein(text)
        if result is None:
            return Understood(UNSURE) if yes_no(text) == UNSURE else NotUnderstood()
        if result.measure == NO_UNIT:
            return NotUnderstood("unit")
        return Understood(result.as_dict())
    if kind == "medicine_list":
        return _medicines(text, today)
    if kind == "dose":
        return _dose(text)
    if kind == "procedure":
        return _named(text, "procedure", today)
    if kind == "condition":
        return _named(text, "condition", today, question.group)
    if kind == "vaccine":
        return _named(text, "vaccine", today)
    raise ValueError(f"no understanding for question type {kind!r}")
