"""Held-out sets: people and messages written from ``docs/sources/`` alone, before a change to the
reader, by someone who had not read it (``tests/data/heldout/``, one dated file per set).

They are played as a person meets the screener:
- **answers**: each person's whole screening, through the engine and through the real servers
  (the trained classifier, the red-flag layers, the actions), once retyping an answer the bot asks
  again and once tapping the button they would tap;
- **red flags**: each message typed at its question, through the keyword layer alone and through
  the real servers, then typed again after the alarm.

A set is never tuned on: once measured before and after a change, it is folded into the tuned
tables and the next one is written. ``python -m tests.heldout`` prints the figures that
``make safety-report`` keeps.
"""

from __future__ import annotations

import argparse
import json
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from bot.reading.red_flags import find_red_flag, on_day
from bot.scoring import MAY_FIT, OUTCOME_NEEDS_TEAM
from bot.session.screening import Screening
from bot.trial.model import FollowUp, load_trial
from bot.yamlfile import load_yaml
from tests.safety import FIT

HELDOUT_SETS = Path(__file__).parent / "data" / "heldout"
TRIAL = load_trial()
MODES = ("retype", "tap")
NOT_MAY_FIT = "not_may_fit"
# Every question that asks "when?" is answered with the person's reply to it (`replies: last_dose`), or
# else their `replies: when`.
_WHEN = {"last_dose", "dose_when", "vaccine_when", "plasma_procedure_when", "surgery_when"}
_MAX_TURNS = 80


# --------------------------------------------------------------------------- the sets
@dataclass(frozen=True)
class Person:
    id: str
    lang: str
    style: str
    answers: dict[str, str]
    replies: dict[str, str]
    tap: dict[str, str]
    expect: str  # may_fit | needs_team | likely_not | not_may_fit
    today: date
    source: str

    def says(self, qid: str, attempt: int, mode: str, which: bool = False) -> str:
        """What this person answers when the bot asks ``qid`` for the ``attempt``-th time (0: the first)."""
        first = self._first(qid)
        if attempt == 0:
            return first
        if which and self.replies.get("which"):
            return str(self.replies["which"])  # "which treatment was it?"
        if mode == "tap" and self.tap.get(qid):
            return str(self.tap[qid])
        return first  # people retype what they meant

    def _first(self, qid: str) -> str:
        if qid in self.answers:
            return str(self.answers[qid])
        follow_up = FollowUp.parse(qid)
        kind = follow_up.kind if follow_up else qid
        if kind in _WHEN:  # the follow-up's own key, or `when` for every one
            return str(self.replies.get(kind) or self.replies.get("when") or "I don't remember")
        if kind in self.replies:
            return str(self.replies[kind])
        return FIT.get(qid, "not sure")

    def holds(self, outcome: str) -> bool:
        return outcome != MAY_FIT if self.expect == NOT_MAY_FIT else outcome == self.expect


@dataclass(frozen=True)
class Alarm:
    id: str
    lang: str
    at: str  # the question being answered when it is typed
    text: str
    expect: str  # emergency | crisis | none
    source: str
    written: date  # the day it was written: "三月份" is read as the writer meant it


def _index() -> dict[str, Any]:
    return dict(load_yaml(HELDOUT_SETS / "sets.yml"))


def measuring() -> Path:
    """The set under measurement: written before the change, not yet tuned on."""
    return HELDOUT_SETS / str(_index()["measuring"])


def folded() -> list[Path]:
    """The sets already measured and folded into the tuned tests."""
    return [HELDOUT_SETS / str(name) for name, info in _index()["sets"].items() if info.get("folded")]


def _files(pattern: str, sets: Path) -> list[Path]:
    return sorted(sets.glob(pattern))


def people(sets: Path) -> list[Person]:
    found = []
    for path in _files("answers*.yml", sets):
        raw = load_yaml(path)
        today = date.fromisoformat(str(raw["today"]))
        for case in raw["cases"]:
            found.append(
                Person(
                    id=str(case["id"]),
                    lang=str(case["lang"]),
                    style=str(case.get("style", "plain")),
                    answers={str(k): str(v) for k, v in case["answers"].items()},
                    replies={str(k): str(v) for k, v in (case.get("replies") or {}).items()},
                    tap={str(k): str(v) for k, v in (case.get("tap") or {}).items()},
                    expect=str(case["expect"]),
                    today=today,
                    source=f"{sets.name}/{path.name}",
                )
            )
    return found


def alarms(sets: Path) -> list[Alarm]:
    found = []
    for path in _files("red-flags*.yml", sets):
        raw = load_yaml(path)
        written = date.fromisoformat(str(raw["written"]))
        for case in raw["cases"]:
            found.append(
                Alarm(
                    str(case["id"]),
                    str(case["lang"]),
                    str(case["at"]),
                    str(case["text"]),
                    case["expect"],
                    f"{sets.name}/{path.name}",
                    written,
                )
            )
    return found


# --------------------------------------------------------------------------- playing
@dataclass
class Played:
    outcome: str
    alarms: int = 0  # emergency or crisis messages met on the way
    asked_again: int = 0
    stuck: bool = False  # the bot kept asking one question the person could not answer otherwise


def play_engine(person: Person, mode: str) -> Played:
    """The whole screening through the engine alone (no classifier, no dialogue)."""
    screening, played = Screening(TRIAL), Played("")
    for _ in range(_MAX_TURNS):
        qid = screening.current_question_id()
        if qid is None:
            break
        attempt = screening.misses.get(qid, 0)
        text = person.says(qid, attempt, mode, which=screening.hints.get(qid) == "which")
        turn = screening.answer(text, person.today, qid)
        played.asked_again += not turn.understood and not turn.gave_up
    played.outcome = str(screening.result(final=True).outcome)
    return played


Say = Callable[[str, str], list[dict[str, Any]]]  # (sender, text) -> the bot's messages


# The trial in each of its languages: the bot answers in the language the person writes in.
TRIALS = [load_trial(None, language) for language in TRIAL.languages]


def _is_alarm(message: dict[str, Any]) -> str | None:
    text = message.get("text", "")
    for key in ("emergency", "crisis"):
        if text and any(text == trial.texts[key] for trial in TRIALS):
            return key
    return None


def play_servers(say: Say, person: Person, mode: str) -> Played:
    """The whole screening through the real servers (REST channel), as a person: retyping or tapping."""
    sender, played = f"heldout-{person.id}-{mode}-{uuid.uuid4().hex[:8]}", Played("")
    said = say(sender, "hello") + say(sender, "yes")
    answered: str | None = None
    attempts: Counter[str] = Counter()
    for _ in range(_MAX_TURNS):
        played.alarms += sum(_is_alarm(m) is not None for m in said)
        card = next((m for m in said if m.get("kind") == "result"), None)
        if card:
            played.outcome = str(card.get("outcome"))
            return played
        asked = [m for m in said if m.get("question")]
        if not asked:
            if any(m.get("kind") == "recap" for m in said):
                said = say(sender, "yes")
                continue
            said = say(sender, "/resume")  # a message the bot could not place: go on with the question
            attempts["/resume"] += 1
            if attempts["/resume"] > 3:
                break
            continue
        message = asked[-1]
        qid = str(message["question"])
        again = qid == answered
        attempt = attempts[qid] if again else 0
        if again:
            played.asked_again += 1
        if attempt >= 4:  # the same question over and over: the person gives up on it
            played.stuck = True
            text = "not sure"
        else:
            which_texts = {t.question(qid).which for t in TRIALS} - {""} if again else set()
            which = any(m.get("text") in which_texts for m in asked)
            text = person.says(qid, attempt, mode, which=which)
        attempts[qid] = attempt + 1
        answered = qid
        said = say(sender, text)
    played.outcome = played.outcome or "unfinished"
    return played


# --------------------------------------------------------------------------- figures
def _rate(part: int, whole: int) -> float:
    return round(part / whole, 4) if whole else 0.0


def people_figures(results: list[tuple[Person, Played]]) -> dict[str, Any]:
    must_not_fit = [(p, r) for p, r in results if p.expect != MAY_FIT]
    harmless = [(p, r) for p, r in results if p.expect == MAY_FIT]
    false_fits = [p.id for p, r in must_not_fit if r.outcome == MAY_FIT]
    to_team = [p.id for p, r in harmless if r.outcome != MAY_FIT]
    figures: dict[str, Any] = {
        "people": len(results),
        "must_not_fit": len(must_not_fit),
        "false_fits": len(false_fits),
        "harmless": len(harmless),
        "harmless_sent_to_team": len(to_team),
        "harmless_sent_to_team_rate": _rate(len(to_team), len(harmless)),
        "harmless_ruled_out": sum(r.outcome == "likely_not" for p, r in harmless),
        "as_expected": sum(p.holds(r.outcome) for p, r in results),
        "with_an_alarm": sum(r.alarms > 0 for _, r in results),
        "asked_again": sum(r.asked_again for _, r in results),
        "stuck": sum(r.stuck for _, r in results),
        "unfinished": sum(r.outcome not in (MAY_FIT, OUTCOME_NEEDS_TEAM, "likely_not") for _, r in results),
    }
    figures["by_lang"] = {
        lang: {
            "people": sum(p.lang == lang for p, _ in results),
            "false_fits": sum(p.lang == lang and r.outcome == MAY_FIT for p, r in must_not_fit),
            "harmless_sent_to_team": sum(p.lang == lang and r.outcome != MAY_FIT for p, r in harmless),
            "harmless": sum(p.lang == lang for p, _ in harmless),
        }
        for lang in sorted({p.lang for p, _ in results})
    }
    figures["false_fit_ids"] = false_fits
    figures["harmless_sent_to_team_ids"] = to_team
    return figures


def alarm_figures(found: list[tuple[Alarm, str | None, str | None]]) -> dict[str, Any]:
    """``found``: each message with the alarm it got ("emergency", "crisis" or None), and the one
    its second sending got."""
    figures: dict[str, Any] = {}
    for lang in sorted({a.lang for a, _, _ in found}):
        mine = [(a, first, again) for a, first, again in found if a.lang == lang]
        per: dict[str, Any] = {}
        for kind in ("emergency", "crisis"):
            cases = [(a, got) for a, got, _ in mine if a.expect == kind]
            caught = [a for a, got in cases if got is not None]
            per[kind] = {
                "cases": len(cases),
                "caught": len(caught),
                "recall": _rate(len(caught), len(cases)),
                "right_message": sum(got == kind for _, got in cases),
                "missed_ids": [a.id for a, got in cases if got is None],
            }
        ordinary = [(a, got, again) for a, got, again in mine if a.expect == "none"]
        per["ordinary"] = {
            "cases": len(ordinary),
            "false_alarms": sum(got is not None for _, got, _ in ordinary),
            "false_alarm_rate": _rate(sum(got is not None for _, got, _ in ordinary), len(ordinary)),
            "false_alarm_ids": [a.id for a, got, _ in ordinary if got is not None],
            "alarm_again_when_retyped": sum(got is not None and again is not None for _, got, again in ordinary),
        }
        figures[lang] = per
    return figures


def keyword_alarm(alarm: Alarm) -> str | None:
    with on_day(alarm.written):
        flag = find_red_flag(alarm.text)
    return None if flag is None else ("crisis" if flag.is_self_harm else "emergency")


def _on_the_way(at: str) -> dict[str, str]:
    """Answers that lead the screen to ``at``: its conditions met ("yes" to "ever had cancer?")."""
    answers = {**FIT, "cancer_type": "basal cell carcinoma"}
    waiting = [at]
    while waiting:
        for qid, allowed in TRIAL.question(waiting.pop()).ask_if.items():
            answers[qid] = str(allowed[0])
            waiting.append(qid)
    return answers


def alarm_through_servers(say: Say, alarm: Alarm) -> tuple[str | None, str | None]:
    """The alarm a message gets at its question, and the one it gets when sent again right after."""
    sender = f"heldout-{alarm.id}-{uuid.uuid4().hex[:8]}"
    route = _on_the_way(alarm.at)
    said = say(sender, "hello") + say(sender, "yes")
    for _ in range(_MAX_TURNS):
        asked = [str(m["question"]) for m in said if m.get("question")]
        if not asked:
            raise RuntimeError(f"{alarm.id}: the screen ended before {alarm.at} was asked")
        if asked[-1] == alarm.at:
            break
        said = say(sender, route.get(asked[-1], "not sure"))
    else:
        raise RuntimeError(f"{alarm.id}: {alarm.at} was never asked")

    def got(messages: list[dict[str, Any]]) -> str | None:
        return next((kind for kind in map(_is_alarm, messages) if kind), None)

    first = got(say(sender, alarm.text))
    return first, got(say(sender, alarm.text))


def _parallel(work: Callable[[Any], Any], items: Iterable[Any], threads: int = 6) -> list[Any]:
    with ThreadPoolExecutor(threads) as pool:
        return list(pool.map(work, items))


# --------------------------------------------------------------------------- the tuned sets
# The same people and messages drawn from the tables the reader was tuned on, for the figures beside
# the held-out ones: a stratified sample of the safety cases, and every red-flag phrase.
_ASKED_AT = ("age", "medicines", "pregnant_or_breastfeeding", "infection_serious", "serious_illness", "willing")


def _tap_of(text: str) -> str:
    """The button a hurried person taps: the one their message began with ("no, except ..." -> No)."""
    words = text.lower().replace(",", " ").split()
    first = words[0] if words else ""
    if first in ("no", "nope", "nah", "none", "never", "nothing", "not") or text.startswith(("没", "无", "不", "都没")):
        return "No"
    if first in ("yes", "yeah", "yep") or text.startswith(("是", "有", "对")):
        return "Yes"
    return ""


def tuned_people(per_stratum: int = 2, seed: int = 2026) -> list[Person]:
    """A stratified sample of the safety table's cases (tests/safety.py), as people."""
    import random
    from collections import defaultdict

    from tests.safety import HARMLESS, MUST_NOT_FIT, TODAY, all_cases

    strata: dict[tuple[str, ...], list[Any]] = defaultdict(list)
    for group, cases in all_cases().items():
        if group in MUST_NOT_FIT or group in HARMLESS:
            for case in cases:
                strata[(group, case.section, case.question, str(case.text.isascii()))].append(case)
    rng, found = random.Random(seed), list[Person]()
    for key in sorted(strata):
        for case in rng.sample(strata[key], min(per_stratum, len(strata[key]))):
            tap = _tap_of(case.text)
            replies = {"when": case.time or "I don't remember", "dose": case.dose}
            found.append(
                Person(
                    id=f"{key[0]}-{len(found)}",
                    lang="en" if case.text.isascii() else "zh",
                    style="tuned",
                    answers={**case.follow, case.question: case.text},
                    replies={**replies, **case.follow},
                    tap={case.question: tap} if tap else {},
                    expect=case.expect,
                    today=TODAY,
                    source="tests/data/safety_facts.yml",
                )
            )
    return found


def tuned_alarms() -> list[Alarm]:
    """Every phrase of tests/data/red_flag_phrases.yml, each typed at one of a few questions."""
    raw = load_yaml(Path(__file__).parent / "data" / "red_flag_phrases.yml")
    found = []
    for lang, by_category in raw["positives"].items():
        for category, texts in by_category.items():
            expect = "crisis" if category == "self_harm" else "emergency"
            found += [(lang, str(t), expect) for t in texts]
    found += [(lang, str(t), "none") for lang, texts in raw["negatives"].items() for t in texts]
    return [
        Alarm(
            f"tuned-{i}",
            lang,
            _ASKED_AT[i % len(_ASKED_AT)],
            text,
            expect,
            "tests/data/red_flag_phrases.yml",
            date.today(),
        )
        for i, (lang, text, expect) in enumerate(found)
    ]


# --------------------------------------------------------------------------- reports
def report_engine(persons: list[Person], messages: list[Alarm]) -> dict[str, Any]:
    return {
        **{f"answers_{mode}": people_figures([(p, play_engine(p, mode)) for p in persons]) for mode in MODES},
        "red_flags_keyword_layer": alarm_figures([(a, keyword_alarm(a), None) for a in messages]),
    }


def report_servers(say: Say, persons: list[Person], messages: list[Alarm]) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for mode in MODES:
        played = _parallel(lambda p: play_servers(say, p, mode), persons)  # noqa: B023 (used at once)
        figures[f"answers_{mode}"] = people_figures(list(zip(persons, played, strict=True)))
    found = _parallel(lambda a: alarm_through_servers(say, a), messages)
    figures["red_flags_whole_pipeline"] = alarm_figures([(a, f, s) for a, (f, s) in zip(messages, found, strict=True)])
    return figures


def _through_servers(today: date, work: Callable[[Say], dict[str, Any]]) -> dict[str, Any]:
    import tempfile

    from tests.servers import running_servers

    with tempfile.TemporaryDirectory() as workdir, running_servers(Path(workdir), {"SCREENER_TODAY": str(today)}) as s:
        return work(s.say)


def counts_only(figures: Any) -> Any:
    """``figures`` without the ids of the cases behind them."""
    if isinstance(figures, dict):
        return {k: counts_only(v) for k, v in figures.items() if not k.endswith("_ids")}
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sets", type=Path, default=None, help="a held-out set (default: the one under measurement)")
    parser.add_argument("--servers", action="store_true", help="also play them through the real servers")
    parser.add_argument("--tuned", action="store_true", help="also the tuned sets, for the figures beside")
    parser.add_argument("--before", type=Path, help="the set's figures before the change (default: its before.json)")
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    sets = args.sets or measuring()
    persons, messages = people(sets), alarms(sets)
    heldout: dict[str, Any] = {
        "sets": sorted({p.source for p in persons} | {a.source for a in messages}),
        "engine": report_engine(persons, messages),
    }
    result: dict[str, Any] = {"heldout": heldout}
    if args.servers:
        today = min(p.today for p in persons)
        heldout["servers"] = _through_servers(today, lambda say: report_servers(say, persons, messages))
    if args.tuned:
        tuned_persons, tuned_messages = tuned_people(), tuned_alarms()
        tuned: dict[str, Any] = {"engine": report_engine(tuned_persons, tuned_messages)}
        if args.servers:
            today = tuned_persons[0].today
            tuned["servers"] = _through_servers(today, lambda say: report_servers(say, tuned_persons, tuned_messages))
        result["tuned"] = tuned
    before = args.before or sets / "before.json"
    if before.exists():
        heldout["before"] = json.loads(before.read_text(encoding="utf-8"))
    if sets.resolve() not in [f.resolve() for f in folded()]:
        result["heldout"] = counts_only(heldout)  # which cases fail stays unseen until the set is folded
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


def figure_table(columns: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """A README table of what a person gets through the real servers, one column per set of figures
    (tests/test_readme.py checks the README holds these lines)."""

    def fits(f: dict[str, Any]) -> str:
        return f"{f['answers_retype']['false_fits']} / {f['answers_tap']['false_fits']}"

    def team(f: dict[str, Any]) -> str:
        return " / ".join(f"{f[m]['harmless_sent_to_team_rate']:.0%}" for m in ("answers_retype", "answers_tap"))

    def flags(kind: str) -> Callable[[dict[str, Any]], str]:
        def show(f: dict[str, Any]) -> str:
            by_lang = f["red_flags_whole_pipeline"]
            key = "false_alarm_rate" if kind == "ordinary" else "recall"
            return " / ".join(f"{by_lang[lang][kind][key]:.0%}" for lang in ("en", "zh"))

        return show

    rows = [
        ('false "may be a fit", retyping / tapping', fits),
        ("harmless answers sent to the study team, retyping / tapping", team),
        ("emergencies given the emergency message, English / Chinese", flags("emergency")),
        ("thoughts of self-harm given the crisis message, English / Chinese", flags("crisis")),
        ("ordinary answers given an alarm, English / Chinese", flags("ordinary")),
    ]
    lines = ["| through the real servers | " + " | ".join(title for title, _ in columns) + " |"]
    lines.append("| --- |" + " --- |" * len(columns))
    return lines + ["| " + label + " | " + " | ".join(show(f) for _, f in columns) + " |" for label, show in rows]


def readme_tables(report: dict[str, Any], folded_set: Path) -> tuple[list[str], list[str]]:
    """The README's two tables: the newest held-out set before and after beside the tuned sample, and
    the folded set before and after the change it measured."""
    held = report["heldout"]
    name = held["sets"][0].split("/")[0]
    newest = figure_table(
        [
            (f"held-out {name}: before", held["before"]["servers"]),
            ("after", held["servers"]),
            ("tuned sample", report["tuned"]["servers"]),
        ]
    )
    before = json.loads((folded_set / "before.json").read_text(encoding="utf-8"))
    after = json.loads((folded_set / "after.json").read_text(encoding="utf-8"))
    first = figure_table([(f"{folded_set.name}: before", before["servers"]), ("after", after["heldout"]["servers"])])
    return newest, first


if __name__ == "__main__":
    main()
