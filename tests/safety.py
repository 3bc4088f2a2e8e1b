"""Safety cases composed from the independent fact table, and the engine that plays them.

The facts (``tests/data/safety_facts.yml``) were written from the domain reference and the clinical
review, never from ``lexicon/`` or ``trials/``: what a case must *not* end in comes from there, not
from the code under test. Each case is one person: every question answered the "may be a fit" way
except the one that carries the fact, follow-ups answered as that person would (the same time
again, "it changed" for a changed dose), and an answer the bot asks again repeated once, as
people do. ``python -m tests.safety`` prints the figures ``make safety-report`` keeps.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any

from bot.reading.red_flags import evaluate
from bot.scoring import MAY_FIT, OUTCOME_NEEDS_TEAM
from bot.session.screening import Screening
from bot.trial.model import FollowUp, load_trial
from bot.yamlfile import load_yaml

DATA = Path(__file__).parent / "data"
TODAY = date(2026, 11, 25)
TRIAL = load_trial()
TRIALS = {"en": TRIAL, "zh": load_trial(None, "zh")}  # a case in Chinese is a whole screen in Chinese
FACTS: dict[str, Any] = load_yaml(DATA / "safety_facts.yml")

# Answers of someone who may be a fit, in the order the bot asks.
FIT = {
    "age": "34",
    "lupus_diagnosis": "yes",
    "kidney_involvement": "yes",
    "protein_result": "UPCR 1.8 g/g",
    "pregnant_or_breastfeeding": "no",
    "could_have_children": "yes",
    "could_become_pregnant": "yes",
    "contraception_agree": "yes",
    "cancer_history": "no",
    "medicines": "hydroxychloroquine and prednisone",
    "infusions": "no",
    "plasma_procedure": "no",
    "infection_serious": "no",
    "infection_treated": "no",
    "chronic_infection": "no",
    "surgery_recent": "no",
    "surgery_planned": "no",
    "vaccine_recent": "no",
    "vaccine_planned": "no",
    "serious_illness": "no",
    "willing": "yes",
}
# The same person in Chinese, as people in China type.
FIT_ZH = {
    "age": "34岁",
    "lupus_diagnosis": "是的",
    "kidney_involvement": "是",
    "protein_result": "尿蛋白肌酐比1.8克/克",
    "pregnant_or_breastfeeding": "没有",
    "could_have_children": "可以",
    "could_become_pregnant": "是",
    "contraception_agree": "愿意",
    "cancer_history": "没有",
    "medicines": "羟氯喹和泼尼松",
    "infusions": "没有",
    "plasma_procedure": "没做过",
    "infection_serious": "没有",
    "infection_treated": "没有",
    "chronic_infection": "没有",
    "surgery_recent": "没有",
    "surgery_planned": "没有",
    "vaccine_recent": "没打过",
    "vaccine_planned": "不打算",
    "serious_illness": "没有",
    "willing": "愿意",
}
FITS = {"en": FIT, "zh": FIT_ZH}
# What a person says when the bot asks something the case does not settle, per language.
WORDS = {
    "en": {"not_sure": "not sure", "yes": "yes", "no": "no", "changed": "it changed"},
    "zh": {"not_sure": "不确定", "yes": "是", "no": "没有", "changed": "改过剂量"},
}
LANGS = ("en", "zh")


def language(text: str) -> str:
    return "zh" if any("\u4e00" <= ch <= "\u9fff" for ch in text) else "en"


@dataclass(frozen=True)
class Case:
    section: str
    item: str  # the fact table's item id
    question: str  # the question the text answers
    text: str
    time: str = ""  # the time phrase in the text, given again when the bot asks when
    dose: str = "it changed"  # the answer to a dose question
    expect: str = "not_may_fit"  # not_may_fit | not_likely_not | may_fit | needs_team | likely_not
    follow: dict[str, str] = field(default_factory=dict)  # answers to other questions the bot may ask


def _frames(name: str, lang: str, kind: str) -> list[str]:
    frames = FACTS["wrappers"][name][lang]
    return [f if isinstance(f, str) else f["text"] for f in frames if isinstance(f, str) or _fits(f, kind)]


def _fits(frame: dict[str, Any], kind: str) -> bool:
    return "any" in frame["for"] or kind in frame["for"]


_KIND = {
    "vaccine_recent": "vaccine",
    "vaccine_planned": "vaccine",
    "medicines": "medicine",
    "infusions": "medicine",
    "plasma_procedure": "procedure",
    "surgery_recent": "procedure",
}


def _fill(frame: str, item: str, time: str = "", item2: str = "") -> str:
    return " ".join(frame.format(item=item, time=time, item2=item2).split())


def _sections(kind: str) -> Iterator[tuple[str, dict[str, Any]]]:
    for name, section in FACTS["sections"].items():
        if section["class"] == kind:
            yield name, section


def excluding_cases() -> Iterator[Case]:
    """Every excluding fact, in each phrasing, in every frame, with times inside the window."""
    for name, section in _sections("excluding"):
        for item in section["items"]:
            question = item.get("question", section["question"])
            expect = "needs_team" if section.get("route") or item.get("route") else "not_may_fit"
            inside = (section.get("times") or {}).get("inside")
            for lang in LANGS:
                for phrase in item[lang]:
                    yield from _excluding(name, section, item, question, lang, phrase, inside, expect)


def _excluding(
    name: str,
    section: dict[str, Any],
    item: dict[str, Any],
    question: str,
    lang: str,
    phrase: str,
    inside: dict[str, list[str]] | None,
    expect: str,
) -> Iterator[Case]:
    if name == "pregnancy_breastfeeding":
        yield Case(name, item["id"], question, phrase)
        for other in section["also"]:
            for frame in section["pregnancy_frames"][lang]:
                yield Case(name, item["id"], other, _fill(frame, phrase))
        return
    if name == "immunosuppressants":
        for frame, time in itertools.product(section["assert_frames"][lang], inside[lang] if inside else [""]):
            yield Case(name, item["id"], question, _fill(frame, phrase, time), time)
        for frame, time in itertools.product(section["stopped_frames"][lang], inside[lang] if inside else [""]):
            yield Case(name, item["id"], question, _fill(frame, phrase, time), time, dose="I stopped it")
        return
    kind = _KIND.get(question, "condition")
    follow = {"cancer_type": phrase} if question == "cancer_history" else {}
    if inside:
        for frame, time in itertools.product(_frames("assert_excluding", lang, kind), inside[lang]):
            yield Case(name, item["id"], question, _fill(frame, phrase, time), time, expect=expect, follow=follow)
    else:
        for frame in FACTS["wrappers"]["assert_excluding_no_time"][lang]:
            yield Case(name, item["id"], question, _fill(frame, phrase), expect=expect, follow=follow)
    for other in section.get("also", []):
        if other in FIT and other != question:  # the same fact given to a neighbouring question
            yield Case(
                name, item["id"], other, _fill("no, only {item} {time}", phrase, (inside or {}).get(lang, [""])[0])
            )


def harmless_cases() -> Iterator[Case]:
    """Harmless facts in each phrasing and frame, alone and in pairs: never the study team's by a misreading."""
    for name, section in _sections("harmless"):
        items = section["items"]
        for item in items:
            question = item.get("question", section["question"])
            kind = _KIND.get(question, "condition")
            times = (section.get("times") or {}).get("outside") or {}
            for lang in LANGS:
                others = [p for i in items if i is not item for p in i[lang]] or item[lang]
                for phrase, frame in itertools.product(item[lang], _frames("assert_harmless", lang, kind)):
                    time = (times.get(lang) or [""])[0]
                    text = _fill(frame, phrase, time, random.Random(phrase + frame).choice(others))
                    yield Case(
                        name, item["id"], question, text, time, dose="same dose for more than 3 months", expect=MAY_FIT
                    )


def route_cases() -> Iterator[Case]:
    """What the domain reference says the study team decides: it must end "needs the study team"."""
    frames = {"en": ["{item}", "just {item}", "I had {item} {time}"], "zh": ["{item}", "就{item}", "{time}用过{item}"]}
    for name, section in _sections("route"):
        for item in section["items"]:
            question = item.get("question", section["question"])
            for lang in LANGS:
                time = section["times"]["inside"][lang][0]
                for phrase, frame in itertools.product(item[lang], frames[lang]):
                    follow = {"cancer_history": "yes"} if question == "cancer_type" else {}  # a cancer was had
                    text = _fill(frame, phrase, time)
                    yield Case(name, item["id"], question, text, time, expect="needs_team", follow=follow)


def two_time_cases() -> Iterator[Case]:
    """Two items with two times in one answer: the recent one must keep its own time (review R3)."""
    vaccines = FACTS["sections"]["live_vaccines"]
    harmless = FACTS["sections"]["harmless_vaccines"]
    times = vaccines["times"]
    frames = {
        "en": ["{old} {t_out}, {new} {t_in}", "{new} {t_in} and {old} {t_out}", "{old} in {t_out} and {new} {t_in}"],
        "zh": ["{t_out}打了{old}，{t_in}打了{new}", "{t_in}打了{new}，{t_out}打过{old}"],
    }
    for lang in LANGS:
        for new, old in itertools.product(vaccines["items"][:8], harmless["items"][:6]):
            if not new[lang] or not old[lang]:
                continue
            for frame, t_in, t_out in itertools.product(
                frames[lang], times["inside"][lang][:3], times["outside"][lang][:2]
            ):
                text = frame.format(old=old[lang][0], new=new[lang][0], t_in=t_in, t_out=t_out)
                yield Case("live_vaccines", new["id"], "vaccine_recent", text, t_in)


# --------------------------------------------------------------------------- composed
# Each dimension of an answer varies on its own (test audit 2, §1.1): how the person says no, the
# contrast word, where the time stands, the punctuation, and the item's own phrasing, formal,
# colloquial or misspelt. The choices are seeded, so a report is reproducible.
COMPOSE: dict[str, Any] = FACTS["compose"]
_TIMED = ("live_vaccines", "b_cell_depleters", "biologics_and_jak", "plasma_procedures", "major_surgery")
_KIND_OF = {
    "live_vaccines": "vaccine",
    "b_cell_depleters": "medicine",
    "biologics_and_jak": "medicine",
    "immunosuppressants": "medicine",
    "plasma_procedures": "procedure",
    "major_surgery": "procedure",
}
_PUNCTUATION = {"en": [", ", " ", ". ", " - ", "... "], "zh": ["，", "", "。", " ", "、"]}


def _fits_kind(entry: dict[str, Any], kind: str) -> bool:
    return "any" in entry.get("for", ["any"]) or kind in entry.get("for", [])


def _phrasings(section: dict[str, Any], item: dict[str, Any], lang: str, name: str) -> list[str]:
    """The item's phrasings, and the table's colloquial ones for it (not the lexicon's words)."""
    colloquial = COMPOSE["colloquial_items"].get(name, {}).get(lang, [])
    return list(item[lang]) + [c["text"] for c in colloquial if c["id"] == item["id"]]


def _expect(section: dict[str, Any], item: dict[str, Any]) -> str:
    return "needs_team" if section.get("route") or item.get("route") else "not_may_fit"


@lru_cache(maxsize=1)
def _names_to_verify() -> frozenset[str]:
    """Chinese names in the rows of the domain reference marked "(verify)" (brands from recall)."""
    text = (Path(__file__).parents[1] / "docs" / "sources" / "domain-reference.md").read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if "(verify)" in line and line.startswith("|")]
    return frozenset(name for row in rows for name in re.findall(r"[\u4e00-\u9fff]{2,}", row))


def _settled(item: dict[str, Any], phrase: str) -> bool:
    """Whether the phrase names the item for sure: not routed, and not a name the DR asks to verify."""
    return not item.get("route") and phrase not in _names_to_verify()


def composed_cases(per_item: int = 12, seed: int = 2026) -> Iterator[Case]:
    """Excluding items said inside a no, with a contrast, the time before or after, any punctuation."""
    rng = random.Random(seed)
    for name, section in _sections("excluding"):
        kind = _KIND_OF.get(name)
        if kind is None:
            continue
        for item, lang in itertools.product(section["items"], LANGS):
            phrasings = _phrasings(section, item, lang, name)
            if not phrasings:
                continue
            negations = [
                n for n in COMPOSE["negations"][lang] if kind in COMPOSE["negations"].get("zh_for", {}).get(n, [kind])
            ]
            contrasts = [c["text"] for c in COMPOSE["contrasts"][lang]]
            positions = [p["text"] for p in COMPOSE["time_positions"][lang] if _fits_kind(p, kind)]
            if name == "immunosuppressants":
                positions = list(section["assert_frames"][lang])  # a start or change, not only "had"
            for _ in range(per_item):
                time = rng.choice(section["times"]["inside"][lang])
                said = _fill(rng.choice(positions), rng.choice(phrasings), time)
                gap = rng.choice(_PUNCTUATION[lang])
                joiner = "" if lang == "zh" else " "
                text = f"{rng.choice(negations)}{gap}{rng.choice(contrasts)}{joiner}{said}"
                yield Case(
                    name, item["id"], question_of(section, item), text.strip(), time, expect=_expect(section, item)
                )


def question_of(section: dict[str, Any], item: dict[str, Any]) -> str:
    return str(item.get("question", section["question"]))


def far_negation_cases() -> Iterator[Case]:
    """A negation five to eight words before the item, about something else ("no problems at all with
    my rituximab in October"): the item still counts."""
    for name in _TIMED:
        section = FACTS["sections"][name]
        for item, lang in itertools.product(section["items"], LANGS):
            time = section["times"]["inside"][lang][0]
            for frame in COMPOSE["far_negations"][lang]:
                if not _fits_kind(frame, _KIND_OF[name]) or not item[lang]:
                    continue
                said = f"{item[lang][0]} {time}" if lang == "en" else f"{time}的{item[lang][0]}"
                text = frame["text"].format(x=said)
                yield Case(name, item["id"], question_of(section, item), text, time, expect=_expect(section, item))


def margin_cases() -> Iterator[Case]:
    """Each window's edges, in exact days (DR §7.2 rule 4): just inside the margin goes to the team as
    near, one day further is outside; as far as the margin reaches on the near side is near too."""
    for name, section in _sections("excluding"):
        window = section.get("window")
        if not window or name not in _KIND_OF:
            continue
        days, margin = int(section["window_days"]), int(section["margin_days"])
        edges = {days + margin: "needs_team", days + margin + 1: MAY_FIT, days - margin: "needs_team"}
        for item in section["items"]:
            if item.get("route") or not item["en"]:
                continue
            for ago, expect in edges.items():
                time = f"{ago} days ago"
                if name == "immunosuppressants":
                    text = f"my {item['en'][0]} dose was changed {time}"
                    yield Case(name, item["id"], question_of(section, item), text, time, expect=expect)
                else:
                    text = f"{item['en'][0]} {time}"
                    yield Case(name, item["id"], question_of(section, item), text, time, expect=expect)


def outside_cases() -> Iterator[Case]:
    """Excluding items clearly outside their window: never "likely not"; "may be a fit" unless the team
    decides the item (DR §7.2 rule 3); a time that needs a date is the team's at most."""
    for name, section in _sections("excluding"):
        times = section.get("times") or {}
        if name not in _KIND_OF or "outside" not in times:
            continue
        for item, lang in itertools.product(section["items"], LANGS):
            if not item[lang]:
                continue
            phrase = item[lang][0]
            for time in times["outside"][lang]:
                text = f"{phrase} {time}" if lang == "en" else f"{time}用过{phrase}"
                expect = MAY_FIT if _settled(item, phrase) and not section.get("route") else "not_likely_not"
                dose = "it changed"
                if name == "immunosuppressants":
                    text = f"my {phrase} dose was changed {time}" if lang == "en" else f"{time}{phrase}调过剂量"
                yield Case(name, item["id"], question_of(section, item), text, time, dose=dose, expect=expect)
            for time in times.get("outside_needs_date", {}).get(lang, []):
                text = f"{phrase} {time}" if lang == "en" else f"{time}用过{phrase}"
                yield Case(name, item["id"], question_of(section, item), text, time, expect="not_likely_not")


def stable_cases() -> Iterator[Case]:
    """A steady immunosuppressant dose for 12 weeks or more is no exclusion (DR §0.6, §5B); one given
    as pulses (the table's note says so) is the team's to date, never "likely not"."""
    section = FACTS["sections"]["immunosuppressants"]
    for item, lang in itertools.product(section["items"], LANGS):
        if item.get("route") or not item[lang]:
            continue
        pulses = "pulse" in str(item.get("note", ""))
        expect = MAY_FIT if _settled(item, item[lang][0]) and not pulses else "not_likely_not"
        for frame in section["stable_frames"][lang]:
            text = _fill(frame, item[lang][0])
            yield Case("immunosuppressants", item["id"], "medicines", text, dose=STEADY, expect=expect)


STEADY = "same dose for more than 3 months"


def others_cases() -> Iterator[Case]:
    """Someone else's fact ("my mum had the MMR last month, not me"): it never counts."""
    for lang, table in COMPOSE["others"].items():
        for frame, person in itertools.product(table["frames"], table.get("subjects", [])):
            for name, kind in _KIND_OF.items():
                if not _fits_kind(frame, kind) or name == "immunosuppressants":
                    continue
                section = FACTS["sections"][name]
                item = section["items"][len(person) % len(section["items"])]
                if not item[lang]:
                    continue
                possessive = f"{person}'s" if lang == "en" else f"{person}的"
                time = section["times"]["inside"][lang][0]
                text = frame["text"].format(other=person, possessive=possessive, item=item[lang][0], time=time)
                yield Case(name, item["id"], question_of(section, item), " ".join(text.split()), time, expect=MAY_FIT)


def all_cases() -> dict[str, list[Case]]:
    return {
        "excluding": list(excluding_cases()),
        "composed": list(composed_cases()),
        "far_negations": list(far_negation_cases()),
        "two_times": list(two_time_cases()),
        "route": list(route_cases()),
        "margins": list(margin_cases()),
        "outside": list(outside_cases()),
        "stable": list(stable_cases()),
        "harmless": list(harmless_cases()),
        "someone_else": list(others_cases()),
    }


# Groups whose cases must not end "may be a fit", and groups of harmless answers.
MUST_NOT_FIT = ("excluding", "composed", "far_negations", "two_times", "route")
HARMLESS = ("harmless", "someone_else", "stable")


# --------------------------------------------------------------------------- playing
_BASE: dict[str, dict[str, Any]] = {}


def _base_answers(lang: str) -> dict[str, Any]:
    if lang not in _BASE:
        screening = Screening(TRIALS[lang])
        for qid, text in FITS[lang].items():
            assert screening.answer(text, TODAY, qid).understood, (qid, text)
        _BASE[lang] = screening.answers
    return _BASE[lang]


def _reply(case: Case, qid: str) -> str:
    """What this person answers when the bot asks ``qid``, in the language of the case."""
    lang, follow_up = language(case.text), FollowUp.parse(qid)
    words = WORDS[lang]
    for key in (qid, follow_up.kind if follow_up else None):
        if key in case.follow:
            return case.follow[key]
    if follow_up and follow_up.kind == "dose":
        return words["changed"] if case.dose == "it changed" else case.dose
    if TRIAL.question(qid).type == "time_ago":
        return case.time or words["not_sure"]
    if qid == "cancer_removed":
        return words["yes" if case.expect == MAY_FIT else "no"]  # "basal cell, not removed yet" says no
    return FITS[lang].get(qid, words["not_sure"])


def play(case: Case) -> Screening:
    # Answers the case gives to questions everyone is asked replace the "fit" ones; the rest are its
    # replies when the bot asks (a cancer's kind, whether it was removed).
    lang = language(case.text)
    given = [(q, t) for q, t in case.follow.items() if q in FIT] + [(case.question, case.text)]
    screening = Screening(TRIALS[lang], {k: v for k, v in _base_answers(lang).items() if k not in dict(given)})
    pending = list(reversed(given))
    for _ in range(40):
        if not pending:
            qid = screening.current_question_id()
            if qid is None:
                break
            pending = [(qid, _reply(case, qid))]
        qid, text = pending.pop()
        turn = screening.answer(text, TODAY, qid)
        if not turn.understood and not turn.gave_up:
            pending.append((qid, text))  # asked again, the person says the same
    return screening


def outcome(case: Case) -> str:
    return str(play(case).result(final=True).outcome)


def holds(case: Case, result: str) -> bool:
    if case.expect == "not_may_fit":
        return result != MAY_FIT
    if case.expect == "not_likely_not":
        return result != "likely_not"
    return result == {"needs_team": OUTCOME_NEEDS_TEAM}.get(case.expect, case.expect)


# --------------------------------------------------------------------------- report
def red_flag_figures() -> dict[str, Any]:
    found = evaluate(load_yaml(DATA / "red_flag_phrases.yml"))
    return {
        "red_flag_phrases": found["positives"],
        "red_flag_recall": round(found["recall"], 4),
        "ordinary_phrases": found["negatives"],
        "false_alarm_rate": round(found["false_alarm_rate"], 4),
    }


def report(cases: dict[str, list[Case]] | None = None) -> dict[str, Any]:
    """Every group played: failures per group, false "may be a fit" in the groups that must not fit,
    and harmless answers sent to the study team (or ruled out)."""
    failures: dict[str, list[dict[str, str]]] = {}
    figures: dict[str, Any] = {"false_may_fit": 0}
    harmless_cases, harmless_failed = 0, 0
    for group, group_cases in (cases or all_cases()).items():
        results = [(case, outcome(case)) for case in group_cases]
        failed = [(c, r) for c, r in results if not holds(c, r)]
        failures[group] = [{"question": c.question, "text": c.text, "outcome": r} for c, r in failed[:20]]
        figures[group] = {"cases": len(group_cases), "failed": len(failed)}
        figures[group]["by_language"] = {
            lang: {
                "cases": sum(language(c.text) == lang for c in group_cases),
                "failed": sum(language(c.text) == lang for c, _ in failed),
            }
            for lang in LANGS
        }
        if group in MUST_NOT_FIT:
            figures["false_may_fit"] += sum(r == MAY_FIT for _, r in results)
        if group in HARMLESS:
            harmless_cases += len(group_cases)
            harmless_failed += len(failed)
    figures["harmless_sent_to_team_rate"] = round(harmless_failed / max(harmless_cases, 1), 4)
    figures.update(red_flag_figures())
    return {"figures": figures, "examples_of_failures": failures}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, help="write the figures as JSON here")
    args = parser.parse_args()
    result = report()
    text = json.dumps(result, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
