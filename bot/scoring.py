"""Score the answers so far against every criterion of a trial.

Each criterion gets meets / does not meet / needs the study team (or
"pending" while a question it needs is unanswered), with a plain reason from
the trial file. The overall outcome follows screener-principles.md §1:
a clear "does not meet" ends the screen early, and a criterion only the
study site can check (``site_check``) never by itself turns "may be a fit"
into "needs the study team".
"""

from __future__ import annotations

import json
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bot.language import writing
from bot.reading.ages import Age
from bot.reading.answers import NO, UNSURE, YES, is_unclear
from bot.reading.clauses import union
from bot.reading.lexicon import lexicon
from bot.reading.times import DaysAgo, classify_window
from bot.trial.model import Criterion, FollowUp, Trial

MEETS, DOES_NOT_MEET, NEEDS_TEAM, PENDING = "meets", "does_not_meet", "needs_team", "pending"
_SEVERITY = {MEETS: 0, NEEDS_TEAM: 1, DOES_NOT_MEET: 2}
MAY_FIT, OUTCOME_NEEDS_TEAM, LIKELY_NOT = "may_fit", "needs_team", "likely_not"

Answers = dict[str, Any]


@dataclass(frozen=True)
class Finding:
    verdict: str
    reason: str  # a key of the criterion's reasons, or of the trial's common_reasons
    params: dict[str, str] = field(default_factory=dict)
    site_check: bool = False


@dataclass(frozen=True)
class Pending:
    questions: tuple[str, ...]


@dataclass(frozen=True)
class Verdict:
    criterion: str
    kind: str  # inclusion | exclusion
    verdict: str
    reasons: tuple[str, ...]  # reason keys
    text: str  # the reasons in plain words
    site_check: bool = False


@dataclass(frozen=True)
class Result:
    verdicts: tuple[Verdict, ...]
    outcome: str | None  # None while questions that matter are unanswered
    next_questions: tuple[str, ...]
    ended_early: bool

    def verdict(self, criterion_id: str) -> Verdict:
        return next(v for v in self.verdicts if v.criterion == criterion_id)


# --------------------------------------------------------------------------- helpers
def _ask_if_state(trial: Trial, answers: Answers, qid: str) -> bool | None:
    """Whether a question should be asked: True, False, or None while unknown."""
    question = trial.questions.get(qid)
    if question is None:
        return True  # follow-ups carry no conditions of their own
    return _conditions_hold(trial, answers, question.ask_if)


def _answer_word(value: Any) -> Any:
    return value.get("answer") if isinstance(value, dict) and "answer" in value else value


def _conditions_hold(trial: Trial, answers: Answers, conditions: dict[str, list[str]]) -> bool | None:
    unknown = False
    for qid, allowed in conditions.items():
        if qid in answers:
            if _answer_word(answers[qid]) not in allowed:
                return False
            continue
        asked = _ask_if_state(trial, answers, qid)
        if asked is False:
            return False  # never asked, so the condition cannot hold
        unknown = True
    return None if unknown else True


def _unresolved(trial: Trial, answers: Answers, conditions: dict[str, list[str]]) -> tuple[str, ...]:
    """The unanswered questions a condition is waiting for."""
    waiting: list[str] = []
    for qid in conditions:
        if qid in answers:
            continue
        state = _ask_if_state(trial, answers, qid)
        if state is None:
            waiting.extend(_unresolved(trial, answers, trial.questions[qid].ask_if))
        elif state:
            waiting.append(qid)
    return tuple(waiting)


def _window(ago: Any, rule: dict[str, Any]) -> str:
    return classify_window(DaysAgo.from_dict(ago), int(rule["window_days"]), int(rule["margin_days"]))


def _label(trial: Trial, category: str, item: dict[str, Any]) -> str:
    entry = lexicon().entries.get(f"{category}:{item['id']}")
    return entry.label_in(trial.language) if entry else str(item["id"])


def _list(trial: Trial, labels: list[str]) -> str:
    return writing(trial.language).list_separator.join(labels)


def _route(category: str, item: dict[str, Any]) -> bool:
    entry = lexicon().entries.get(f"{category}:{item['id']}")
    return bool(entry and entry.route)


Outcome = list[Finding] | Pending
Handler = Callable[[Trial, Criterion, Answers], Outcome]


# --------------------------------------------------------------------------- handlers
def _age(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    rule, qid = c.rule, c.rule["question"]
    if qid not in answers:
        return Pending((qid,))
    if answers[qid] == UNSURE or is_unclear(answers[qid]):
        return [Finding(NEEDS_TEAM, "not_understood")]
    age = Age.from_dict(answers[qid])
    low, high = int(rule["min_years"]), int(rule["max_years"])

    def one(years: int) -> Finding:
        if years < low:
            return Finding(DOES_NOT_MEET, "too_young")
        if years > high:
            return Finding(DOES_NOT_MEET, "too_old")
        if years == low and rule.get("min_exclusive"):
            return Finding(NEEDS_TEAM, "at_minimum")
        if years == high and (age.days_to_birthday is None or age.days_to_birthday <= int(rule["margin_days"])):
            return Finding(NEEDS_TEAM, "near_maximum")
        return Finding(MEETS, "in_range")

    findings = {(f.verdict, f.reason): f for f in map(one, range(age.min_years, age.max_years + 1))}
    if len(findings) == 1:
        return list(findings.values())
    # A birth year alone can straddle a limit: the study team checks.
    near_top = age.max_years >= high
    return [Finding(NEEDS_TEAM, "near_maximum" if near_top else "at_minimum")]


def _applies(trial: Trial, c: Criterion, answers: Answers) -> bool | Pending:
    conditions = c.rule.get("applies_if") or {}
    state = _conditions_hold(trial, answers, conditions)
    if state is None:
        return Pending(_unresolved(trial, answers, conditions))
    return state


def _answer(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    applies = _applies(trial, c, answers)
    if isinstance(applies, Pending):
        return applies
    if not applies:
        return [Finding(MEETS, "not_applicable")]
    qid = c.rule.get("question")
    if qid is None:
        return [Finding(NEEDS_TEAM, "site_check", site_check=True)]
    if qid not in answers:
        return Pending((qid,))
    value = answers[qid]
    if is_unclear(value):
        return [Finding(NEEDS_TEAM, "not_understood")]
    mapped = c.rule.get("answers", {}).get(value)
    if mapped is None:  # a site check whose answer is "yes": the site confirms
        return [Finding(NEEDS_TEAM, "site_check", site_check=True)]
    return [Finding(mapped, value)]


def _lab(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    rule = c.rule
    waiting = tuple(q for q in (rule["gate"], rule["question"]) if q not in answers)
    if waiting:
        return Pending(waiting)
    value = answers[rule["question"]]
    if is_unclear(value):
        finding = Finding(NEEDS_TEAM, "not_understood")
    elif value == UNSURE:
        finding = Finding(NEEDS_TEAM, "unknown")
    elif value["measure"] in ("uacr", "dipstick"):
        finding = Finding(NEEDS_TEAM, "not_accepted")
    elif value["measure"] == "several":
        finding = Finding(NEEDS_TEAM, "several")
    elif value["measure"] == "bound":
        finding = Finding(NEEDS_TEAM, "borderline")
    elif value["measure"] == "concentration":
        finding = Finding(NEEDS_TEAM, "needs_volume")
    else:
        low = _protein_finding(float(value["grams"]), rule)
        high = _protein_finding(float(value.get("grams_max") or value["grams"]), rule)
        # A range that spans the line ("110-125 mg/mmol") is for the study team.
        finding = low if low.reason == high.reason else Finding(NEEDS_TEAM, "borderline")
    gate = answers[rule["gate"]]
    if finding.verdict == MEETS and gate != YES:
        # A result above the line means nothing for this study unless lupus is in the kidneys: not
        # told so, or not sure, the team checks the records.
        finding = Finding(NEEDS_TEAM, "no_kidney" if gate == NO else "kidney_unsure")
    return [finding]


def _protein_finding(grams: float, rule: dict[str, Any]) -> Finding:
    threshold = float(rule["threshold_g"])
    epsilon = 1e-9  # 1100 mg/g must compare equal to 1.0 + 0.1
    if grams > threshold + float(rule["borderline_above_g"]) + epsilon:
        return Finding(MEETS, "above")
    if grams <= threshold - float(rule["borderline_below_g"]) + epsilon:
        return Finding(DOES_NOT_MEET, "below")
    return Finding(NEEDS_TEAM, "borderline")


def _medicine_items(c: Criterion, answers: Answers) -> tuple[list[dict[str, Any]], list[Finding]] | Pending:
    """The medicines named in the rule's questions, and findings for unknown ones."""
    waiting = tuple(q for q in c.rule["questions"] if q not in answers)
    if waiting:
        return Pending(waiting)
    items: dict[str, dict[str, Any]] = {}
    findings: list[Finding] = []
    for qid in c.rule["questions"]:
        value = answers[qid]
        if is_unclear(value):
            findings.append(Finding(NEEDS_TEAM, "not_understood"))
        elif value == UNSURE:
            findings.append(Finding(NEEDS_TEAM, "medicines_unsure"))
        else:
            for item in value["items"]:
                _merge_item(items, item, "last_dose")
            if value["unknown"]:
                findings.append(Finding(NEEDS_TEAM, "unknown_medicine"))
    return list(items.values()), findings


def _merge_item(items: dict[str, dict[str, Any]], item: dict[str, Any], time_key: str) -> None:
    """One item named twice (in two answers) counts once; two times for it cover both (the team settles it)."""
    seen = items.get(item["id"])
    if seen is None:
        items[item["id"]] = dict(item)
        return
    seen["verified"] = seen["verified"] and item["verified"]
    if item.get(time_key):
        seen[time_key] = union(seen[time_key], item[time_key]) if seen.get(time_key) else item[time_key]


def _item_time(answers: Answers, item: dict[str, Any], time_key: str, follow_up: str) -> Any:
    """The time given with the item, the answer to its follow-up, or both combined."""
    given, asked = item.get(time_key), answers.get(FollowUp(follow_up, item["id"]).id)
    if given and isinstance(asked, dict) and not is_unclear(asked):
        return union(given, asked)
    return given or asked


def _timed(rule: dict[str, Any], ago: Any, params: dict[str, str], inside: str = DOES_NOT_MEET) -> Finding:
    if ago == UNSURE or is_unclear(ago):
        return Finding(NEEDS_TEAM, "when_unknown", params)
    where = _window(ago, rule)
    return Finding({"inside": inside, "near": NEEDS_TEAM, "outside": MEETS}[where], where, params)


def _medicine_window(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    found = _medicine_items(c, answers)
    if isinstance(found, Pending):
        return found
    items, findings = found
    rule, waiting = c.rule, []
    for item in items:
        params = {"medicine": _label(trial, "medicine", item)}
        if item["kind"] in rule.get("route_classes", []):
            findings.append(Finding(NEEDS_TEAM, "route", params))
        elif item["kind"] not in rule["classes"]:
            continue
        elif not item["verified"]:
            findings.append(Finding(NEEDS_TEAM, "unverified", params))
        elif _route("medicine", item):
            findings.append(Finding(NEEDS_TEAM, "route", params))
        else:
            ago = _item_time(answers, item, "last_dose", "last_dose")
            if ago is None:
                waiting.append(FollowUp("last_dose", item["id"]).id)
            else:
                findings.append(_timed(rule, ago, params))
    if waiting:
        return Pending(tuple(waiting))
    return findings or [Finding(MEETS, "none")]


def _long_before(answers: Answers, item: dict[str, Any], rule: dict[str, Any]) -> bool:
    """A medicine the team would hear about (a steroid pulse), last given clearly outside the window
    ("IV steroid pulses back in April"): nothing to check for this rule."""
    ago = _item_time(answers, item, "last_dose", "last_dose")
    return isinstance(ago, dict) and not is_unclear(ago) and _window(ago, rule) == "outside"


def _medicine_dose(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    found = _medicine_items(c, answers)
    if isinstance(found, Pending):
        return found
    items, findings = found
    rule, waiting = c.rule, []
    for item in items:
        mid = item["id"]
        params = {"medicine": _label(trial, "medicine", item)}
        flagged = _route("medicine", item) and not _long_before(answers, item, rule)
        if item["kind"] in rule.get("route_classes", []) or (flagged and rule.get("route_any_flagged")):
            # e.g. an unnamed immunosuppressant or an IV steroid pulse: the study team decides.
            findings.append(Finding(NEEDS_TEAM, "route", params))
            continue
        if item["kind"] not in rule["classes"]:
            continue
        if not item["verified"]:
            findings.append(Finding(NEEDS_TEAM, "unverified", params))
            continue
        if flagged:
            findings.append(Finding(NEEDS_TEAM, "route", params))
            continue
        if mid in rule.get("pulse_medicines", []):
            # Given as drips, never a steady daily dose: only the date of the last one matters.
            ago = _item_time(answers, item, "last_dose", "last_dose")
            if ago is None:
                waiting.append(FollowUp("last_dose", mid).id)
            elif ago == UNSURE or is_unclear(ago) or _window(ago, rule) != "outside":
                findings.append(Finding(NEEDS_TEAM, "pulse", params))
            else:
                findings.append(Finding(MEETS, "pulse_outside", params))
            continue
        # A start or change said with the name ("I started it 6 weeks ago") outweighs a later "same dose";
        # so does taking it only since a time inside the window ("on it for 5 weeks").
        dose = item.get("dose") or answers.get(FollowUp("dose", mid).id)
        ago = item.get("dose_when") or answers.get(FollowUp("dose_when", mid).id)
        since = item.get("since")
        if since and _window(since, rule) != "outside" and dose in (None, "stable"):
            dose, ago = "started", since
        if dose is None:
            waiting.append(FollowUp("dose", mid).id)
        elif dose == "stable" and ago is None:
            findings.append(Finding(MEETS, "stable", params))
        elif dose == "pulse":
            findings.append(Finding(NEEDS_TEAM, "pulse", params))
        elif dose in (UNSURE,) or is_unclear(dose):
            findings.append(Finding(NEEDS_TEAM, "dose_unknown", params))
        else:  # changed, started or stopped, or steady only since a time given ("for 6 weeks"): when?
            if ago is None:
                waiting.append(FollowUp("dose_when", mid).id)
            elif ago == UNSURE or is_unclear(ago):
                findings.append(Finding(NEEDS_TEAM, "dose_unknown", params))
            else:
                where = _window(ago, rule)
                if where == "outside":
                    findings.append(Finding(MEETS, "stable" if dose == "stable" else "changed_outside", params))
                elif dose == "stopped":
                    # Whether stopping counts as "unstable" is for the study team (domain-reference §10.5).
                    findings.append(Finding(NEEDS_TEAM, "stopped", params))
                elif where == "inside":
                    findings.append(Finding(DOES_NOT_MEET, "changed_inside", params))
                else:
                    findings.append(Finding(NEEDS_TEAM, "changed_near", params))
    if waiting:
        return Pending(tuple(waiting))
    return findings or [Finding(MEETS, "none")]


def _event_window(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    rule, qid = c.rule, c.rule["question"]
    if qid not in answers:
        return Pending((qid,))
    value, findings, waiting = answers[qid], [], []
    answer = _answer_word(value)
    kinds = {i["kind"] for i in value.get("items", [])} if isinstance(value, dict) else set()
    if kinds & set(rule.get("route", [])) or (isinstance(value, dict) and value.get("unknown")):
        findings.append(Finding(NEEDS_TEAM, "route"))  # something we could not name: the team checks
    # A bare yes counts, so does a kind the rule counts; something unknown alone is the team's to name,
    # never a reason to rule anyone out ("no, a blood transfusion in October, if that matters?").
    unknown_only = not kinds and isinstance(value, dict) and bool(value.get("unknown"))
    counted = not unknown_only and (not kinds or bool(kinds & set(rule.get("counts", kinds))))
    if is_unclear(value):
        findings.append(Finding(NEEDS_TEAM, "not_understood"))
    elif answer == UNSURE:
        findings.append(Finding(NEEDS_TEAM, "unsure"))
    elif answer == YES and counted:
        ago = answers.get(rule["when"])
        if ago is None:
            waiting.append(rule["when"])
        elif ago == UNSURE or is_unclear(ago):
            findings.append(Finding(NEEDS_TEAM, "when_unknown"))
        else:
            findings.append(_timed(rule, ago, {}, rule.get("inside_verdict", DOES_NOT_MEET)))
    planned = rule.get("planned")
    if planned:
        if planned not in answers:
            waiting.append(planned)
        elif answers[planned] == YES:
            findings.append(Finding(NEEDS_TEAM, "planned"))
        elif answers[planned] == UNSURE or is_unclear(answers[planned]):
            findings.append(Finding(NEEDS_TEAM, "unsure"))
    if waiting:
        return Pending(tuple(waiting))
    return findings or [Finding(MEETS, "none")]


def _infection(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    rule = c.rule
    questions = [*rule["recent"], rule["chronic"], *rule.get("medicine_questions", [])]
    waiting = tuple(q for q in questions if q not in answers)
    if waiting:
        return Pending(waiting)
    findings = []
    for qid in rule["recent"]:
        if answers[qid] == YES:
            findings.append(Finding(DOES_NOT_MEET, "recent"))
        elif answers[qid] == UNSURE or is_unclear(answers[qid]):
            findings.append(Finding(NEEDS_TEAM, "recent_unsure"))
    chronic = answers[rule["chronic"]]
    if is_unclear(chronic) or _answer_word(chronic) == UNSURE:
        findings.append(Finding(NEEDS_TEAM, "chronic_unsure"))
    elif _answer_word(chronic) == YES:
        items = chronic.get("items", [])
        # An acute infection dated well before the recent questions' weeks ("甲肝 as a kid") is history.
        over = int(rule.get("acute_over_days", 0))
        past = [i for i in items if i["kind"] == "acute" and over and i.get("when") and i["when"]["min_days"] > over]
        named = [i for i in items if i["kind"] != "nail_fungus" and i not in past]
        if items and not named:
            findings.append(Finding(MEETS, "nail_fungus" if len(past) < len(items) else "none"))
        else:
            label = (
                _list(trial, [_label(trial, "condition", i) for i in named]) or trial.answer_words["these_infections"]
            )
            findings.append(Finding(NEEDS_TEAM, "chronic", {"condition": label}))
    # A medicine for hepatitis B, HIV or TB gives away an infection the person may not have named.
    for qid in rule.get("medicine_questions", []):
        value = answers.get(qid)
        for item in value.get("items", []) if isinstance(value, dict) else []:
            if item["id"] in rule.get("infection_medicines", []):
                findings.append(
                    Finding(NEEDS_TEAM, "infection_medicine", {"medicine": _label(trial, "medicine", item)})
                )
    return findings or [Finding(MEETS, "none")]


def _vaccine_window(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    rule = c.rule
    recent_q, planned_q = rule["question"], rule["planned"]
    findings: list[Finding] = []
    waiting: list[str] = []
    recent = answers.get(recent_q)
    if recent is None:
        waiting.append(recent_q)
    elif is_unclear(recent):
        findings.append(Finding(NEEDS_TEAM, "not_understood"))
    elif _answer_word(recent) == UNSURE:
        findings.append(Finding(NEEDS_TEAM, "unsure"))
    elif _answer_word(recent) == YES:
        if recent["unknown"]:
            findings.append(Finding(NEEDS_TEAM, "unknown_vaccine"))
        for item in recent["items"]:
            params = {"vaccine": _label(trial, "vaccine", item)}
            kind = item["kind"]
            if not item["verified"]:
                findings.append(Finding(NEEDS_TEAM, "unknown_vaccine", params))
            elif kind in ("non_live", "not_vaccine"):  # an antibody or antitoxin injection is no vaccine at all
                findings.append(Finding(MEETS, "not_live", params))
            elif kind == "zoster_recombinant":
                findings.append(Finding(MEETS, "zoster_recombinant", params))
            elif kind in ("zoster_live", "zoster_unknown"):
                # The listing exempts "herpes zoster vaccination"; whether that covers live ones is open.
                findings.append(Finding(NEEDS_TEAM, "zoster_live", params))
            elif kind == "live":
                ago = _item_time(answers, item, "when", rule["follow_up"])
                if ago is None:
                    waiting.append(FollowUp(rule["follow_up"], item["id"]).id)  # asked for each live vaccine
                else:
                    findings.append(_timed(rule, ago, params))
            else:  # type_unknown: a name that covers live and non-live vaccines
                findings.append(Finding(NEEDS_TEAM, "type_unknown", params))
    planned = answers.get(planned_q)
    if planned is None:
        waiting.append(planned_q)
    elif is_unclear(planned) or _answer_word(planned) == UNSURE:
        findings.append(Finding(NEEDS_TEAM, "unsure"))
    elif _answer_word(planned) == YES:
        kinds = {i["kind"] for i in planned["items"] if i["verified"]}
        # A name read from a slip ("shingels shot") is the team's to check: it counted for nothing, and
        # a planned vaccine named only by slips met the criterion (a false "may be a fit").
        unverified = any(not i["verified"] for i in planned["items"])
        if "live" in kinds:
            findings.append(Finding(NEEDS_TEAM, "planned_live"))
        elif (
            planned["unknown"] or not planned["items"] or unverified or not kinds <= {"non_live", "zoster_recombinant"}
        ):
            findings.append(Finding(NEEDS_TEAM, "planned_check"))
    if waiting:
        return Pending(tuple(dict.fromkeys(waiting)))
    return findings or [Finding(MEETS, "none")]


def _history(trial: Trial, c: Criterion, answers: Answers) -> Outcome:
    rule, qid = c.rule, c.rule["question"]
    if qid not in answers:
        return Pending((qid,))
    value = answers[qid]
    if is_unclear(value):
        return [Finding(NEEDS_TEAM, "not_understood")]
    if value == NO:
        return [Finding(MEETS, "none")]
    if value == UNSURE:
        return [Finding(NEEDS_TEAM, "unsure")]
    detail = answers.get(rule["detail"])
    if detail is None:
        return Pending((rule["detail"],))
    if is_unclear(detail) or _answer_word(detail) != YES:
        return [Finding(NEEDS_TEAM, "unclear")]
    items = [i for i in detail["items"] if i["verified"]]
    excluded = [i for i in items if i["kind"] in rule["excluding_kinds"]]
    if excluded and detail["unknown"] and all(str(i["id"]).endswith("_unspecified") for i in excluded):
        return [Finding(NEEDS_TEAM, "unclear")]  # "基地细胞癌" (a slip of 基底): a kind not known, beside more
    if excluded:
        label = _list(trial, [_label(trial, "condition", i) for i in excluded])
        return [Finding(DOES_NOT_MEET, "excluded", {"condition": label})]
    exception = len(items) == len(detail["items"]) and not detail["unknown"]
    if items and exception and all(i["kind"] in rule["exception_kinds"] for i in items):
        # The exception holds only for a cancer that was removed or cured: ask.
        confirm = rule["exception_confirm"]
        if confirm not in answers:
            return Pending((confirm,))
        return (
            [Finding(MEETS, "exception")] if answers[confirm] == YES else [Finding(NEEDS_TEAM, "exception_unconfirmed")]
        )
    return [Finding(NEEDS_TEAM, "unclear")]


HANDLERS: dict[str, Handler] = {
    "age": _age,
    "site_check": _answer,
    "answer": _answer,
    "lab_threshold": _lab,
    "medicine_window": _medicine_window,
    "medicine_dose": _medicine_dose,
    "event_window": _event_window,
    "infection": _infection,
    "vaccine_window": _vaccine_window,
    "history": _history,
}


# --------------------------------------------------------------------------- scoring
def _reason_text(trial: Trial, c: Criterion, finding: Finding) -> str:
    template = c.reasons.get(finding.reason) or trial.common_reasons[finding.reason]
    return template.format(**finding.params)


def _verdict(trial: Trial, c: Criterion, findings: list[Finding]) -> Verdict:
    worst = max(findings, key=lambda f: _SEVERITY[f.verdict]).verdict
    chosen = [f for f in findings if f.verdict == worst]
    texts = list(dict.fromkeys(_reason_text(trial, c, f) for f in chosen))
    return Verdict(
        criterion=c.id,
        kind=c.kind,
        verdict=worst,
        reasons=tuple(dict.fromkeys(f.reason for f in chosen)),
        text=writing(trial.language).sentence_separator.join(texts),
        site_check=all(f.site_check for f in chosen),
    )


def _order_key(trial: Trial, qid: str, answers: Answers) -> tuple[float, int, int]:
    order = list(trial.questions)
    if qid in trial.questions:
        return (order.index(qid), 0, 0)
    follow_up = FollowUp.parse(qid)
    assert follow_up is not None
    # A follow-up about an item comes right after the last question of its kind (the medicine
    # questions, the vaccine question), in the order the items were named.
    about = trial.follow_ups[follow_up.kind].about
    kinds = {"medicine": ("medicine_list",), "vaccine": ("vaccine",)}.get(about or "", ())
    lists = [i for i, q in enumerate(trial.questions.values()) if q.type in kinds]
    naming = [i for i in lists if follow_up.item in {x["id"] for x in _items(answers, order[i])}]
    anchor = max(naming or lists or [len(order)])
    named = [i["id"] for q in trial.questions.values() if q.type in kinds for i in _items(answers, q.id)]
    position = named.index(follow_up.item) if follow_up.item in named else len(named)
    return (anchor + 0.5, position, list(trial.follow_ups).index(follow_up.kind))


def _items(answers: Answers, qid: str) -> list[dict[str, Any]]:
    value = answers.get(qid)
    return list(value.get("items", [])) if isinstance(value, dict) else []


def relevant_answers(trial: Trial, answers: Answers) -> Answers:
    """The answers without those to questions that would no longer be asked.

    After "could you have a child?" changes from yes to no, the earlier
    pregnancy answers no longer count.
    """
    kept = dict(answers)
    changed = True
    while changed:
        changed = False
        for qid in list(kept):
            if qid in trial.questions and _ask_if_state(trial, kept, qid) is False:
                del kept[qid]
                changed = True
    return kept


_REMEMBERED = 256  # results kept by ``scored``: a few per conversation in flight
_scored: OrderedDict[tuple[int, bool, str], tuple[Trial, Result]] = OrderedDict()


def scored(trial: Trial, answers: Answers, final: bool = False) -> Result:
    """``score``, remembered for the same trial and answers. The action server asks which question
    is next several times for one message (rasa_sdk's form asks for its required slots three times,
    then the ask action once more), each time from the same answers; a result is immutable, and
    depends on nothing else (dates are read into the answers)."""
    key = (id(trial), final, json.dumps(answers, sort_keys=True, default=repr))
    kept = _scored.get(key)
    if kept is not None and kept[0] is trial:  # the trial itself is kept, so its id is not reused
        _scored.move_to_end(key)
        return kept[1]
    result = score(trial, answers, final)
    _scored[key] = (trial, result)
    while len(_scored) > _REMEMBERED:
        _scored.popitem(last=False)
    return result


def score(trial: Trial, answers: Answers, final: bool = False) -> Result:
    """Verdicts for every criterion; ``final`` turns unanswered ones into "needs the study team"."""
    answers = relevant_answers(trial, answers)
    verdicts: list[Verdict] = []
    waiting: list[str] = []
    for c in trial.criteria:
        outcome = HANDLERS[c.rule_type](trial, c, answers)
        if isinstance(outcome, Pending):
            waiting.extend(q for q in outcome.questions if q not in waiting)
            if final:
                verdicts.append(_verdict(trial, c, [Finding(NEEDS_TEAM, "not_asked")]))
            else:
                verdicts.append(Verdict(c.id, c.kind, PENDING, (), ""))
        else:
            verdicts.append(_verdict(trial, c, outcome))
    excluded = any(v.verdict == DOES_NOT_MEET for v in verdicts)
    askable = [q for q in waiting if _ask_if_state(trial, answers, q) is not False]
    for q in list(askable):
        state = _ask_if_state(trial, answers, q)
        if state is None:  # ask what the condition depends on first
            askable.remove(q)
            askable.extend(x for x in _unresolved(trial, answers, trial.questions[q].ask_if) if x not in askable)
    next_questions = () if excluded or final else tuple(sorted(askable, key=lambda q: _order_key(trial, q, answers)))
    if excluded:
        outcome_name: str | None = LIKELY_NOT
    elif next_questions:
        outcome_name = None
    elif any(v.verdict == NEEDS_TEAM and not v.site_check for v in verdicts):
        outcome_name = OUTCOME_NEEDS_TEAM
    elif any(v.verdict == PENDING for v in verdicts):
        outcome_name = OUTCOME_NEEDS_TEAM  # a question that matters could not be asked
    else:
        outcome_name = MAY_FIT
    return Result(
        verdicts=tuple(verdicts),
        outcome=outcome_name,
        next_questions=next_questions,
        ended_early=excluded and bool(askable),
    )
