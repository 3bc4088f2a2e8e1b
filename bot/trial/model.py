"""Load a trial file and check that it is complete and consistent."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import TRIALS_DIR
from bot.trial.texts import TextsError, with_texts
from bot.yamlfile import loads_yaml

QUESTION_TYPES = {
    "age",
    "yes_no",
    "lab_protein",
    "time_ago",
    "medicine_list",
    "procedure",
    "condition",
    "vaccine",
    "dose",
}
VERDICTS = {"meets", "does_not_meet", "needs_team"}
# Reason keys each rule type can produce; a criterion must give a text for each.
RULE_REASONS: dict[str, set[str]] = {
    "age": {"in_range", "too_young", "too_old", "at_minimum", "near_maximum"},
    "site_check": {"site_check"},
    "answer": set(),  # the keys of its `answers` map (and not_applicable)
    "lab_threshold": {
        "above",
        "below",
        "borderline",
        "not_accepted",
        "needs_volume",
        "unknown",
        "no_kidney",
        "kidney_unsure",
        "several",
    },
    "medicine_window": {
        "none",
        "outside",
        "inside",
        "near",
        "when_unknown",
        "route",
        "unverified",
        "unknown_medicine",
    },
    "medicine_dose": {
        "none",
        "stable",
        "changed_outside",
        "pulse_outside",
        "changed_inside",
        "changed_near",
        "stopped",
        "pulse",
        "dose_unknown",
        "route",
        "unverified",
        "unknown_medicine",
    },
    "event_window": {"none", "outside", "inside", "near", "when_unknown", "unsure", "route"},
    "infection": {"none", "recent", "recent_unsure", "chronic", "chronic_unsure", "nail_fungus", "infection_medicine"},
    "vaccine_window": {
        "none",
        "not_live",
        "outside",
        "inside",
        "near",
        "when_unknown",
        "zoster_recombinant",
        "zoster_live",
        "type_unknown",
        "unknown_vaccine",
        "planned_live",
        "planned_check",
        "unsure",
    },
    "history": {"none", "exception", "exception_unconfirmed", "excluded", "unclear", "unsure"},
}


# What a call-back asks and says (actions/callback.py); each time to call has a title.
CALLBACK_TEXTS = {
    "phone_hours",
    "other_studies",
    "callback_offer",
    "callback_yes",
    "callback_no",
    "callback_declined",
    "callback_name",
    "callback_name_retry",
    "callback_phone",
    "callback_phone_retry",
    "callback_time",
    "callback_time_retry",
    "callback_saved",
    "callback_gave_up",
    "callback_cancelled",
    "callback_none",
    "go_back_none",
    "go_back_finished",
} | {f"callback_time_{key}" for key in ("morning", "afternoon", "any")}
REQUIRED_TEXTS = CALLBACK_TEXTS | {
    "intro",
    "storage",
    "consent_question",
    "consent_yes",
    "consent_no",
    "gave_up",
    "progress",
    "reasons_heading",
    "reasons_more",
    "team_checks",
    "next_heading",
    "details_offer",
    "details_button",
    "details_heading",
    "details_does_not_meet",
    "details_needs_team",
    "details_meets",
    "details_later",
    "details_none",
    "report_title",
    "report_study",
    "report_registry",
    "report_site",
    "report_contact",
    "report_date",
    "report_reference",
    "report_outcome",
    "report_answers",
    "report_criteria",
    "report_criterion",
    "report_verdict",
    "report_checks",
    "report_note",
    "report_may_fit",
    "report_needs_team",
    "report_likely_not",
    "provider",
    "contact",
    "reference",
    "stopped",
    "emergency",
    "crisis",
    "not_a_doctor",
    "human",
    "out_of_scope",
    "why_prefix",
    "resume",
    "fallback",
    "blank_message",
    "too_long",
    "technical_problem",
    "start_over",
    "start_over_question",
    "start_over_yes",
    "start_over_no",
    "recap_heading",
    "recap_question",
    "recap_yes",
    "recap_change",
    "which_answer",
    "corrected",
    "not_corrected",
    "recap_line",
    "continue_button",
    "verdict_meets",
    "verdict_does_not_meet",
    "verdict_needs_team",
    "verdict_not_applicable",
    "text_options",
    "text_option",
    "text_words",
    "text_or",
    "sms_help",
    "text_stopped",
    "text_started",
    "wechat_welcome",
    "wechat_help",
    "wechat_not_text",
}


class TrialFileError(ValueError):
    """The trial file is missing something or contradicts itself."""


@dataclass(frozen=True)
class Question:
    id: str
    type: str
    text: str
    retry: str
    why: str
    ask_if: dict[str, list[str]] = field(default_factory=dict)
    group: str | None = None  # for condition questions: which group of conditions
    topic: str = ""  # a few words for the recap: "your age"
    label: str = ""  # the same in clinical words, for the doctor's summary: "Age (years)"
    section: str = ""  # the part of the screen it belongs to (the trial's sections)
    replies: tuple[str, ...] = ()  # quick replies: each is shown and sent as it is
    which: str = ""  # asked after a bare "yes" to a question that wants a name ("which vaccine?")
    # Yes/no questions: names that answer "yes" on their own ("condition:cancer" for "I had lymphoma").
    names: tuple[str, ...] = ()
    # Facts said in *any* other answer that answer this question: "pregnancy", "medicine",
    # "condition:cancer", "procedure:dialysis" (bot/reading/facts.py Fact.is_a).
    volunteered: tuple[str, ...] = ()
    # "future" for a question about what is planned ("a major operation planned?"): planned facts answer it.
    tense: str = "past"
    # Reasons that keep a "no" a no here (lexicon/en.yml no_reasons): "no, I'm a man"; and reasons that
    # say yes on their own ("it was cut out" to "was it removed?").
    no_reasons: tuple[str, ...] = ()
    yes_reasons: tuple[str, ...] = ()
    # Reasons that leave a "no" beside them unclear when they are the person's own: "no, I had a thing
    # removed" to "have you ever had cancer?" (what was removed may have been one).
    doubt_reasons: tuple[str, ...] = ()
    # The days the question asks about ("in the last 4 weeks"): a thing it names, said with a time well
    # before them, does not make the answer a yes ("no, a chest infection in September").
    within_days: int | None = None
    # With no question after it to carry a time, a yes whose time is near the edge of ``within_days``
    # and never inside it ("about 16 days ago" to "in the last 2 weeks?") is "not sure": the team checks.
    edge_unsure: bool = False
    # Kinds the criterion excepts ("condition:nail_fungus"): a yes that names only these is a no.
    excepted: tuple[str, ...] = ()
    # Asked after an answer that named what the question is about but left it unclear ("no, lymphoma"),
    # after "You mentioned ...": "Is that a cancer you have had?"
    confirm: str = ""
    # Follow-ups: the lexicon category of the item they ask about ("medicine", "vaccine"), and the
    # follow-up that a time given in the answer answers ("same dose for 6 weeks" dates the change).
    about: str | None = None
    time_follow_up: str | None = None

    def render(self, **params: str) -> Question:
        """The question with ``{medicine}``-style placeholders filled in."""
        return replace(
            self,
            text=self.text.format(**params),
            retry=self.retry.format(**params),
            why=self.why.format(**params),
            topic=self.topic.format(**params),
            label=self.label.format(**params),
            which=self.which.format(**params),
            confirm=self.confirm.format(**params),
        )


@dataclass(frozen=True)
class FollowUp:
    """A question about one item a person named: ``last_dose:<medicine id>`` asks when they last had it."""

    kind: str  # a key of the trial's follow_ups
    item: str  # the lexicon id of the medicine or vaccine

    @property
    def id(self) -> str:
        return f"{self.kind}:{self.item}"

    @classmethod
    def parse(cls, question_id: str) -> FollowUp | None:
        kind, _, item = question_id.partition(":")
        return cls(kind, item) if item else None


@dataclass(frozen=True)
class Section:
    id: str
    name: str


@dataclass(frozen=True)
class Criterion:
    id: str
    kind: str  # inclusion | exclusion
    listing: str
    summary: str
    rule: dict[str, Any]
    reasons: dict[str, str]

    @property
    def rule_type(self) -> str:
        return str(self.rule["type"])


@dataclass(frozen=True)
class Trial:
    path: Path
    version: str
    digest: str  # sha256 of the file, so a record names the exact criteria it was scored with
    info: dict[str, Any]
    retention_days: int
    coordinator_language: str  # of what the call list says the study team must check
    phone_hours: tuple[str, ...]  # when the study team answers the phone, China time ("8:00–11:30")
    language: str  # of the texts: "en", "zh" (a BCP 47 tag)
    languages: tuple[str, ...]  # every language the trial has texts in, its file's own first
    sections: list[Section]  # in asking order
    reply_titles: dict[str, str]  # quick replies by name ("yes": "Yes")
    questions: dict[str, Question]  # in asking order
    follow_ups: dict[str, Question]
    criteria: list[Criterion]
    outcomes: dict[str, str]
    common_reasons: dict[str, str]
    texts: dict[str, str]
    faq: dict[str, str]
    answer_words: dict[str, str]

    @property
    def registry_id(self) -> str:
        return str(self.info["registry_id"])

    @property
    def contacts(self) -> list[dict[str, str]]:
        return list(self.info["contacts"])

    def criterion(self, criterion_id: str) -> Criterion:
        for c in self.criteria:
            if c.id == criterion_id:
                return c
        raise KeyError(criterion_id)

    def section_number(self, section_id: str) -> int:
        """1 for the first part of the screen."""
        return next(n for n, section in enumerate(self.sections, 1) if section.id == section_id)

    def question(self, question_id: str) -> Question:
        """A main question, or a follow-up such as ``last_dose:<medicine id>`` (unrendered)."""
        if question_id in self.questions:
            return self.questions[question_id]
        follow_up = FollowUp.parse(question_id)
        if follow_up and follow_up.kind in self.follow_ups:
            return self.follow_ups[follow_up.kind]
        raise KeyError(question_id)


def _question(qid: str, raw: dict[str, Any], replies: dict[str, Any]) -> Question:
    for key in ("type", "text", "retry", "why", "topic", "label", "section"):
        if not raw.get(key):
            raise TrialFileError(f"question {qid}: missing {key}")
    if raw["type"] not in QUESTION_TYPES:
        raise TrialFileError(f"question {qid}: unknown type {raw['type']!r}")
    keys = raw.get("replies", replies["by_type"].get(raw["type"], []))
    unknown = [k for k in keys if k not in replies["titles"]]
    if unknown:
        raise TrialFileError(f"question {qid}: unknown quick replies {unknown}")
    ask_if = {k: list(v) for k, v in (raw.get("ask_if") or {}).items()}
    if raw.get("tense", "past") not in ("past", "future"):
        raise TrialFileError(f"question {qid}: tense is past or future, not {raw['tense']!r}")
    return Question(
        id=qid,
        type=raw["type"],
        text=" ".join(raw["text"].split()),
        retry=" ".join(raw["retry"].split()),
        why=" ".join(raw["why"].split()),
        ask_if=ask_if,
        group=raw.get("group"),
        topic=raw["topic"],
        label=raw["label"],
        section=raw["section"],
        replies=tuple(str(replies["titles"][k]) for k in keys),
        which=" ".join(str(raw.get("which", "")).split()),
        names=tuple(raw.get("names") or ()),
        volunteered=tuple(raw.get("volunteered") or ()),
        tense=str(raw.get("tense", "past")),
        no_reasons=tuple(raw.get("no_reasons") or ()),
        yes_reasons=tuple(raw.get("yes_reasons") or ()),
        doubt_reasons=tuple(raw.get("doubt_reasons") or ()),
        within_days=int(raw["within_days"]) if raw.get("within_days") else None,
        edge_unsure=bool(raw.get("edge_unsure", False)),
        excepted=tuple(raw.get("excepted") or ()),
        confirm=" ".join(str(raw.get("confirm", "")).split()),
        about=raw.get("about"),
        time_follow_up=raw.get("time_follow_up"),
    )


def _expected_reasons(rule: dict[str, Any]) -> set[str]:
    expected = set(RULE_REASONS[rule["type"]])
    if rule["type"] == "answer":
        expected |= set(rule["answers"])
    if rule.get("applies_if"):
        expected.add("not_applicable")
    if rule["type"] == "event_window" and rule.get("planned"):
        expected.add("planned")
    if rule["type"] == "site_check" and rule.get("question"):
        expected |= set(rule.get("answers", {}))
    return expected


def _criterion(raw: dict[str, Any], questions: dict[str, Question]) -> Criterion:
    cid = raw.get("id", "?")
    for key in ("id", "kind", "listing", "summary", "rule", "reasons"):
        if not raw.get(key):
            raise TrialFileError(f"criterion {cid}: missing {key}")
    if raw["kind"] not in ("inclusion", "exclusion"):
        raise TrialFileError(f"criterion {cid}: kind must be inclusion or exclusion")
    rule = raw["rule"]
    if rule.get("type") not in RULE_REASONS:
        raise TrialFileError(f"criterion {cid}: unknown rule type {rule.get('type')!r}")
    for key in ("question", "when", "planned", "detail", "gate", "chronic", "exception_confirm"):
        if key in rule and rule[key] not in questions:
            raise TrialFileError(f"criterion {cid}: rule names unknown question {rule[key]!r}")
    for qid in list(rule.get("questions", [])) + list(rule.get("recent", [])):
        if qid not in questions:
            raise TrialFileError(f"criterion {cid}: rule names unknown question {qid!r}")
    for verdict in rule.get("answers", {}).values():
        if verdict not in VERDICTS:
            raise TrialFileError(f"criterion {cid}: unknown verdict {verdict!r}")
    reasons = {k: " ".join(str(v).split()) for k, v in raw["reasons"].items()}
    missing = _expected_reasons(rule) - set(reasons)
    if missing:
        raise TrialFileError(f"criterion {cid}: no reason text for {sorted(missing)}")
    return Criterion(
        id=cid,
        kind=raw["kind"],
        listing=" ".join(raw["listing"].split()),
        summary=raw["summary"],
        rule=rule,
        reasons=reasons,
    )


def _check_sections(sections: list[Section], questions: list[Question]) -> None:
    """Every question is in a known part, and the main questions go through the parts in order."""
    order = [s.id for s in sections]
    if not order or len(set(order)) != len(order):
        raise TrialFileError("sections must be listed, each once")
    for q in questions:
        if q.section not in order:
            raise TrialFileError(f"question {q.id}: unknown section {q.section!r}")
    positions = [order.index(q.section) for q in questions if not q.about]
    if positions != sorted(positions):
        raise TrialFileError("questions must be listed part by part, in the order of the sections")


def trial_file(choice: str | None = None, trials: Path = TRIALS_DIR) -> Path:
    """The file of the trial to serve: ``choice`` (a process passes its ``Settings.trial``), else the only
    file in ``trials``.

    A choice is a registry id (the name of a file in ``trials``) or a path. With several trial
    files and no choice, it refuses, saying how to choose: a process serves the trial it is told to.
    """
    if choice:
        named = trials / f"{choice}.yml"
        return named if named.is_file() else Path(choice)
    files = sorted(f for f in trials.glob("*.yml") if "." not in f.stem)  # not the translations (x.zh.yml)
    if len(files) != 1:
        names = ", ".join(f.stem for f in files) or "none"
        raise TrialFileError(f"{len(files)} trial files in {trials} ({names}): set SCREENER_TRIAL to one of them")
    return files[0]


def translations(path: Path) -> dict[str, Path]:
    """The trial's other languages: ``<id>.zh.yml`` beside ``<id>.yml``, by language."""
    return {f.stem.split(".", 1)[1]: f for f in sorted(path.parent.glob(f"{path.stem}.*.yml"))}


def _translated(raw: dict[str, Any], path: Path, language: str | None) -> tuple[dict[str, Any], tuple[str, ...]]:
    """The trial file in ``language`` (its own when None), and every language it has. Every
    translation is checked, whichever is asked for: a text missing in one language stops the trial."""
    own = str(raw.get("language", "en"))
    chosen = raw
    for lang, file in translations(path).items():
        texts = loads_yaml(file.read_text(encoding="utf-8"))
        if texts.get("language") != lang:
            raise TrialFileError(f"{file.name}: says it is in {texts.get('language')!r}, not {lang!r}")
        try:
            translated = with_texts(raw, dict(texts["texts"]), lang)
        except TextsError as e:
            raise TrialFileError(f"{file.name}: {e}") from e
        if lang == language:
            chosen = {**translated, "language": lang}
    languages = (own, *translations(path))
    if language is not None and language not in languages:
        raise TrialFileError(f"{path.name}: no texts in {language!r} (it has {', '.join(languages)})")
    return chosen, languages


def load_trial(path: Path | str | None = None, language: str | None = None) -> Trial:
    """The trial file at ``path`` (default: ``trial_file()``), loaded and checked, with its texts in
    ``language`` (default: the file's own)."""
    path = Path(path) if path else trial_file()
    text = path.read_text(encoding="utf-8")
    raw = loads_yaml(text)
    if raw.get("schema") != 1:
        raise TrialFileError(f"{path.name}: unsupported schema {raw.get('schema')!r}")
    raw, languages = _translated(raw, path, language)
    sections = [Section(str(x["id"]), str(x["name"])) for x in raw["sections"]]
    replies = raw["quick_replies"]
    questions: dict[str, Question] = {}
    for q in raw["questions"]:
        if q["id"] in questions:
            raise TrialFileError(f"question {q['id']} defined twice")
        questions[q["id"]] = _question(q["id"], q, replies)
    for q in questions.values():
        for other in q.ask_if:
            if other not in questions:
                raise TrialFileError(f"question {q.id}: ask_if names unknown question {other!r}")
    follow_ups = {k: _question(k, v, replies) for k, v in (raw.get("follow_ups") or {}).items()}
    _check_sections(sections, list(questions.values()) + list(follow_ups.values()))
    criteria = [_criterion(c, questions) for c in raw["criteria"]]
    for c in criteria:
        if c.rule.get("follow_up") and c.rule["follow_up"] not in follow_ups:
            raise TrialFileError(f"criterion {c.id}: unknown follow-up {c.rule['follow_up']!r}")
    ids = [c.id for c in criteria]
    if len(ids) != len(set(ids)):
        raise TrialFileError("criterion ids must be unique")
    outcomes = {k: " ".join(v.split()) for k, v in raw["outcomes"].items()}
    if set(outcomes) != {"may_fit", "needs_team", "likely_not"}:
        raise TrialFileError("outcomes must define may_fit, needs_team and likely_not")
    common = {k: " ".join(v.split()) for k, v in raw["common_reasons"].items()}
    for key in ("not_asked", "not_understood", "medicines_unsure"):
        if key not in common:
            raise TrialFileError(f"common_reasons must define {key}")
    texts = {k: " ".join(str(v).split()) for k, v in raw["texts"].items()}
    missing_texts = REQUIRED_TEXTS - set(texts)
    if missing_texts:
        raise TrialFileError(f"texts must define {sorted(missing_texts)}")
    info = dict(raw["trial"])
    info["contacts"] = [dict(c) for c in info.get("contacts", [])]
    if not info["contacts"]:
        raise TrialFileError("the trial needs at least one contact")
    try:
        ZoneInfo(str(info["site"].get("time_zone")))
    except (ValueError, KeyError) as error:  # ZoneInfoNotFoundError is a KeyError
        raise TrialFileError(f"site.time_zone must name a time zone, like Asia/Shanghai: {error}") from error
    if not (raw.get("phone_hours") or {}).get("times"):
        raise TrialFileError("phone_hours must give the times the study team answers the phone")
    return Trial(
        path=path,
        version=str(raw["version"]),
        digest=hashlib.sha256(text.encode("utf-8")).hexdigest(),
        info=info,
        retention_days=int(raw["records"]["retention_days"]),
        coordinator_language=str(raw["records"].get("coordinator_language", raw.get("language", "en"))),
        phone_hours=tuple(str(t) for t in (raw.get("phone_hours") or {}).get("times", ())),
        language=str(raw.get("language", "en")),
        languages=languages,
        sections=sections,
        reply_titles={str(k): str(v) for k, v in replies["titles"].items()},
        questions=questions,
        follow_ups=follow_ups,
        criteria=criteria,
        outcomes=outcomes,
        common_reasons=common,
        texts=texts,
        faq={k: " ".join(str(v).split()) for k, v in (raw.get("faq") or {}).items()},
        answer_words={str(k): str(v) for k, v in raw["answer_words"].items()},
    )


@lru_cache(maxsize=8)
def cached_trial(choice: str | None = None, language: str | None = None) -> Trial:
    """The trial a process serves (``trial_file(choice)``), in ``language``, chosen and loaded once:
    actions ask for it many times a turn."""
    return load_trial(trial_file(choice), language)
