"""The messages the bot sends, composed from the trial file's texts.

A message is a dict with ``text`` and, where quick replies fit, ``buttons``
(each ``{"title", "payload"}``), which is what Rasa's dispatcher takes. Some
also carry ``kind`` ("question", "recap", "result", "next_steps", "details"),
a question its id (``question``) and its ``progress`` (``{"number", "total", "label", "opens"}``: the part
of the screen) and ``numbers_answer`` when a bare number is an answer to it,
and the result card its ``outcome``, ``details`` and ``report`` (the doctor's
summary). Every message reads well as text alone: channels that
can show more (the web widget) use the rest; the others ignore it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from bot.language import writing
from bot.reading.answers import TAKES_NUMBERS, is_unclear
from bot.reading.lexicon import lexicon
from bot.scoring import (
    DOES_NOT_MEET,
    LIKELY_NOT,
    MEETS,
    NEEDS_TEAM,
    OUTCOME_NEEDS_TEAM,
    Result,
    Verdict,
    relevant_answers,
)
from bot.session.callback import TIMES
from bot.session.screening import Screening
from bot.trial.model import Question, Trial

Message = dict[str, Any]


def buttons(titles: tuple[str, ...] | list[str]) -> list[dict[str, str]]:
    """Quick replies that send what they show: the question's reader takes them like typed answers."""
    return [{"title": title, "payload": title} for title in titles]


def contacts_text(trial: Trial) -> str:
    return trial.texts["contact"].format(site=trial.info["site"]["name"], contacts=_contacts(trial))


def _contacts(trial: Trial) -> str:
    parts = []
    for c in trial.contacts:
        bits = [c["name"]] + [c[k] for k in ("phone", "email") if c.get(k)]
        parts.append(writing(trial.language).list_separator.join(bits))
    return "; ".join(parts)


def consent_question(trial: Trial) -> Message:
    titles = trial.reply_titles
    return {"text": trial.texts["consent_question"], "buttons": buttons([titles["yes"], titles["no"]])}


def intro(trial: Trial) -> list[Message]:
    info = {"short_name": trial.info["short_name"], "retention_days": trial.retention_days}
    return [
        {"text": trial.texts["intro"].format(**info), "language": trial.language},
        {"text": trial.texts["storage"].format(**info)},
        consent_question(trial),
    ]


def question(screening: Screening, question_id: str, retry: bool = False) -> Message:
    """The question, its quick replies (again after an answer we could not read) and the part of the
    screen it is in. Text channels show the part only as it opens; the widget shows it in its header."""
    trial, q = screening.trial, screening.question(question_id)
    text, replies = q.text, q.replies
    mentioned = screening.mentioned.get(question_id)
    if retry and mentioned:
        # What the answer named, and whether it is theirs: [Yes] [No, someone else] [Not sure]
        text = f"{trial.texts['mentioned'].format(items=_labels(trial, mentioned))} {q.confirm or q.retry}"
        replies = tuple(trial.reply_titles[k] for k in ("yes", "someone_else", "unsure"))
    elif retry:
        text = q.which if q.which and screening.hints.get(question_id) == "which" else q.retry
    number, opens = screening.part(question_id)
    total = len(trial.sections)
    label = trial.texts["progress"].format(number=number, total=total, name=trial.sections[number - 1].name)
    message: Message = {
        "text": text,
        "kind": "question",
        "question": question_id,
        "progress": {"number": number, "total": total, "label": label, "opens": opens and not retry},
    }
    if replies:
        message["buttons"] = buttons(replies)
        if q.type in TAKES_NUMBERS:
            message["numbers_answer"] = True  # "1" is a value here, never the first button
    return message


# ------------------------------------------------------------------------ the result
def next_steps(trial: Trial, outcome: str | None = None) -> Message:
    """Speak with your healthcare provider, and how and when to reach the study team; for someone
    likely not a fit, where to look for other studies."""
    lines = [trial.texts["next_heading"], trial.texts["provider"], contacts_text(trial), phone_hours(trial)]
    if outcome == LIKELY_NOT:
        lines.append(trial.texts["other_studies"])
    return {"text": "\n".join(lines), "kind": "next_steps"}


def phone_hours(trial: Trial) -> str:
    return trial.texts["phone_hours"].format(times=_times(trial))


def _times(trial: Trial) -> str:
    return writing(trial.language).list_separator.join(trial.phone_hours)


def callback_offer(trial: Trial) -> Message:
    """A call-back from the study team, with what it keeps: its own consent, as easy to refuse."""
    text = trial.texts["callback_offer"].format(site=trial.info["site"]["name"], retention_days=trial.retention_days)
    buttons = [
        {"title": trial.texts["callback_yes"], "payload": "/affirm"},
        {"title": trial.texts["callback_no"], "payload": "/deny"},
    ]
    return {"text": text, "kind": "callback_offer", "buttons": buttons}


def callback_question(trial: Trial, step: str, retry: bool = False) -> Message:
    """The call-back's question for ``step`` (name, phone, time), or its retry."""
    text = trial.texts[f"callback_{step}_retry" if retry else f"callback_{step}"].format(times=_times(trial))
    if step != "time":
        return {"text": text}
    return {"text": text, "buttons": buttons(time_titles(trial))}


def time_titles(trial: Trial) -> tuple[str, ...]:
    """The titles of the best times to call, in the order of bot.session.callback.TIMES."""
    return tuple(trial.texts[f"callback_time_{key}"] for key in TIMES)


def closing(trial: Trial, reference: str | None) -> list[Message]:
    """Where to turn, for a screen that ended before any answer."""
    messages = [next_steps(trial)]
    if reference:
        messages.append({"text": trial.texts["reference"].format(reference=reference)})
    return messages


def _deciding(outcome: Result) -> list[Verdict]:
    """The verdicts that decided the outcome: those not met; else the answers the team must check;
    else what the answers showed for the study's inclusion rules."""
    name = outcome.outcome or OUTCOME_NEEDS_TEAM
    if name == LIKELY_NOT:
        return [v for v in outcome.verdicts if v.verdict == DOES_NOT_MEET]
    if name == OUTCOME_NEEDS_TEAM:
        return [v for v in outcome.verdicts if v.verdict == NEEDS_TEAM and not v.site_check]
    return [
        v
        for v in outcome.verdicts
        if v.verdict == MEETS and v.kind == "inclusion" and "not_applicable" not in v.reasons
    ]


def result(
    trial: Trial,
    outcome: Result,
    reference: str | None,
    answers: dict[str, Any],
    today: date,
    mentioned: dict[str, list[dict[str, Any]]] | None = None,
) -> list[Message]:
    """Three messages, each short enough for one SMS part: the outcome card (the outcome, what decided
    it, and for the widget the details and the doctor's summary), what to do next, and the reference
    with the details on request."""
    texts = trial.texts
    card: Message = {
        "text": _card_text(trial, outcome),
        "kind": "result",
        "outcome": outcome.outcome or OUTCOME_NEEDS_TEAM,
        "details": details(trial, outcome),
        "report": report(trial, outcome, reference, answers, today, mentioned),
    }
    offer = [texts["reference"].format(reference=reference)] if reference else []
    last = {
        "text": writing(trial.language).sentence_separator.join([*offer, texts["details_offer"]]),
        "buttons": [_details_button(trial)],
    }
    return [card, next_steps(trial, card["outcome"]), last]


def _card_text(trial: Trial, outcome: Result) -> str:
    """The outcome in one sentence, then up to MAX_REASONS of what decided it, as many as keep the
    card within MAX_CARD_CHARS (always one); the others are in the details."""
    name = outcome.outcome or OUTCOME_NEEDS_TEAM
    texts = trial.texts
    reasons = list(dict.fromkeys(_reason_line(trial, v) for v in _deciding(outcome)))
    team_checks = name != LIKELY_NOT and any(v.verdict == NEEDS_TEAM and v.site_check for v in outcome.verdicts)

    def card(shown: int) -> str:
        lines = [trial.outcomes[name], "", texts["reasons_heading"], *[f"- {r}" for r in reasons[:shown]]]
        if len(reasons) > shown:
            lines.append(texts["reasons_more"].format(count=len(reasons) - shown))
        if team_checks:
            lines.append(texts["team_checks"])
        return "\n".join(lines)

    shown = min(len(reasons), MAX_REASONS)
    while shown > 1 and len(card(shown)) > MAX_CARD_CHARS:
        shown -= 1
    return card(shown)


def _reason_line(trial: Trial, v: Verdict) -> str:
    """A reason as the card gives it. One that says nothing of its rule ("We could not understand
    the answer") says which rule it is about."""
    if set(v.reasons) <= {"not_asked", "not_understood"}:
        return f"{trial.criterion(v.criterion).summary}: {v.text}"
    return v.text


MAX_REASONS = 3
MAX_CARD_CHARS = 600  # what one SMS part (channels/twilio.py) and a phone screen show well
DETAILS = "/details"  # the payload of the "Show details" button


def _details_button(trial: Trial) -> dict[str, str]:
    return {"title": trial.texts["details_button"], "payload": DETAILS}


def details(trial: Trial, outcome: Result) -> list[dict[str, Any]]:
    """Each criterion with its verdict and reason, grouped: not met, for the team to check, looks OK."""
    groups, separator = [], writing(trial.language).list_separator
    for verdict in (DOES_NOT_MEET, NEEDS_TEAM, MEETS):
        # Rules with the same reason are said once, together ("the study team will ask you about
        # it" was said 14 times to someone who stopped early).
        by_reason: dict[str, list[str]] = {}
        for v in outcome.verdicts:
            if v.verdict == verdict:
                by_reason.setdefault(v.text, []).append(trial.criterion(v.criterion).summary)
        items = [
            {"criterion": separator.join(rules), "criteria": rules, "reason": reason}
            for reason, rules in by_reason.items()
        ]
        if items:
            groups.append({"verdict": verdict, "heading": trial.texts[f"details_{verdict}"], "items": items})
    return groups


def details_text(trial: Trial, outcome: Result) -> Message:
    """The details as one text message, for channels with no "Show details" control (SMS, WeChat)."""
    lines, colon = [trial.texts["details_heading"]], writing(trial.language).label_separator
    for group in details(trial, outcome):
        lines += ["", group["heading"] + colon.rstrip()]
        for item in group["items"]:
            if len(item["criteria"]) == 1:
                lines.append(f"- {item['criterion']}{colon}{item['reason']}")
            else:  # the reason once, then each rule it is about
                lines += [f"- {item['reason']}{colon.rstrip()}", *(f"  · {c}" for c in item["criteria"])]
    return {"text": "\n".join(lines), "kind": "details"}


def _verdict_word(trial: Trial, v: Verdict) -> str:
    """ "looks OK", "likely not met"..., or "does not apply" for a rule that is not about this person."""
    return trial.texts["verdict_not_applicable" if "not_applicable" in v.reasons else f"verdict_{v.verdict}"]


def report(
    trial: Trial,
    outcome: Result,
    reference: str | None,
    answers: dict[str, Any],
    today: date,
    mentioned: dict[str, list[dict[str, Any]]] | None = None,
) -> dict[str, Any]:
    """The summary for the person's doctor, as data the widget lays out as a printable page.

    Every word comes from the trial file, in its language; the date is ISO 8601, which no reader
    can take for another day.
    """
    texts, info = trial.texts, trial.info
    name = outcome.outcome or OUTCOME_NEEDS_TEAM
    site = info["site"]
    facts = [
        [texts["report_study"], " ".join(str(info["official_title"]).split())],
        [texts["report_registry"], trial.registry_id],
        [texts["report_site"], f"{site['name']}, {site['city']}"],
        [texts["report_contact"], _contacts(trial)],
        [texts["report_date"], today.isoformat()],
    ]
    if reference:
        facts.append([texts["report_reference"], reference])
    checks = list(dict.fromkeys(v.text for v in outcome.verdicts if v.verdict == NEEDS_TEAM))
    return {
        "lang": trial.language,
        "registry_id": trial.registry_id,
        "date": today.isoformat(),
        "title": texts["report_title"],
        "facts": facts,
        "outcome": [texts["report_outcome"], texts[f"report_{name}"]],
        "sections": [
            {"heading": texts["report_answers"], "rows": answer_rows(trial, answers, mentioned)},
            {
                "heading": texts["report_criteria"],
                "columns": [texts["report_criterion"], texts["report_verdict"]],
                "rows": [[trial.criterion(v.criterion).summary, _verdict_word(trial, v)] for v in outcome.verdicts],
            },
            {"heading": texts["report_checks"], "items": checks},
        ],
        "note": texts["report_note"],
    }


def _ago(trial: Trial, ago: dict[str, Any]) -> str:
    words = trial.answer_words
    low, high = int(ago["min_days"]), int(ago["max_days"])
    if high <= 13:
        return words["days_ago"].format(low=low, high=high)
    if high <= 90:
        return words["weeks_ago"].format(low=round(low / 7), high=round(high / 7))
    return words["months_ago"].format(low=round(low / 30.44), high=round(high / 30.44))


def _names(trial: Trial, category: str, value: dict[str, Any]) -> str:
    """The items named, each with the time it was given with, so a misreading can be caught."""
    words, labels = trial.answer_words, []
    for item in value.get("items", []):
        label = lexicon().entries[f"{category}:{item['id']}"].label_in(trial.language)
        when = item.get("last_dose") or item.get("when")
        labels.append(words["with_time"].format(item=label, time=_ago(trial, when)) if when else label)
    labels += [words["unknown_item"]] * int(value.get("unknown", 0))
    return writing(trial.language).list_separator.join(labels) or words[str(value.get("answer", "none"))]


def _age_words(trial: Trial, value: dict[str, Any]) -> str:
    low, high = value["min_years"], value["max_years"]
    return trial.answer_words["age_years" if low == high else "age_range"].format(low=low, high=high)


def _protein_words(trial: Trial, value: dict[str, Any]) -> str:
    words = trial.answer_words
    if value["measure"] in ("upcr", "protein_24h"):
        grams = f"{value['grams']:.2f}".rstrip("0").rstrip(".")
        return words["ratio" if value["measure"] == "upcr" else "daily"].format(grams=grams)
    return words["not_accepted"]


def _medicine_words(trial: Trial, value: dict[str, Any]) -> str:
    return trial.answer_words["none"] if value.get("none") else _names(trial, "medicine", value)


# How an understood answer of each type of question is said back, in the trial's words and language
# (the readers are bot/reading/answers.py READERS). yes_no and dose answers are words already.
DESCRIBERS: dict[str, Callable[[Trial, Any], str]] = {
    "age": _age_words,
    "time_ago": _ago,
    "lab_protein": _protein_words,
    "medicine_list": _medicine_words,
    "procedure": lambda trial, value: _names(trial, "procedure", value),
    "condition": lambda trial, value: _names(trial, "condition", value),
    "vaccine": lambda trial, value: _names(trial, "vaccine", value),
}


def describe(trial: Trial, question_type: str, value: Any) -> str:
    """An answer's normalised value in a few plain words, for the recap and the doctor's summary."""
    words = trial.answer_words
    if is_unclear(value):
        return words["unclear"]
    if isinstance(value, str):
        return words.get(value, value)  # yes, no, not sure, same dose...
    return DESCRIBERS[question_type](trial, value)


def _answered(
    trial: Trial, answers: dict[str, Any], mentioned: dict[str, list[dict[str, Any]]] | None = None
) -> list[tuple[Question, str]]:
    """Each answer that still counts, with its question (follow-ups named for their item), and what
    an unclear answer named ("not sure (you mentioned lymphoma)")."""
    screening = Screening(trial)
    pairs = []
    for qid, value in relevant_answers(trial, answers).items():
        q = screening.question(qid)
        said, named = describe(trial, q.type, value), (mentioned or {}).get(qid)
        if named:
            said = trial.texts["recap_mentioned"].format(answer=said, items=_labels(trial, named))
        pairs.append((q, said))
    return pairs


def _labels(trial: Trial, items: list[dict[str, Any]]) -> str:
    """Things a person named, in plain words: "lymphoma, a kidney transplant"."""
    labels = []
    for item in items:
        entry = lexicon().entries.get(f"{item['category']}:{item['id']}")
        labels.append(entry.label_in(trial.language) if entry else trial.answer_words.get(item["id"], item["id"]))
    return writing(trial.language).list_separator.join(dict.fromkeys(labels))


def answer_lines(
    trial: Trial, answers: dict[str, Any], mentioned: dict[str, list[dict[str, Any]]] | None = None
) -> list[str]:
    """One line per answer that still counts, for the recap: "- your age: 34"."""
    return [
        trial.texts["recap_line"].format(topic=q.topic, answer=answer)
        for q, answer in _answered(trial, answers, mentioned)
    ]


def answer_rows(
    trial: Trial, answers: dict[str, Any], mentioned: dict[str, list[dict[str, Any]]] | None = None
) -> list[list[str]]:
    """The same in clinical words, for the doctor's summary: ["Age (years)", "34"]."""
    return [[q.label, answer] for q, answer in _answered(trial, answers, mentioned)]


def which_answer(screening: Screening) -> Message:
    """ "Which answer would you like to change?", with a button for each answer (its recap topic),
    and the same buttons grouped by part of the screen (``groups``), which a phone shows as a
    compact list."""
    trial = screening.trial
    groups: dict[int, dict[str, dict[str, str]]] = {}
    for qid in relevant_answers(trial, screening.answers):
        number = trial.section_number(screening.question(qid).section)  # its own part, not the one reached
        topic = screening.question(qid).topic
        groups.setdefault(number, {})[topic] = {"title": topic, "payload": topic}
    buttons = list({b["title"]: b for part in groups.values() for b in part.values()}.values())
    return {
        "text": trial.texts["which_answer"],
        "kind": "which_answer",
        "buttons": buttons,
        "groups": [
            {"heading": trial.sections[number - 1].name, "buttons": list(part.values())}
            for number, part in sorted(groups.items())
        ],
    }


def recap(screening: Screening) -> list[Message]:
    trial = screening.trial
    lines = [trial.texts["recap_heading"], *answer_lines(trial, screening.answers, screening.mentioned)]
    buttons = [
        {"title": trial.texts["recap_yes"], "payload": "/affirm"},
        {"title": trial.texts["recap_change"], "payload": "/correct"},
    ]
    return [{"text": "\n".join(lines), "kind": "recap"}, {"text": trial.texts["recap_question"], "buttons": buttons}]
