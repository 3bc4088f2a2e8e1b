"""Work out which earlier answer a person wants to change ("actually I'm 45", "no wait, it was in May")."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.reading.answers import YES, NotUnderstood, content_words, understand
from bot.reading.clauses import pregnancy_now
from bot.reading.words import normalise
from bot.session.screening import Screening

# Words that only say "this is a correction"; what is left is the new answer.
_LEAD = re.compile(
    r"^(?:(?:oops|sorry|actually|wait|no wait|hold on|hang on|correction|my mistake|i made a mistake|"
    r"that was wrong|that's wrong|thats wrong|i meant to say|i meant|i mean|change (?:it|that) to|"
    r"i want to change (?:my answer|an answer|something)|let me correct that|scratch that)[\s,.:;!-]*)+"
)
_CHANGE_TO = re.compile(r"\bchange (?:my|the) (?P<topic>[\w\s]+?) to\b")

# Question types whose answers are specific enough to recognise on their own, in the order they
# are tried: a condition before a vaccine ("I have hepatitis B" is no hepatitis B vaccine). A yes
# or no goes to the yes/no question it shares words with (_yes_no_correction).
_SPECIFIC = ("age", "lab_protein", "medicine_list", "condition", "procedure", "vaccine", "time_ago")
_FUTURE = re.compile(
    r"\b(will|going to|need|next|plan|planned|expect|expecting|soon)\b|'ll\b|要|将|打算|准备|明年|下个"
)
# An age said as one ("I'm 45", "my age is 45", "born 1980"), not a year or a time of something else.
_AGE_WORDS = re.compile(r"\b(age|aged|old|born|birthday)\b|岁|年龄|出生|^(i'?m|i am)?\s*\d{1,3}$")


@dataclass(frozen=True)
class Correction:
    question_id: str
    value: Any = None
    ask_again: bool = False  # the person picked the answer to change (a recap line): ask its question again


# Chinese says a correction with these anywhere: "不对，我是45岁", "刚才说错了", "改成没有".
_ZH_CORRECTS = re.compile(r"说错|写错|打错|不对|改成|改为|改一下|更正|纠正|应该是")


def says_it_corrects(text: str) -> bool:
    """Words that say "this changes an earlier answer" ("actually", "I meant", "说错了")."""
    return (
        strip_lead(text) != normalise(text).strip()
        or bool(_CHANGE_TO.search(normalise(text)))
        or bool(_ZH_CORRECTS.search(text))
    )


def strip_lead(text: str) -> str:
    clean = normalise(text)
    return _LEAD.sub("", _CHANGE_TO.sub("", clean)).strip()


def _answered(screening: Screening) -> list[str]:
    """Answered questions, the most recent first."""
    return list(reversed(list(screening.answers)))


def find_correction(screening: Screening, text: str, today: date) -> Correction | None:
    """The question the person means and the new value, or None if it is not clear.

    A correction never changes an answer it is not about: a yes or no goes to the yes/no
    question whose words it shares, and to none when that is not clear.
    """
    if text.lstrip().startswith("/"):
        return None  # a button or typed command says nothing about which answer
    answered = _answered(screening)
    picked = [q for q in answered if normalise(screening.question(q).topic) == normalise(text)]
    if picked:
        return Correction(picked[0], ask_again=True)  # a recap line chosen from the buttons
    if pregnancy_now(text):
        pregnancy = next((q for q in screening.trial.questions.values() if "pregnancy" in q.volunteered), None)
        if pregnancy:
            return Correction(pregnancy.id, YES)
    rest = strip_lead(text)
    if not rest:
        return None
    by_type: dict[str, list[str]] = {}
    for qid in answered:
        by_type.setdefault(screening.question(qid).type, []).append(qid)
    # Every medicine counts the same wherever it was named, so add it to the first list.
    order = list(screening.trial.questions)
    by_type.get("medicine_list", []).sort(key=lambda q: order.index(q) if q in order else len(order))
    for kind in _SPECIFIC:
        if kind == "age" and not _AGE_WORDS.search(rest):
            continue  # "sorry, the operation was in 2019" is no age of 7
        fits = []
        for qid in by_type.get(kind, []):
            understood = understand(screening.question(qid), rest, today)
            if not isinstance(understood, NotUnderstood) and not _is_plain_yes_no(understood.value):
                fits.append((qid, understood.value))
        if len(fits) > 1 and kind == "vaccine":
            # "I had MMR 3 weeks ago" is about the vaccines had (asked first), "I will need MMR" about
            # those expected (asked last).
            fits.sort(key=lambda fit: order.index(fit[0]) if fit[0] in order else len(order))
            if _FUTURE.search(rest):
                fits.reverse()
        if fits:
            qid, value = fits[0]
            return Correction(qid, _merge(screening, qid, value))
    return _yes_no_correction(screening, by_type.get("yes_no", []), rest, today)


def _yes_no_correction(screening: Screening, answered: list[str], rest: str, today: date) -> Correction | None:
    """ "actually I would use birth control": the one yes/no question that shares words with it."""
    words = {w.removesuffix("s") for w in content_words(rest)}
    if not words:
        return None
    shared = {qid: len(words & _topic_words(screening, qid)) for qid in answered}
    best = max(shared.values(), default=0)
    matches = [qid for qid, n in shared.items() if n == best]
    if best == 0 or len(matches) != 1:
        return None
    understood = understand(screening.question(matches[0]), rest, today)
    return None if isinstance(understood, NotUnderstood) else Correction(matches[0], understood.value)


def _topic_words(screening: Screening, qid: str) -> set[str]:
    question = screening.question(qid)
    return {w.removesuffix("s") for w in content_words(f"{question.topic} {question.text}")}


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
