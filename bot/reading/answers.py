"""Turn a person's free-text answer to one question into a normalised value.

Values are plain JSON (strings, numbers, dicts) so that they can be stored
as they are. Nothing the person typed is kept, only what it means: an age,
a range of days, a medicine's id and class.

Reading errs toward the study team, never toward "may be a fit":
- a named item is never lost: "no vaccines except MMR" names MMR, whatever
  yes/no or contrast words surround it; only an item a negation governs in
  its own clause ("no flu shot, but ...") is dropped;
- a "no" (or "yes") with more than filler around it is no plain answer: the
  bot asks again, and after a second miss the study team checks;
- a time belongs to an item only when its clause names that item alone, or
  the message names one item and one time; otherwise the bot asks per item.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from itertools import pairwise
from typing import Any

from wordfreq import zipf_frequency

from bot import LEXICON_DIR
from bot.reading.ages import parse_age
from bot.reading.chinese import to_english
from bot.reading.clauses import (
    TIME_CUE,
    Clause,
    clause_of,
    clauses,
    is_negated,
    item_times,
    lower,
    pregnancy_now,
    time_in,
    union,
)
from bot.reading.facts import FUTURE, MAYBE, OTHER, Fact, read_facts, without_clauses_of, without_others_clauses
from bot.reading.festivals import without_festivals
from bot.reading.labs import NO_UNIT, parse_protein
from bot.reading.lexicon import lexicon
from bot.reading.numbers import words_to_digits
from bot.reading.terms import Term, find_terms
from bot.reading.times import parse_days_ago, started
from bot.reading.words import english, find_groups, list_pattern, no_reasons_pattern, normalise, phrase_pattern, squeeze
from bot.trial.model import Question
from bot.yamlfile import load_yaml

YES, NO, UNSURE = "yes", "no", "unsure"
# Stored when an answer was not understood twice: the criterion goes to the study team.
UNCLEAR: dict[str, bool] = {"unclear": True}
# A word at least this common in English (Zipf scale: 3 = once per million words) is an
# everyday word, not a medicine's name. It applies only to words the lexicon did not match; the
# few lexicon names this common (iron, calcium, insulin, aspirin) are harmless ones (README).
EVERYDAY_ZIPF = 3.0


@dataclass(frozen=True)
class Understood:
    value: Any
    # A time given along with the answer ("plasma exchange in May"), for the
    # question that asks when.
    when: dict[str, Any] | None = None


@dataclass(frozen=True)
class NotUnderstood:
    hint: str = ""  # what was missing: "unit", "which", "date", "confirm", ...
    # What the answer said about the question's own subject but left unclear ("no, lymphoma"): kept,
    # and named when the question is asked again.
    kept: tuple[Fact, ...] = ()


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


# --------------------------------------------------------------------------- content
_LATIN_WORD = re.compile(r"[a-z]+(?:'[a-z]+)?")
_CJK_RUN = re.compile(r"[\u3400-\u9fff]+")
_CJK_FILLER = set(
    "我的了是有过也都就还没不很好吗呢吧啊呀哦嗯这那个些和与及或在用吃打次一二三四五六七八九十两几天周月年前后每对嗯哈谢"
)
_TIME_WORDS = re.compile(r"\b(?:ago|last|since|yesterday|today|earlier|recently|lately|this|next|past)\b")


@lru_cache(maxsize=4096)
def is_everyday_word(word: str) -> bool:
    return bool(zipf_frequency(word, "en") >= EVERYDAY_ZIPF)


@lru_cache(maxsize=1)
def _zh_filler() -> re.Pattern[str]:
    words = [str(w) for w in load_yaml(LEXICON_DIR / "zh.yml")["filler"]]
    return re.compile("|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)))


@lru_cache(maxsize=256)
def _question_words(wording: str) -> frozenset[str]:
    return frozenset(w.removesuffix("s") for w in _LATIN_WORD.findall(normalise(wording)))


def _blank(text: str, spans: list[tuple[int, int]]) -> str:
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text


def _without_phrases(text: str) -> str:
    """The text without yes/no/unsure, contrast and time phrases."""
    clean = list_pattern("contrast").sub(" ", normalise(text))
    return _TIME_WORDS.sub(" ", _answer_phrases().sub(" ", clean))


@lru_cache(maxsize=1)
def _answer_phrases() -> re.Pattern[str]:
    return phrase_pattern([p for group in english().answers.values() for p in group])


@lru_cache(maxsize=1)
def _answer_words() -> frozenset[str]:
    """One-word yes/no/unsure answers, repeated letters squeezed ("noo", "yesss")."""
    return frozenset(squeeze(p) for group in english().answers.values() for p in group if " " not in p)


def content_words(text: str, question: Question | None = None, everyday_is_filler: bool = False) -> list[str]:
    """Words that say something beyond yes/no, filler and the question's own words."""
    en = english()
    filler = en.yes_no_filler | en.medicine_filler
    asked = _question_words(f"{question.text} {question.retry} {question.topic}") if question else frozenset()
    clean = _without_phrases(to_english(words_to_digits(text)) if _CJK_RUN.search(text) else text)
    words = [
        w
        for w in _LATIN_WORD.findall(clean)
        if w not in filler
        and squeeze(w) not in _answer_words()
        and w.removesuffix("s") not in asked
        and not (everyday_is_filler and is_everyday_word(w))
    ]
    # A run's filler goes as a whole, its other characters are kept together: "了" taken out of
    # "我想了解" left "想" and "解", one character each, and the request read as nothing but a no.
    for run in _CJK_RUN.findall(clean):
        rest = "".join(ch for ch in _zh_filler().sub("", run) if ch not in _CJK_FILLER)
        if len(rest) >= 2:
            words.append(rest)
    return words


def has_contrast(text: str) -> bool:
    return bool(list_pattern("contrast").search(normalise(text)))


def _treatment_word(text: str, clause: Clause, parts: list[Clause]) -> bool:
    """An injection, drip or remedy in the clause, not negated ("and that monthly shot", "打针")."""
    found = list_pattern("treatment_words").finditer(lower(clause.text))
    return any(not is_negated(text, clause.start + m.start(), parts) for m in found)


# --------------------------------------------------------------------------- readers
def _item(term: Term) -> dict[str, Any]:
    return {"id": term.entry.id, "kind": term.entry.kind, "verified": term.verified}


def _named_items(
    text: str, question: Question, category: str, today: date, time_key: str
) -> tuple[list[dict[str, Any]], list[Term], list[Clause]]:
    """Items named as the person's own, each once (with its time, if the message makes it clear), and
    every term of the question's subject seen.

    Only the items the question is about count: its condition group, or the kinds its ``names`` lists.
    An item negated, someone else's, hypothetical or (for a question about the past) planned is no
    item: "my brother has hepatitis B", "my daughter is due her chickenpox jab".
    """
    parts = clauses(text)
    found = find_terms(text, (category,)) + (_diseases_as_vaccines(text) if category == "vaccine" else [])
    terms = [
        t
        for t in found
        if (question.group is None or t.entry.group == question.group)
        and (not question.names or any(_fact_of(t, text, today).is_a(spec) for spec in question.names))
    ]
    counted = (YES, FUTURE, MAYBE) if question.tense == "future" else (YES,)
    kept = [t for t in terms if _fact_of(t, text, today).standing in counted]
    kept = [t for t in kept if not _names_the_next(text, t, kept)]
    times = item_times(text, kept, parts, today)
    items: dict[str, dict[str, Any]] = {}
    for term in kept:
        item = items.setdefault(term.entry.id, _item(term))
        item["verified"] = item["verified"] and term.verified
        if term.entry.id in times:
            item[time_key] = times[term.entry.id]
    return _specific(list(items.values())), terms, parts


_GENERIC = ("_unknown", "_unspecified")
_IS = re.compile(r"\s*(?:is|was|=|:|：|是|就是)\s*", re.IGNORECASE)


def _names_the_next(text: str, term: Term, terms: list[Term]) -> bool:
    """A general name that the next words say is a named one: "my immunosuppressant is Plaquenil",
    "我的免疫抑制剂是羟氯喹" name Plaquenil alone."""
    said = _IS.match(text, term.end)
    return bool(term.entry.id.endswith(_GENERIC) and said and any(t.start == said.end() for t in terms))


def _specific(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """A general name beside the exact one of the same family says no more than it ("带状疱疹疫苗，
    欣安立适，重组的那种": the recombinant zoster vaccine). The exact one keeps the general one's time."""
    kept = []
    for item in items:
        family = str(item["id"]).split("_")[0]
        exact = [i for i in items if i is not item and str(i["id"]).split("_")[0] == family and i["verified"]]
        if str(item["id"]).endswith(_GENERIC) and exact and not any(str(i["id"]).endswith(_GENERIC) for i in exact):
            for other in exact:
                for key in ("when", "last_dose"):
                    if key in item and key not in other:
                        other[key] = item[key]
            continue
        kept.append(item)
    return kept


def _fact_of(term: Term, text: str, today: date) -> Fact:
    """The fact read at a term's place; a disease read as its vaccine stands as the disease does."""
    return next(
        (f for f in read_facts(text, today) if f.start == term.start),
        Fact(term.category, term.entry.id, str(term.entry.kind), term.entry.group, term.verified, 0, 0, YES),
    )


def _diseases_as_vaccines(text: str) -> list[Term]:
    """At a vaccine question "the chickenpox one" is the chickenpox vaccine: a disease named in a
    clause that names no vaccine is read as the vaccine against it, if the lexicon knows one, unless
    the clause says the person has or had the illness. So are names vaccines are named for that are no
    illness of the lexicon ("the yellow fever one 2 wks ago")."""
    parts = clauses(text)
    named = {clause_of(parts, t.start).start for t in find_terms(text, ("vaccine",))}
    diseases = [
        # A slip is looked up by the name it slipped from ("chickenppox vaccine")
        (d.text if d.verified or not d.entry.names else d.entry.names[0], d.text, d.start, d.end, d.verified)
        for d in find_terms(text, ("condition",))
    ]
    diseases += [
        (m.group(), m.group(), m.start(), m.end(), True) for m in _vaccine_disease_pattern().finditer(lower(text))
    ]
    found = []
    for name, said, start, end, verified in diseases:
        clause = clause_of(parts, start)
        if clause.start in named or list_pattern("having").search(lower(text[clause.start : start])):
            continue  # "I have hepatitis B", "我有乙肝": the illness, not its vaccine
        suffix = "疫苗" if _CJK_RUN.search(name) else " vaccine"  # "<disease> vaccine", "<disease>疫苗"
        as_vaccine = find_terms(name + suffix, ("vaccine",))
        if len(as_vaccine) == 1:
            found.append(replace(as_vaccine[0], text=said, start=start, end=end, verified=verified))
    return found


def vaccines_for_illnesses(text: str) -> set[int]:
    """Where an illness named at a vaccine question is read as its vaccine ("欣安立适，带状疱疹的", "the
    chickenpox one"): no illness of the person's to answer another question."""
    return {t.start for t in _diseases_as_vaccines(text)}


@lru_cache(maxsize=1)
def _vaccine_disease_pattern() -> re.Pattern[str]:
    """What vaccines are named for where no illness of the lexicon has that name: "yellow fever" of
    "yellow fever vaccine", 黄热病 of 黄热病疫苗."""
    stems = set()
    for entry in lexicon().of("vaccine"):
        for name in entry.names:
            low = name.lower()
            stem = low.removesuffix(" vaccine") if low.endswith(" vaccine") else low.removesuffix("疫苗")
            if stem != low and len(stem) >= 2 and not find_terms(stem, ("condition",)):
                stems.add(stem)
    return phrase_pattern(sorted(stems))


def _unknown_clauses(text: str, parts: list[Clause], terms: list[Term], dated: bool, today: date) -> int:
    """Clauses that name no known medicine but something else: an unknown medicine, an unnamed
    treatment, or a vaccine or procedure ("no, only the immunoglobulin drip") the study team should
    see. A condition ("no, only hepatitis B", "just nail fungus") names no medicine: it answers its own
    question (Screening volunteers it), which is asked in any case. When ``dated`` (the message names
    one medicine given by drip or injection), a clause that only says when its last dose was is its."""
    medicines = {clause_of(parts, t.start).start for t in terms if t.category == "medicine"}
    others = {
        clause_of(parts, t.start).start
        for t in terms
        if t.category in ("vaccine", "procedure") and not is_negated(text, t.start, parts)
    }
    conditions = {clause_of(parts, t.start).start for t in terms if t.category == "condition"}
    unknown = 0
    for clause in parts:
        if clause.start in medicines:
            unknown += _unnamed_beside(text, clause, terms, parts)
            continue
        if clause.text.rstrip().endswith("?"):
            continue
        if clause.start in others:
            unknown += 1
            continue
        if clause.start in conditions or (dated and _only_dates_the_last_dose(clause.text, today)):
            continue
        if dated and _DOSES_COUNTED.fullmatch(lower(clause.text)):
            continue  # "<the drip named>. Two infusions, the last one after Christmas": its doses counted
        words = content_words(without_festivals(normalise(clause.text)), everyday_is_filler=True)  # "国庆前就停了"
        first = min((i for i in (lower(clause.text).find(w) for w in words) if i >= 0), default=0)
        if (words and not is_negated(text, clause.start + first, parts)) or _treatment_word(text, clause, parts):
            unknown += 1
    return unknown


# Chinese typed with spaces for commas: "羟氯喹 强的松 还在喝中药汤药" is a list.
_CJK_SPACE = re.compile(r"(?<=[\u4e00-\u9fff])\s+(?=[\u4e00-\u9fff])")


def _another_name(word: str, beside_a_name: bool) -> bool:
    """A word left in a clause that names a medicine, which may name another: English that no word list
    holds (wordfreq: "tacro", "entecavr"; not "anaemia" or "rheum"), or any Chinese a space parts from the
    names (slips of names are made of common characters: "恩替卡为" for 恩替卡韦, "雷公腾" for 雷公藤). Chinese
    beside a name in its own piece says how it is taken ("激素上个月从八片减到四片")."""
    if _CJK_RUN.search(word):
        return not beside_a_name
    return bool(zipf_frequency(word, "en") == 0)


def _unnamed_beside(text: str, clause: Clause, terms: list[Term], parts: list[Clause]) -> int:
    """In a clause that names a medicine, each piece (a space parts them in Chinese) that holds another
    name beside the known ones ("hcq pred tacro", "恩替卡为 羟氯喹 泼尼松") or an unnamed treatment
    ("羟氯喹 还在喝中药汤药"). The study team sees what was not read."""
    found, start = 0, clause.start
    for gap in [*_CJK_SPACE.finditer(text, clause.start, clause.end), None]:
        end = gap.start() if gap else clause.end
        named = [(t.start - start, min(t.end, end) - start) for t in terms if start <= t.start < end]
        rest = lower(_blank(text[start:end], named))
        words = [
            w for w in content_words(without_festivals(rest), everyday_is_filler=True) if _another_name(w, bool(named))
        ]
        first = min((i for i in (rest.find(w) for w in words) if i >= 0), default=0)
        unnamed_treatment = not named and _treatment_word(text, Clause(start, end, text[start:end]), parts)
        if (words and not is_negated(text, start + first, parts)) or unnamed_treatment:
            found += 1
        start = gap.end() if gap else end
    return found


# How many doses the one medicine given by drip or injection had: "two infusions", "打了两次".
_DOSES_COUNTED = re.compile(
    r"\s*(?:(?:i )?(?:had|got)\s+)?(?:\d+|one|two|three|four|five|six|a few|several|a couple of)\s+"
    r"(?:infusions?|doses?|shots?|injections?|drips?|rounds?|courses?)(?: of it)?\s*|"
    r"\s*(?:打了|打过|输了|输过|用了|用过)?[\d一二两三四五六七八九十几]+(?:次|针|回|个疗程)\s*"
)


def _only_dates_the_last_dose(clause: str, today: date) -> bool:
    """ "last infusion was in May", "五一之前打的最后一次", "最后一次是中秋前": when the last dose was, and
    nothing else ("another infusion last month" names a second one)."""
    said = normalise(clause)
    marker = list_pattern("last_dose").search(said)
    if not marker or time_in(clause, today) is None:
        return False
    rest = _blank(said, [marker.span()])
    rest = list_pattern("treatment_words").sub(" ", without_festivals(TIME_CUE.sub(" ", rest)))
    return not _own_words(_WHEN_WORDS.sub(" ", _SAYS_WHEN.sub(" ", rest)))


def _dose_changes(text: str, terms: list[Term], parts: list[Clause], items: list[dict[str, Any]], today: date) -> None:
    """ "I started drug A 6 weeks ago": a start, change or stop said with the name, and its time; or how
    long it has been taken ("on it for 5 weeks", "才吃了一个月"), which dates its start (``since``).

    The time then dates the change (``dose_when``), not the last dose.
    """
    for item in items:
        # The clause that names it, or the whole message when it names only this one.
        said = {clause_of(parts, t.start).text for t in terms if t.entry.id == item["id"]} if len(items) > 1 else {text}
        changes = [k for c in said for k in find_groups(c, "dose") if k in ("started", "changed", "stopped")]
        if len(said) == 1 and changes:
            item["dose"] = changes[0]
            if "last_dose" in item:  # the time of a stop is also the last dose; of a start, only the change
                item["dose_when"] = item["last_dose"] if changes[0] == "stopped" else item.pop("last_dose")
        elif len(said) == 1 and (since := started(next(iter(said)), today)):
            item["since"] = since.as_dict()
            item.pop("last_dose", None)  # "for 5 weeks" is no date of a last dose


_NOT_A_ROUTE = re.compile(r"\b(?:class|stage|grade|type)\s+iv\b")  # "class IV" on a biopsy report is no drip


def _pulse_dose_beside(text: str, term: Term, clause: Clause, terms: list[Term]) -> bool:
    """A pulse's dose ("1 g", "500mg") between the names before and after ``term`` in its clause: in
    "pred 7.5 cellcept 1g bid" the gram is the CellCept's."""
    start = max([o.end for o in terms if o.end <= term.start] + [clause.start])
    end = min([o.start for o in terms if o.start >= term.end] + [clause.end])
    return bool(list_pattern("pulse_doses").search(lower(text[start:end])))


def _given_by_drip(text: str, terms: list[Term], parts: list[Clause], items: list[dict[str, Any]]) -> None:
    """ "methylprednisolone 1 g by drip for 3 days", "甲泼尼龙冲击": a medicine whose drip form is
    another entry (a steroid pulse) is that entry when its clause says drip, IV or pulse, before the
    name or after it."""
    for item in items:
        entry = lexicon().entries.get(f"medicine:{item['id']}")
        if not entry or not entry.by_drip:
            continue
        own = [t for t in terms if t.entry.id == item["id"]]
        said = [clause_of(parts, t.start) for t in own]
        routed = any(list_pattern("routes").search(_NOT_A_ROUTE.sub(" ", lower(c.text))) for c in said)
        if routed or any(_pulse_dose_beside(text, t, c, terms) for t, c in zip(own, said, strict=True)):
            pulse = lexicon().entries[f"medicine:{entry.by_drip}"]
            item.update(id=pulse.id, kind=pulse.kind)


def _labels_of_named(text: str, terms: list[Term], parts: list[Clause], items: list[dict[str, Any]]) -> None:
    """ "plaquenil (my rheum calls it an immunosuppressant)", "硫酸羟氯喹（说明书上写的是免疫抑制剂）": a
    class word said as what a medicine named just before is called names no other medicine (domain
    reference 5E: hydroxychloroquine is sometimes labelled an immunosuppressant)."""

    def a_label(clause: Clause) -> bool:
        index = parts.index(clause) if clause in parts else 0
        before = {t.entry.id for t in terms if index and clause_of(parts, t.start) == parts[index - 1]}
        named = any(i["id"] in before and not str(i["id"]).endswith(_GENERIC) for i in items)
        return named and bool(list_pattern("labels_it").search(lower(clause.text)))

    for item in list(items):
        said = [clause_of(parts, t.start) for t in terms if t.entry.id == item["id"]]
        if str(item["id"]).endswith(_GENERIC) and said and all(a_label(clause) for clause in said):
            items.remove(item)  # each time it is said, it is what the medicine before it is called


def _medicines(question: Question, text: str, today: date) -> Answer:
    items, terms, parts = _named_items(text, question, "medicine", today, "last_dose")
    _labels_of_named(text, terms, parts, items)
    _dose_changes(text, terms, parts, items, today)
    _given_by_drip(text, terms, parts, items)
    facts = read_facts(text, today)
    aside = _not_theirs(question, facts)
    mine = [t for t in terms if not any(f.start == t.start for f in aside)]
    theirs, kept_no = _kept_aside(question, without_clauses_of(text, aside))  # "my mum is on Vonjo": not theirs
    said = _blank(theirs, [(f.start, f.end) for f in facts])
    infused = len(items) == 1 and bool(lexicon().medicine_classes[str(items[0]["kind"])].get("infused"))
    seen = [t for t in find_terms(text) if theirs[t.start] != " "]
    unknown = _unknown_clauses(theirs, clauses(theirs), seen, infused, today)
    if not items and mine and has_contrast(said):
        unknown += 1  # "no drug A except once 2 months ago": the exception is the team's to read
    if items or (unknown and not text.rstrip().endswith("?")):  # "what is this study?" is no medicine
        return Understood({"none": False, "items": items, "unknown": unknown})
    answer = yes_no(said)
    if answer == UNSURE:
        return Understood(UNSURE)
    excepted = has_contrast(said)
    if answer == NO and content_words(
        list_pattern("others").sub(" ", lower(said)), question, everyday_is_filler=not _EXCEPT.search(lower(said))
    ):
        # "no, only tegretol": a no with more than filler is not "none" (treatment words and unknown
        # names are counted above; "no, we decided against it" says nothing more). After "only" or
        # "except" an everyday word is an exception too: "no, only singles" was shingles mistyped.
        return Understood({"none": False, "items": [], "unknown": 1}) if excepted else NotUnderstood("confirm")
    if answer == NO or ((facts or kept_no) and answer is None and not content_words(said, question)):
        return Understood({"none": True, "items": [], "unknown": 0})  # "my mum is on Vonjo, I'm not"
    return NotUnderstood("which" if answer == YES else "")


# An exception of the person's own after a no: "no, only singles" (shingles mistyped) is no plain no,
# as "no, we decided against it, but" is.
_EXCEPT = re.compile(r"(?<![a-z])(?:only|just|except|apart from|other than|besides|aside from)(?![a-z])")
_VACCINE_WORDS = re.compile(r"vaccin|\bshots?\b|\bjabs?\b|inject|immuni[sz]|booster|疫苗|针")


def _unnamed(text: str, terms: list[Term], parts: list[Clause], question: Question) -> int:
    """Clauses beside the named items that say something else ("basal cell and prostate", "BCC and
    not sure about the other one"): an unknown item for the study team."""
    # A clause naming something known of another kind ("and toenail fungus") names no unknown one.
    named = {clause_of(parts, t.start).start for t in terms + find_terms(text)}
    return sum(
        1
        for c in parts
        if c.start not in named and (_content_but_sites(c.text, question) or UNSURE in find_groups(c.text, "answers"))
    )


def _content_but_sites(text: str, question: Question) -> list[str]:
    """Content words beyond where on the skin a thing grew: "基底细胞癌，长在鼻子旁边" names one cancer."""
    return content_words(list_pattern("skin_sites").sub(" ", lower(text)), question)


_QUALIFIED_VACCINE = re.compile(r"([\u4e00-\u9fff]{2,})疫苗")


def _names_a_vaccine(word: str) -> bool:
    """A Chinese run that names a vaccine by a word the lexicon does not know: "甲干疫苗" (a slip of
    甲肝); not "带状疱疹疫苗", named by its illness."""
    qualified = _QUALIFIED_VACCINE.search(word)
    return qualified is not None and not find_terms(qualified.group(1), ("condition",))


def _unknown_vaccines(text: str, terms: list[Term], parts: list[Clause]) -> int:
    """Clauses naming no known vaccine that still talk of one ("MMR and some travel jab")."""
    named = {clause_of(parts, t.start).start for t in terms}
    unknown = 0
    for clause in parts:
        words = [w for w in content_words(clause.text) if not _VACCINE_WORDS.search(w) or _names_a_vaccine(w)]
        cue = _VACCINE_WORDS.search(normalise(clause.text))
        if clause.start not in named and words and cue and not is_negated(text, clause.start + cue.start(), parts):
            unknown += 1
    return unknown


# Right before a way of giving a vaccine, says it was not given so: "不打鼻喷", "not the nasal one",
# "不是打针的".
_DENIED_BEFORE = re.compile(r"(?:[不没别]\s*(?:打|用|要|是)?|(?<![a-z])(?:not|no|never)(?:\s+(?:the|a))?)\s*$")


def _sprayed(text: str) -> bool:
    """A vaccine said to be sprayed in the nose, and not "不打鼻喷" nor "not the nasal one"."""
    low = lower(text)
    return any(not _DENIED_BEFORE.search(low[: m.start()]) for m in list_pattern("nasal_route").finditer(low))


def _injected(text: str) -> bool:
    """A vaccine said to be injected, and not "不是打针的" nor "not the injection one"."""
    low = lower(text)
    return any(not _DENIED_BEFORE.search(low[: m.start()]) for m in list_pattern("injected_route").finditer(low))


def _as_injected(item: dict[str, Any]) -> dict[str, Any]:
    injected = english().injected_forms.get(item["id"])
    if injected is None:
        return item
    entry = lexicon().entries[f"vaccine:{injected}"]
    return dict(item, id=entry.id, kind=str(entry.kind))


def _named(question: Question, text: str, category: str, today: date) -> Answer:
    """Answers that may name things: "yes, MMR in June", "no", "none except yellow fever vaccine".

    What is someone else's or over ("my brother has hepatitis B") says nothing here, and neither do
    names of other kinds (打过乙肝疫苗, the hepatitis B vaccine, at the infections question).
    """
    group = question.group
    items, terms, parts = _named_items(text, question, category, today, "when")
    if category == "vaccine" and _sprayed(text):
        # the nasal sprays of China are live: "新冠加强针，鼻子里喷的那种" is of a kind the team checks
        items = [dict(i, kind="type_unknown") if i["kind"] == "non_live" else i for i in items]
    elif category == "vaccine" and _injected(text):
        items = [_as_injected(i) for i in items]
    facts = read_facts(text, today)
    aside = _not_theirs(question, facts)
    considered = [t for t in terms if not any(f.start == t.start for f in aside)]
    kept, kept_no = _kept_aside(question, without_clauses_of(text, aside))
    said = _blank(kept, [(f.start, f.end) for f in facts])
    answer = yes_no(said)
    # "no, that's my husband", "孩子要打疫苗算吗？我自己不用打" (a clause of someone else's says nothing here)
    rest = content_words(list_pattern("others").sub(" ", lower(without_others_clauses(said))), question)
    if items:
        unknown = (
            _unknown_vaccines(text, terms, parts) if category == "vaccine" else _unnamed(text, terms, parts, question)
        )
        times = [i.get("when") for i in items]
        when = _union_all(times) if all(times) else None
        return Understood({"answer": YES, "items": items, "unknown": unknown}, when)
    if answer == UNSURE:
        return Understood({"answer": UNSURE, "items": [], "unknown": 0})
    if considered and has_contrast(said):
        # "no drug A except once 2 months ago": the exception names nothing new; the team checks.
        return Understood({"answer": YES, "items": [], "unknown": 1}, time_in(text, today))
    if answer == NO and has_contrast(said) and not rest:
        return NotUnderstood("confirm")  # "no, just SA14-14-2": a no with an exception is no plain no
    talks_of_one = category == "vaccine" and _VACCINE_WORDS.search(normalise(said))  # "<a slip> vaccine"
    if not rest and (answer == NO or ((facts or kept_no) and answer is None and not talks_of_one)):
        return Understood({"answer": NO, "items": [], "unknown": 0})  # "no", "no MMR", "my brother has hep B"
    if not rest and answer == YES and category != "vaccine" and group != "cancer":
        # "yes" is a full answer to "have you had plasma exchange?"
        return Understood({"answer": YES, "items": [], "unknown": 0}, time_in(text, today))
    vague_vaccine = category == "vaccine" and not _VACCINE_WORDS.search(normalise(said))
    if rest and (answer != NO or has_contrast(said)) and not vague_vaccine:
        # Something we do not know was named ("none except the yellow fever vaccine"): the study team checks it.
        return Understood({"answer": YES, "items": [], "unknown": 1}, time_in(text, today))
    # A bare "yes" to "which vaccine, if any?" lacks only the name; anything else is unclear.
    return NotUnderstood({NO: "confirm", YES: "which"}.get(answer or "", ""))


def _not_theirs(question: Question, facts: tuple[Fact, ...]) -> list[Fact]:
    """Facts that are someone else's, over, or (for a question about the past) planned."""
    counted = (YES, FUTURE, MAYBE) if question.tense == "future" else (YES, MAYBE)
    return [f for f in facts if f.standing not in counted and f.standing != "no"]


def answers_question(question: Question, fact: Fact) -> bool:
    """Whether a fact is what ``question`` asks about: a kind its ``names`` lists, its condition
    group, or the category of its type ("I had lymphoma" and "have you had cancer?")."""
    if question.names:
        return any(fact.is_a(spec) for spec in question.names)
    if question.type == "condition":
        return fact.category == "condition" and fact.group == question.group
    return fact.category == {"medicine_list": "medicine", "vaccine": "vaccine"}.get(question.type)


def _yes_no(question: Question, text: str, today: date) -> Answer:
    """yes, no or unsure; a "no" (or "yes") with more than filler around it is asked again.

    What the question asks about, said as the person's own, is a yes with its time ("I had my hip
    replaced 5 weeks ago"). What is someone else's, negated, over or hypothetical, what answers
    another question, and a reason that keeps a no ("no, I'm a man"), leave the answer as it is.
    """
    groups = find_groups(text, "answers")
    if "pregnancy" in question.names:
        now = pregnancy_now(text)
        if now is not None and UNSURE not in groups:
            return Understood(YES if now else NO)  # "怀孕？没有", "pregnant: no, breastfeeding: no"
    if UNSURE in groups:
        return Understood(UNSURE)
    facts = read_facts(text, today)
    counted = (YES, FUTURE, MAYBE) if question.tense == "future" else (YES,)
    about = [f for f in facts if answers_question(question, f)]
    mine = [f for f in about if f.standing in counted and not _before_the_question(question, f, text)]
    if NO in groups and any(f.category == "medicine" and not f.when for f in mine):
        return NotUnderstood("confirm", tuple(mine))  # "no, just amoxicillin": when, the no does not say
    if mine and (NO not in groups or has_contrast(text)):
        # "I had lymphoma as a child", "no, apart from the lymphoma I had at 12"
        times = [f.when for f in mine]
        edge = question.within_days or 0
        if question.edge_unsure and all(t and t["max_days"] > edge for t in times):
            return Understood(UNSURE)  # "finished amoxicillin about 16 days ago" to "in the last 2 weeks?"
        return Understood(YES, _union_all(times) if all(times) else None)
    if question.excepted and not mine:
        # "yes, terbinafine for toenail fungus", "没有，只有脚上灰指甲在抹药膏，fungus那种": only what the
        # criterion excepts, and words of its care
        own = [f for f in facts if f.standing == YES and any(f.is_a(kind) for kind in question.excepted)]
        rest = list_pattern("excepted_care").sub(" ", lower(without_clauses_of(text, own)))
        if own and not _own_words(list_pattern("asks_if_it_counts").sub(" ", rest)):
            return Understood(NO)
    unclear = mine or [f for f in about if f.standing == MAYBE]
    if unclear:
        return NotUnderstood("confirm", tuple(unclear))  # "no, lymphoma", "in case I had cancer": theirs?
    aside = _not_theirs(question, facts) + [f for f in about if _before_the_question(question, f, text)]
    rest = _blank(without_others_clauses(without_clauses_of(text, aside)), [(f.start, f.end) for f in facts])
    reasons = _without_reasons(question, rest, text)  # "no, I'm a man", "no, diabetes but well controlled"
    if reasons and YES not in find_groups(reasons[0], "answers"):  # they keep a no, not a yes
        rest, kept_no = reasons
    else:
        kept_no = False
    if kept_no and "preventive" in question.no_reasons and list_pattern("course_after_procedure").search(lower(text)):
        return NotUnderstood("confirm")  # "拔牙了 医生开了头孢 说是预防的": a course, not daily prevention
    said_no = groups == [NO]
    groups = find_groups(rest, "answers")  # "我妈有淋巴瘤，我没有": the 有 is the mother's
    if NO in groups and not kept_no and _own_doubt(question, text, facts):
        return NotUnderstood("confirm")  # "no, I had a thing removed" to "ever had cancer?"
    if question.yes_reasons and NO not in groups:
        said_yes = no_reasons_pattern(question.yes_reasons)  # the same word lists: reasons by name
        if said_yes.search(lower(rest)) and not _unnegated(said_yes.sub(" ", lower(rest))):
            return Understood(YES)  # "前年已经切干净了，医生说治好了"
    # "my mum had lymphoma", "我妈得过淋巴瘤", "我是男的": nothing against a no; nor is "no, just a cold"
    # to "a bad infection?" (what it names answers its own question, if any)
    # ... nor "not me, my husband's getting his knee done" (the "not me" goes with the husband)
    if not groups and (facts or kept_no or said_no) and not content_words(rest, question):
        return Understood(NO)
    # "no, just a cold, 2 days home on the couch": beside only a mild illness, everyday words are filler,
    # unless they tell of care ("... but on a drip", "... but on antibiotics": an antibiotic of their own
    # is care too). The contrast word stays: it ends the no's reach ("no, just a cold | but in hospital").
    treated = any(f.kind == "antibiotic" and f.standing == YES and f not in aside for f in facts)
    cared = treated or list_pattern("care_words").search(lower(rest))
    everyday = all(f.kind == "mild" for f in facts)
    if groups == [NO] and facts and not about and not cared and not _unnegated(lower(rest), everyday):
        return Understood(NO)
    if groups == [NO]:
        rest = list_pattern("others").sub(" ", lower(rest))  # "no, someone else", "no, my mum"
    if len(groups) != 1:
        return NotUnderstood()
    if has_contrast(rest) and not _a_bare_conjunction(rest):
        # "no, apart from my epilepsy", "yes, but I can't travel"; not "no. my mum had it though"
        return NotUnderstood("confirm")
    if groups[0] == NO and (cared or _unnegated(rest)):
        # "no, my diabetes is not under control" (the question's own words), "no, a cold, on a drip"; not
        # "no chest pain"
        return NotUnderstood("confirm")
    return Understood(groups[0])


def _a_bare_conjunction(text: str) -> bool:
    """The contrast in ``text`` is only a conjunction with nothing after it ("no. | though", "no, | but
    nothing since"), not a qualifier ("every day", "latent") nor an exception."""
    low = lower(text)
    said = [m.group().strip() for m in list_pattern("contrast").finditer(low)]
    bare = all(list_pattern("conjunctions").fullmatch(word) for word in said)
    return bare and not _own_words(list_pattern("contrast").sub(" ", low))


_THIRD_PERSON = re.compile(r"(?<![a-z'])(?:she|he|they|she's|he's|they're|her|his|their)(?![a-z'])|[她他]")


_NEGATED_ITSELF = re.compile(r"(?:not|no|don't|dont|do not|never)\b|(?:暂时|先)?[不没]")


def _own_doubt(question: Question, text: str, facts: tuple[Fact, ...]) -> bool:
    """A reason in ``question.doubt_reasons`` said of the person's own, about nothing named: "no, but I
    had a thing removed", "没有，就是切掉过一个东西" ("my appendix removed" names what; "she's all clear
    now", "我妈切过" and "never had anything removed" are no doubt, and a reason that keeps the no, such
    as "benign", says what it was)."""
    if not question.doubt_reasons:
        return False
    if any(f.standing == YES and f.category == "procedure" and f.id.endswith("_unspecified") for f in facts):
        return True  # "no, but I had a small operation", "我自己做过一个小手术": what was operated on?
    parts, low = clauses(text), lower(text)
    for match in no_reasons_pattern(question.doubt_reasons).finditer(low):
        clause = clause_of(parts, match.start())
        named = any(clause.start <= f.start < clause.end for f in facts)
        theirs = _THIRD_PERSON.search(lower(clause.text)) or list_pattern("others").search(lower(clause.text))
        # a reason that holds its own negation ("don't want kids") is not undone by the no before it
        own_no = _NEGATED_ITSELF.match(match.group())
        if not named and not theirs and (own_no or not is_negated(text, match.start(), parts)):
            return True
    return False


# Words that only say when: "no, not since the summer".
_WHEN_WORDS = re.compile(
    r"(?:summer|winter|spring|autumn|fall|week|weeks|month|months|year|years|day|days|january|february|march|april"
    r"|may|june|july|august|september|october|november|december|christmas|birthday|childhood|kid|child)"
)


# What else places a time: "五一的时候", "in early May", "at the end of March".
_SAYS_WHEN = re.compile(
    r"的?时候|那会儿?|那阵子?|(?<![a-z])(?:in|on|at|around|about|of|early|late|mid|end|start|beginning|middle)(?![a-z])"
)


_FIRST_PERSON = re.compile(r"(?<![a-z'])(?:i|i'm|im|i've|ive|my|me|mine)(?![a-z'])|我")


def only_explains(question: Question, text: str, today: date) -> bool:
    """A no asked again only for what it explained, naming nothing of the person's own that could be
    an exception: someone else's ("no, but my mum had breast cancer, poor mum"; other words everyday)
    or when ("no, not since the summer"; no other word at all). A bare no after it is a no."""
    facts = read_facts(text, today)
    others = [f for f in facts if f.standing == OTHER]
    rest = _blank(without_clauses_of(text, others), [(f.start, f.end) for f in facts])
    if YES in find_groups(rest, "answers") or _FIRST_PERSON.search(lower(rest)):
        return False  # "..., and I have epilepsy", "... and my thyroid thing": theirs may be an exception
    words = [w for w in content_words(rest, question) if not _WHEN_WORDS.fullmatch(w)]
    if others:
        return not content_words(rest, question, everyday_is_filler=True)
    return bool(parse_days_ago(text, today) or _WHEN_WORDS.search(lower(text))) and not words


def _before_the_question(question: Question, fact: Fact, text: str = "") -> bool:
    """A thing the question asks about, said with a time well before the days it asks about ("no, a
    chest infection back in September" to "in the last 4 weeks?"), or as what a medicine prevents
    ("Bactrim every day to prevent infections"): no reason for a yes."""
    if question.within_days and fact.when and fact.when["min_days"] > question.within_days + 7:
        return True
    if "preventive" in question.no_reasons and text:
        return bool(no_reasons_pattern(("preventive",)).search(lower(clause_of(clauses(text), fact.start).text)))
    return False


# A reason that qualifies the clause before it says so ("diabetes | but it's controlled", "血糖控制得很好"),
# or says nothing of its own ("diabetes, on insulin, | well controlled"); with a subject of its own
# ("heart failure getting worse | but kidneys stable") it is about something else.
_SUBJECT_FIRST = re.compile(r"i\b|i'm|im\b|i am|we\b|my\b|我")
_REFERS_BACK = re.compile(r"\b(?:it|it's|its|they|they're|them|both|that|which|levels?)\b")
# What undoes a reason: "控制得不好", "控制得很差", "不正常", "poorly controlled", "以前挺稳定", "was stable
# until May". "不错" is good.
_UNDONE_BEFORE = re.compile(
    r"(?:[不没未无非][太怎很是大]?|(?:之前|以前|原来|本来)[\u4e00-\u9fff]{0,2})\s*$|"
    r"(?<![a-z])(?:poorly|badly|barely|hardly|not|never|no longer|used to be|was|were)(?:\s+[a-z]+)?\s*$"
)
_UNDONE_AFTER = re.compile(r"\s*(?:[很太也还]?(?:不(?!错)|没|未|差|一般|失控|反复)|(?:not|poorly|badly|any ?more)\b)")
_UNTIL = re.compile(r"\W*(?:until|till|up to|up until|but not|直到|到上|之前|以前)")


def _own_words(text: str) -> list[str]:
    """What a piece of a clause names, beyond yes/no, when, and filler: unlike ``content_words``, words
    that are filler in a list of medicines ("for my kidneys") count."""
    latin = list_pattern("ongoing").sub(" ", _without_phrases(text))
    filler = english().yes_no_filler
    return [w for w in _LATIN_WORD.findall(latin) if w not in filler] + [
        w for w in content_words(text) if _CJK_RUN.search(w)
    ]


def _not_named(text: str) -> str:
    """``text`` without the medicines it names: what a clause says besides what keeps an illness so."""
    return _blank(text, [(t.start, t.end) for t in find_terms(text, ("medicine",))])


# What is measured of an illness: "糖尿病，血糖控制得挺好" says the control of the diabetes, if the clause
# before names nothing else ("心衰越来越重，血压控制得很好" does not).
_MEASURES = re.compile(r"血糖|血压|指标|化验|sugars?|levels?|numbers|readings|bp|a1c|hba1c")
_WORSE = re.compile(r"加重|越来越|恶化|不好|不稳|复发|发作|住院|worse|bad|flare|hospital")


def _is_a_state(reason: str) -> bool:
    """A reason that says how something is ("well controlled", "benign", "早好了"): it qualifies what was
    named before it, and can be undone ("控制得不好")."""
    said = " ".join(reason.split())
    return any(said in english().no_reasons[name] for name in english().states)


def _a_subject_at_most(before: str) -> bool:
    """What comes before a reason in its clause names one thing at most: "my blood pressure is", "血糖血压都";
    not "heart failure getting worse 糖尿病"."""
    words = _own_words(before)
    latin = [w for w in words if not _CJK_RUN.search(w)]
    cjk = [w for w in words if _CJK_RUN.search(w)]
    return len(latin) <= 2 and not (latin and cjk) and (len(cjk) <= 1 and all(len(w) <= 4 for w in cjk))


def _only_treats(clause: str) -> bool:
    """A clause that says nothing but medicines or filler: "on insulin", "打胰岛素"."""
    return not content_words(_not_named(clause))


def _without_reasons(question: Question, text: str, said: str) -> tuple[str, bool] | None:
    """The text without the clauses that give a reason keeping a no (the question's ``no_reasons``),
    nor the clause the reason qualifies ("I've got diabetes | but it's well controlled"), with the
    medicines said between them ("糖尿病，打胰岛素，控制得挺好"), and whether there was one; None when the
    question has none. ``said`` is the whole message, of which ``text`` may have blanks."""
    if not question.no_reasons:
        return None
    low, parts = lower(text), clauses(text)
    found = []
    for match in no_reasons_pattern(question.no_reasons).finditer(low):
        clause = clause_of(parts, match.start())
        state = _is_a_state(match.group())
        undone = state and (
            _UNDONE_BEFORE.search(low[max(clause.start, match.start() - 12) : match.start()])
            or _UNDONE_AFTER.match(low[match.end() : min(clause.end, match.end() + 8)])
            or _UNTIL.match(low[match.end() :])
        )
        # Not "isn't really controlled" nor "控制得不好"; but "no I'm a man" is no negated man. Of two
        # illnesses in one clause ("心衰越来越重 糖尿病控制得挺好") it may say only one's.
        several = state and len(find_terms(said[clause.start : clause.end], ("condition",))) > 1
        if _SUBJECT_FIRST.match(match.group()) or not (is_negated(low, match.start(), parts) or undone or several):
            found.append((match, state))
    spans = []
    for match, state in found:
        clause = clause_of(parts, match.start())
        index = parts.index(clause) if clause in parts else 0
        opener = low[parts[index - 1].end : clause.start] if index else ""
        if state and not _a_subject_at_most(said[clause.start : match.start()]):
            spans.append((match.start(), match.end()))  # "heart failure getting worse 糖尿病控制得挺好"
            continue
        spans.append((parts[index - 1].end if index else clause.start, clause.end))  # with its ", but"
        if not (state and index):
            continue  # "no, just a tooth out" says nothing of the clause before
        own = _own_words(_not_named(said[clause.start : match.start()] + " " + said[match.end() : clause.end]))
        measured = bool(own) and all(_MEASURES.fullmatch(w) for w in own)  # "血糖控制得挺好", "levels normal"
        if not (
            (_REFERS_BACK.search(lower(clause.text)) or not own or measured)
            and (list_pattern("contrast").search(opener) or not own or measured)
        ):
            continue
        back, between = index - 1, []
        while back and _only_treats(said[parts[back].start : parts[back].end]):
            between.append((parts[back].start, parts[back].end))  # "糖尿病，打胰岛素，控制得挺好"
            back -= 1
        target = said[parts[back].start : parts[back].end]
        if measured and not (_a_subject_at_most(target) and not _WORSE.search(lower(target))):
            continue  # "心衰越来越重，血压控制得很好": the pressure is no word of the heart's
        # with the contrast word that opened it: "没有，就是子宫肌瘤，良性的" keeps only "没有，"
        opened = (
            parts[back - 1].end
            if back and list_pattern("contrast").search(low[parts[back - 1].end : parts[back].start])
            else parts[back].start
        )
        spans += [*between, (opened, parts[back].end)]
    return _blank(text, spans), bool(found)


_CAUSE = re.compile(r"[\s,，、;；]*(?:(?:after|because|due to|from|for)(?![a-z])|因为|由于|是因为)")


def _rare_words(text: str) -> list[str]:
    """The words of ``text`` beyond everyday ones (a drug or a procedure the lexicon does not know), and
    the everyday words of care ("a procedure", "a drip")."""
    low = lower(text)
    care = [m.group() for m in list_pattern("care_words").finditer(low)]
    return (
        care
        + [m.group() for m in list_pattern("treatment_words").finditer(low)]
        + content_words(text, everyday_is_filler=True)
    )


def _kept_aside(question: Question, text: str) -> tuple[str, bool]:
    """``text`` without a reason that keeps a no (the question's ``no_reasons``: "no, just a blood
    transfusion") and without "does that count?" ("输过血，这个算吗"), and whether there was a reason."""
    reasons = _without_reasons(question, text, text) if question.no_reasons else None
    kept_no = bool(reasons and reasons[1])
    if reasons and kept_no:  # and the time said of it: "输过血, 上个月"
        text = reasons[0]
        only_when = [
            c
            for c in clauses(text)
            if TIME_CUE.search(lower(c.text)) and not _own_words(TIME_CUE.sub(" ", lower(c.text)))
        ]
        # ...and its cause, in everyday words: "a blood transfusion in August | after a heavy period"
        parts = clauses(text)
        causes = [
            (before.end, c.end)
            for before, c in pairwise(parts)
            if _CAUSE.match(lower(text[before.end : c.end])) and not _rare_words(c.text)
        ]
        text = _blank(text, [(c.start, c.end) for c in only_when] + causes)
    return _blank(text, [m.span() for m in list_pattern("asks_if_it_counts").finditer(lower(text))]), kept_no


def _unnegated(text: str, everyday_is_filler: bool = False) -> list[str]:
    """The content words of ``text`` that no negation governs: "no chest pain" has none."""
    parts, low = clauses(text), lower(text)
    words = []
    for word in content_words(text, everyday_is_filler=everyday_is_filler):
        at = low.find(word)
        if at < 0 or not is_negated(text, at, parts):
            words.append(word)
    return words


def _union_all(times: list[dict[str, Any] | None]) -> dict[str, Any] | None:
    known = [t for t in times if t]
    if not known:
        return None
    when = known[0]
    for other in known[1:]:
        when = union(when, other)
    return when


def _dose(text: str, today: date) -> Answer:
    """stable, changed, started, stopped or pulse, with the time of a change when one is given.

    "Same dose for 6 weeks" or "yes, since October" is no steady dose for the 12 weeks: it is a
    change dated then, so the window decides (``when`` answers the question that asks when).
    """
    groups = find_groups(text, "dose")
    key: str | None = next((k for k in ("pulse", "stopped", "started", "changed", "stable") if k in groups), None)
    if key is None:
        # The question asks "Have you taken the same dose ... for more than 3 months?"
        key = {YES: "stable", NO: "changed", UNSURE: UNSURE}.get(yes_no(text) or "")
    if key is None:
        return NotUnderstood()
    # Only a time said as one ("for 6 weeks", "since October", "3 weeks ago"): "2 tablets a day" is a dose.
    since = started(text, today) or (parse_days_ago(text, today) if TIME_CUE.search(normalise(text)) else None)
    if since and key in ("stable", "changed", "started", "stopped"):
        return Understood(key, since.as_dict())  # the scoring compares the time with the window
    return Understood(key)


_QUESTION_START = re.compile(
    r"^(what|whats|what's|how|why|is|are|can|could|should|will|would|do|does|who|where|when)\b"
    # A request for information asks as a question does: "tell me about the stem cells".
    r"|^(?:please )?(?:tell me|explain|i(?:'d like|d like| would like| want| wanted) to (?:know|ask)|i wonder)\b"
    r"|^(?:i )?(?:just )?wanna (?:know|ask)\b"
)


# Chinese asks with question words and "X不X" as often as with 吗: "狼疮肾炎是什么", "要多久", "贵不贵";
# and requests with 想了解, 想问, 请问, 介绍一下: "我想了解干细胞" is no stem-cell treatment taken.
_ZH_QUESTION = re.compile(
    r"什么|啥时|怎么|怎样|如何|多久|多长|多少|哪|谁|为什么|为啥|是否|(\w)不\1|有没有|可不可以"
    r"|想了解|想知道|想问|想咨询|请问|介绍一下|介绍下|给我讲讲|给我说说|解释一下"
)


def looks_like_question(text: str) -> bool:
    """ "What is this medicine?" names a medicine but asks about it: no answer to "which medicines do you take?"."""
    clean = normalise(text)
    return clean.endswith(("?", "？", "吗", "呢")) or bool(_QUESTION_START.match(clean) or _ZH_QUESTION.search(clean))


# Asking what a thing is, or asking to be told about it: "what are stem cells?", "我想了解干细胞".
_REQUEST = re.compile(
    r"^(?:please )?(?:tell me(?: more)?(?: about)?|explain"
    r"|i(?:'d like|d like| would like| want| wanted) to (?:know|ask)(?: about)?"
    r"|(?:i )?(?:just )?wanna (?:know|ask)(?: about)?|i wonder|what is|what are|what's|whats)\b"
    r"|\bwhat does .* mean\b"
    r"|我?(?:想了解|想知道|想问|想咨询|请问)|介绍一下|介绍下|给我讲讲|给我说说|解释一下|是什么|什么是|是啥|啥是"
)


def _only_asks(clause: str) -> bool:
    """A request with nothing of theirs in it, and no yes, no or "not sure" ("不知道是什么药" is unsure)."""
    clause = lower(clause)
    if not _REQUEST.search(clause):
        return False
    rest = _REQUEST.sub(" ", clause)  # the 是 of 是什么 is no yes
    return not find_groups(rest, "answers") and not _FIRST_PERSON.search(rest)


def only_asked_about(text: str, fact: Fact) -> bool:
    """A thing named only as the subject of a request or of "what is it?" says nothing of it taken or
    had: "what are stem cells?", "我想了解干细胞". Said with a time, or with "I" or "我" beyond the request
    itself ("what is the dose of the cellcept I take?"), it is theirs; "is cellcept ok?" is theirs too."""
    return not fact.when and _only_asks(clause_of(clauses(text), fact.start).text)


# The hint of a message that only asks something: no answer, and no miss either.
ASKS = "asks"


def only_asks(text: str) -> bool:
    """Every clause a request or "what is it?", none saying anything of theirs: "我想了解费用" answers no
    question ("不知道，想问问医生" and "what's the age limit? I'm 45" do)."""
    return all(_only_asks(c.text) for c in clauses(text))


def _age(question: Question, text: str, today: date) -> Answer:
    age = parse_age(text, today)
    if age:
        return Understood(age.as_dict())
    return Understood(UNSURE) if yes_no(text) == UNSURE else NotUnderstood("age")


def _time_ago(question: Question, text: str, today: date) -> Answer:
    ago = parse_days_ago(text, today)
    if ago:
        return Understood(ago.as_dict())
    return Understood(UNSURE) if yes_no(text) == UNSURE else NotUnderstood("date")


def _lab_protein(question: Question, text: str, today: date) -> Answer:
    result = parse_protein(text)
    if result is None:
        return Understood(UNSURE) if yes_no(text) == UNSURE else NotUnderstood()
    if result.measure == NO_UNIT:
        return NotUnderstood("unit")
    if yes_no(text) == UNSURE and list_pattern("which_test").search(lower(text)):
        return Understood(UNSURE)  # "大概两克多吧，记不清是哪个检查了": of which test, the team asks
    return Understood(result.as_dict())


# How an answer to each type of question is read (bot/trial/model.py QUESTION_TYPES lists the
# types; tests/test_answers.py checks every one has a reader here and a description in
# bot/session/messages.py). A new type of question starts here.
READERS: dict[str, Callable[[Question, str, date], Answer]] = {
    "yes_no": _yes_no,
    "age": _age,
    "time_ago": _time_ago,
    "lab_protein": _lab_protein,
    "medicine_list": _medicines,
    "dose": lambda question, text, today: _dose(text, today),
    "procedure": lambda question, text, today: _named(question, text, "procedure", today),
    "condition": lambda question, text, today: _named(question, text, "condition", today),
    "vaccine": lambda question, text, today: _named(question, text, "vaccine", today),
}


# Types whose answer may be a bare number ("34", "1.2"): a channel that numbers its options (SMS)
# must not take "1" there for its first option.
TAKES_NUMBERS = frozenset({"age", "lab_protein", "time_ago"})


def understand(question: Question, text: str, today: date) -> Answer:
    """What ``text`` means as an answer to ``question`` on ``today``."""
    if not text or not text.strip() or text.lstrip().startswith("/"):
        return NotUnderstood()  # "/intent{...}" is a command, never an answer
    if only_asks(text):
        return NotUnderstood(ASKS)  # "i'd like to know about stem cells": none taken, asked again
    return READERS[question.type](question, text, today)
