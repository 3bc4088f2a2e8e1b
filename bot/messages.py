"""The messages the bot sends, composed from the trial file's texts.

A message is a dict with ``text`` and, where quick replies fit, ``buttons``
(each ``{"title", "payload"}``), which is what Rasa's dispatcher takes.
"""

from __future__ import annotations

from typing import Any

from bot.scoring import DOES_NOT_MEET, NEEDS_TEAM, Result
from bot.screening import Screening
from bot.trial import Trial

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
    message: Message = {"text": q.retry if retry else q.text}
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


def result(trial: Trial, outcome: Result, reference: str | None) -> list[Message]:
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
    summary_lines = [summary] + [
        f"- {trial.criterion(v.criterion).summary}: {trial.texts['verdict_' + v.verdict]}" for v in outcome.verdicts
    ]
    messages.append({"text": "\n".join(summary_lines)})
    return messages + closing(trial, reference)
