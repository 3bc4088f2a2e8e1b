"""The messages the bot sends, composed from the trial file's texts.

A message is a dict with ``text`` and, where quick replies fit, ``buttons``
(each ``{"title", "payload"}``), which is what Rasa's dispatcher takes. Some
also carry ``kind`` ("question", "recap", "summary") and a question its
``progress`` (``{"number", "total"}``): channels that can show more than text
(the web widget) use them; the others ignore them.
"""

from __future__ import annotations

from typing import Any

from bot.lexicon import lexicon
from bot.scoring import DOES_NOT_MEET, NEEDS_TEAM, Result, relevant_answers
from bot.screening import Screening
from bot.trial import Trial
from bot.understand import is_unclear

Message = dict[str, Any]

YES_NO_BUTTONS = [
    {"title": "Yes", "payload": "Yes"},
    {"title": "No", "payload": "No"},
    {"title": "Not sure", "payload": "Not sure"},
]


def contacts_text(trial: Trial) -> str:
    parts = []
    for c in trial.contacts:
        bits = [c["name"]] + [c[k] for k in ("phone", "email") if c.get(k)]
        parts.append(", ".join(bits))
    return trial.texts["contact"].format(site=trial.info["site"]["name"], contacts="; ".join(parts))


def intro(trial: Trial) -> list[Message]:
    info = {"short_name": trial.info["short_name"], "retention_days": trial.retention_days}
    return [
        {"text": trial.texts["intro"].format(**info)},
        {"text": trial.texts["storage"].format(**info)},
        {
            "text": trial.texts["consent_question"],
            "buttons": [{"title": "Yes", "payload": "Yes"}, {"title": "No", "payload": "No"}],
        },
    ]


def question(screening: Screening, question_id: str, retry: bool = False) -> Message:
    q = screening.question(question_id)
    done, total = screening.progress()
    message: Message = {
        "text": q.retry if retry else q.text,
        "kind": "question",
        "progress": {"number": done + 1, "total": total},
    }
    if not retry:
        progress = screening.trial.texts["progress"].format(number=done + 1, total=total)
        message["text"] = f"{progress} {q.text}"
    if q.type in ("yes_no",):
        message["buttons"] = YES_NO_BUTTONS
    return message


def closing(trial: Trial, reference: str | None) -> list[Message]:
    messages = [{"text": trial.texts["provider"]}, {"text": contacts_text(trial)}]
    if reference:
        messages.append({"text": trial.texts["reference"].format(reference=reference)})
    return messages


def result(trial: Trial, outcome: Result, reference: str | None, answers: dict[str, Any]) -> list[Message]:
    """The outcome, the reasons that matter, a summary for their doctor, then provider guidance and contacts."""
    messages: list[Message] = [{"text": trial.texts["result_heading"]}]
    messages.append({"text": trial.outcomes[outcome.outcome or "needs_team"]})
    not_met = [v for v in outcome.verdicts if v.verdict == DOES_NOT_MEET]
    checks = [v for v in outcome.verdicts if v.verdict == NEEDS_TEAM]
    if not_met:
        lines = [f"- {v.text}" for v in not_met]
        messages.append({"text": "\n".join([trial.texts["not_met_heading"], *lines])})
    if checks:
        lines = [f"- {text}" for text in dict.fromkeys(v.text for v in checks)]
        messages.append({"text": "\n".join([trial.texts["checks_heading"], *lines])})
    summary = trial.texts["summary"].format(short_name=trial.info["short_name"], registry_id=trial.registry_id)
    summary_lines = [summary, *answer_lines(trial, answers)] + [
        f"- {trial.criterion(v.criterion).summary}: {trial.texts['verdict_' + v.verdict]}" for v in outcome.verdicts
    ]
    messages.append({"text": "\n".join(summary_lines), "kind": "summary"})
    return messages + closing(trial, reference)


def _ago(words: dict[str, str], ago: dict[str, Any]) -> str:
    low, high = int(ago["min_days"]), int(ago["max_days"])
    if high <= 13:
        return words["days_ago"].format(low=low, high=high)
    if high <= 90:
        return words["weeks_ago"].format(low=round(low / 7), high=round(high / 7))
    return words["months_ago"].format(low=round(low / 30.44), high=round(high / 30.44))


def _names(words: dict[str, str], category: str, value: dict[str, Any]) -> str:
    """The items named, each with the time it was given with, so a misreading can be caught."""
    labels = []
    for item in value.get("items", []):
        label = lexicon().entries[f"{category}:{item['id']}"].label
        when = item.get("last_dose") or item.get("when")
        labels.append(f"{label} ({_ago(words, when)})" if when else label)
    labels += [words["unknown_item"]] * int(value.get("unknown", 0))
    return ", ".join(labels) or words[str(value.get("answer", "none"))]


def describe(trial: Trial, question_type: str, value: Any) -> str:
    """An answer's normalised value in a few plain words, for the recap."""
    words = trial.answer_words
    if is_unclear(value):
        return words["unclear"]
    if isinstance(value, str):
        return words.get(value, value)
    if question_type == "age":
        low, high = value["min_years"], value["max_years"]
        return words["age_years" if low == high else "age_range"].format(low=low, high=high)
    if question_type == "time_ago":
        return _ago(words, value)
    if question_type == "lab_protein":
        if value["measure"] in ("upcr", "protein_24h"):
            grams = f"{value['grams']:.2f}".rstrip("0").rstrip(".")
            return words["ratio" if value["measure"] == "upcr" else "daily"].format(grams=grams)
        return words["not_accepted"]
    if question_type == "medicine_list":
        return words["none"] if value.get("none") else _names(words, "medicine", value)
    category = {"vaccine": "vaccine", "procedure": "procedure", "condition": "condition"}[question_type]
    return _names(words, category, value)


def answer_lines(trial: Trial, answers: dict[str, Any]) -> list[str]:
    """One line per answer that still counts: "- your age: 34"."""
    lines, screening = [], Screening(trial)
    for qid, value in relevant_answers(trial, answers).items():
        q = screening.question(qid)
        lines.append(trial.texts["recap_line"].format(topic=q.topic, answer=describe(trial, q.type, value)))
    return lines


def which_answer(screening: Screening) -> Message:
    """ "Which answer would you like to change?", with a button for each answer (its recap topic)."""
    topics = [screening.question(qid).topic for qid in relevant_answers(screening.trial, screening.answers)]
    buttons = [{"title": topic, "payload": topic} for topic in dict.fromkeys(topics)]
    return {"text": screening.trial.texts["which_answer"], "buttons": buttons}


def recap(screening: Screening) -> list[Message]:
    trial = screening.trial
    lines = [trial.texts["recap_heading"], *answer_lines(trial, screening.answers)]
    buttons = [
        {"title": trial.texts["recap_yes"], "payload": "/affirm"},
        {"title": trial.texts["recap_change"], "payload": "/correct"},
    ]
    return [{"text": "\n".join(lines), "kind": "recap"}, {"text": trial.texts["recap_question"], "buttons": buttons}]
