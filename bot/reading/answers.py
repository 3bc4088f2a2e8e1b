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
from typing import Any

from wordfreq import zipf_frequency

from bot import LEXICON_DIR
from bot.reading.ages import parse_age
from bot.reading.labs import NO_UNIT, parse_protein
from bot.reading.numbers import words_to_digits
from bot.reading.terms import Term, find_terms
from bot.reading.times import DaysAgo, chinese_to_english, parse_days_ago
from bot.reading.words import english, find_groups, list_pattern, normalise, phrase_pattern, squeeze
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


# --------------------------------------------------------------------------- clauses
# Where one statement ends and the next begins: punctuation (not the "." of "1.5 mg" or the
# "/" of a date), list words, and contrast words ("no vaccines | except MMR").
_CLAUSE_BREAK = re.compile(
    r"(?<!\d),|,(?!\d)|[;!?\n&+()]|\.(?=\s|$)|\s[-–—]+\s|[–—]|[，；。！？、：:]|"
    r"(?<![\w'])(?:and|plus|also|then|with|after|before|but|except|apart from|aside from|besides|although|"
    r"though|while|whereas|until|unless|other than)(?![\w'])|和|还有|以及|然后|之后|以后|但是|不过|除了|另外"
)
_NEGATION = re.compile(
    r"(?<![\w'])(?:no|not|never|none|without|neither|nor|haven't|hasn't|hadn't|didn't|don't|doesn't|wasn't|"
    r"isn't|weren't|aren't|havent|hasnt|didnt|dont|doesnt|wasnt|isnt|n't)(?![\w'])"
)
_CJK_NEGATION = re.compile(r"(?:没有|没|无|未|不是|不在|没在|不曾|从未|从没|非)[打用吃做过有了的种接]{0,3}$")
_NEGATION_REACH = 4  # words between an English negation and the item it governs ("haven't had the flu shot")
# "No longer on X", "not X any more", "没有吃X了": stopping it, not never having taken it.
_STOPPED = re.compile(
    r"no longer|any ?more|these days|\b(?:now|since|until|till|stopped)\b|不再|没再|不吃了|[不没]在[用吃打]|了\s*$"
)


@dataclass(frozen=True)
class Clause:
    start: int
    end: int
    text: str


def clauses(text: str) -> list[Clause]:
    found, start = [], 0
    for match in _CLAUSE_BREAK.finditer(_lower(text)):
        found.append(Clause(start, match.start(), text[start : match.start()]))
        start = match.end()
    found.append(Clause(start, len(text), text[start:]))
    return [c for c in found if c.text.strip()]


def _clause_of(parts: list[Clause], position: int) -> Clause:
    return next((c for c in parts if c.start <= position < c.end), parts[-1] if parts else Clause(0, 0, ""))


def is_negated(text: str, start: int, parts: list[Clause] | None = None) -> bool:
    """A negation that governs what starts at ``start``: "no flu shot", "I haven't had MMR", "没打过水痘疫苗".

    Only within its own clause, so "no, MMR last month" and "no vaccines except MMR" keep MMR.
    """
    clause = _clause_of(parts if parts is not None else clauses(text), start)
    before = _lower(text[clause.start : start])
    if _STOPPED.search(_lower(clause.text)):
        return False
    if _CJK_NEGATION.search(before.rstrip()):
        return True
    return bool(_NEGATION.search(" ".join(before.split()[-_NEGATION_REACH:])))


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


def _lower(text: str) -> str:
    """Lower case with straight apostrophes, keeping every character's offset."""
    return text.lower().replace("’", "'").replace("‘", "'")


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
    clean = _without_phrases(chinese_to_english(words_to_digits(text)) if _CJK_RUN.search(text) else text)
    words = [
        w
        for w in _LATIN_WORD.findall(clean)
        if w not in filler
        and squeeze(w) not in _answer_words()
        and w.removesuffix("s") not in asked
        and not (everyday_is_filler and is_everyday_word(w))
    ]
    for run in _CJK_RUN.findall(_zh_filler().sub(" ", clean)):
        rest = "".join(ch for ch in run if ch not in _CJK_FILLER)
        if len(rest) >= 2:
            words.append(rest)
    return words


def has_contrast(text: str) -> bool:
    return bool(list_pattern("contrast").search(normalise(text)))


def _treatment_word(text: str, clause: Clause, parts: list[Clause]) -> bool:
    """An injection, drip or remedy in the clause, not negated ("and that monthly shot", "打针")."""
    found = list_pattern("treatment_words").finditer(_lower(clause.text))
    return any(not is_negated(text, clause.start + m.start(), parts) for m in found)


# --------------------------------------------------------------------------- pregnancy
def pregnancy_now(text: str) -> bool | None:
    """True when the text says the person is pregnant or nursing now; False when it says not; else None.

    "trying to get pregnant" or "I was pregnant last year" is neither: the question is asked instead.
    """
    clean = normalise(text)
    parts = clauses(clean)
    said_not = False
    for match in list_pattern("pregnancy").finditer(clean):
        if _LABEL_NO.match(clean[match.end() :]):
            said_not = True  # "pregnant: no", "怀孕？没有"
            continue
        clause = _clause_of(parts, match.start())
        before = " ".join(clean[clause.start : match.start()].split()[-4:])
        after = " ".join(clean[match.end() : clause.end].split()[:4])
        if list_pattern("pregnancy_not_now_before").search(before) or list_pattern("pregnancy_not_now_after").search(
            after
        ):
            continue
        if is_negated(clean, match.start(), parts):
            said_not = True
            continue
        return True
    return False if said_not else None


# A form-like answer: the word, a separator, then no ("breastfeeding - no").
_LABEL_NO = re.compile(r"\s*[:：?？\-–—=]+\s*(?:no|not|negative|none|n|没有|没|否|不是|无)\s*(?:[,.;!?。，；！？]|$)")


# --------------------------------------------------------------------------- times
_TIME_CUE = re.compile(
    r"\b(ago|last|since|yesterday|today|earlier|in (19|20)\d\d|\d{4}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|(in|early|late|mid|since) may|may \d)\b|"
    r"[\d一二三四五六七八九十两几半]+\s*(个)?(月|周|星期|礼拜|天|年)(前|以前|之前)|上(个)?(月|周|星期|礼拜)|"
    r"去年|昨天|前天|今天|\d{1,2}\s*月份?|\d{4}\s*年"
)


def _time_in(piece: str, today: date) -> dict[str, Any] | None:
    """A time in a piece of an answer, if the piece clearly talks about when."""
    if not _TIME_CUE.search(normalise(piece)):
        return None
    ago = parse_days_ago(piece, today)
    return ago.as_dict() if ago else None


def union(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two times for one item: the range that covers both, so only the study team can settle a conflict."""
    a, b = DaysAgo.from_dict(first), DaysAgo.from_dict(second)
    return DaysAgo(min(a.min_days, b.min_days), max(a.max_days, b.max_days), a.hedged or b.hedged).as_dict()


def item_times(text: str, terms: list[Term], parts: list[Clause], today: date) -> dict[str, dict[str, Any]]:
    """The time of each named item, where the message makes it unambiguous.

    A clause naming one item and a time gives that item the time ("flu shot in May, MMR 2 weeks
    ago"). A clause with two items and a time gives neither ("drug A and drug B in May" is asked
    per item), unless the whole message names one item and one time ("drug A, about 6 months ago").
    """
    times: dict[str, dict[str, Any]] = {}
    timed = [c for c in parts if _TIME_CUE.search(normalise(c.text))]
    by_clause: dict[int, set[str]] = {}
    for term in terms:
        by_clause.setdefault(_clause_of(parts, term.start).start, set()).add(term.entry.id)
    ids = {t.entry.id for t in terms}
    for clause in timed:
        named = by_clause.get(clause.start, set())
        if len(named) == 1:
            when = _time_in(clause.text, today)
            if when:
                item = next(iter(named))
                times[item] = union(times[item], when) if item in times else when
    if len(ids) == 1 and len(timed) == 1 and not times:
        when = _time_in(timed[0].text, today)
        if when:
            times[next(iter(ids))] = when
    return times


# --------------------------------------------------------------------------- readers
def _item(term: Term) -> dict[str, Any]:
    return {"id": term.entry.id, "kind": term.entry.kind, "verified": term.verified}


def _named_items(
    text: str, question: Question, category: str, today: date, time_key: str
) -> tuple[list[dict[str, Any]], list[Term], list[Clause]]:
    """Items named and not negated, each once (with its time, if the message makes it clear), and every term seen.

    Only the items the question is about count: its condition group, or the kinds its ``names`` lists.
    """
    parts = clauses(text)
    found = find_terms(text, (category,)) + (_diseases_as_vaccines(text) if category == "vaccine" else [])
    terms = [
        t
        for t in found
        if (question.group is None or t.entry.group == question.group)
        and (not question.names or _names_kind(question, t))
    ]
    kept = [t for t in terms if not is_negated(text, t.start, parts)]
    times = item_times(text, kept, parts, today)
    items: dict[str, dict[str, Any]] = {}
    for term in kept:
        item = items.setdefault(term.entry.id, _item(term))
        item["verified"] = item["verified"] and term.verified
        if term.entry.id in times:
            item[time_key] = times[term.entry.id]
    return list(items.values()), terms, parts


def _diseases_as_vaccines(text: str) -> list[Term]:
    """At a vaccine question "the chickenpox one" is the chickenpox vaccine: a disease named in a
    clause that names no vaccine is read as the vaccine against it, if the lexicon knows one."""
    parts = clauses(text)
    named = {_clause_of(parts, t.start).start for t in find_terms(text, ("vaccine",))}
    found = []
    for disease in find_terms(text, ("condition",)):
        if _clause_of(parts, disease.start).start in named:
            continue
        suffix = "疫苗" if _CJK_RUN.search(disease.text) else " vaccine"  # "<disease> vaccine", "<disease>疫苗"
        as_vaccine = find_terms(disease.text + suffix, ("vaccine",))
        if len(as_vaccine) == 1:
            found.append(replace(as_vaccine[0], text=disease.text, start=disease.start, end=disease.end))
    return found


def _unknown_clauses(text: str, terms: list[Term], parts: list[Clause]) -> int:
    """Clauses that name no known medicine but something else: an unknown medicine, an unnamed
    treatment, or a condition, vaccine or procedure ("no, only hepatitis B") the study team should see."""
    named = {_clause_of(parts, t.start).start for t in terms}
    others = {_clause_of(parts, t.start).start for t in find_terms(text) if not is_negated(text, t.start, parts)}
    unknown = 0
    for clause in parts:
        if clause.start in named or clause.text.rstrip().endswith("?"):
            continue
        if clause.start in others:
            unknown += 1
            continue
        words = content_words(clause.text, everyday_is_filler=True)
        first = min((i for i in (_lower(clause.text).find(w) for w in words) if i >= 0), default=0)
        if (words and not is_negated(text, clause.start + first, parts)) or _treatment_word(text, clause, parts):
            unknown += 1
    return unknown


def _dose_changes(text: str, terms: list[Term], parts: list[Clause], items: list[dict[str, Any]]) -> None:
    """ "I started drug A 6 weeks ago": a start, change or stop said with the name, and its time.

    The time then dates the change (``dose_when``), not the last dose.
    """
    for item in items:
        # The clause that names it, or the whole message when it names only this one.
        said = (
            {_clause_of(parts, t.start).text for t in terms if t.entry.id == item["id"]} if len(items) > 1 else {text}
        )
        changes = [k for c in said for k in find_groups(c, "dose") if k in ("started", "changed", "stopped")]
        if len(said) == 1 and changes:
            item["dose"] = changes[0]
            if "last_dose" in item:  # the time of a stop is also the last dose; of a start, only the change
                item["dose_when"] = item["last_dose"] if changes[0] == "stopped" else item.pop("last_dose")


def _medicines(question: Question, text: str, today: date) -> Answer:
    items, terms, parts = _named_items(text, question, "medicine", today, "last_dose")
    _dose_changes(text, terms, parts, items)
    unknown = _unknown_clauses(text, terms, parts)
    if not items and terms and has_contrast(text):
        unknown += 1  # "no drug A except once 2 months ago": the exception is the team's to read
    if items or (unknown and not text.rstrip().endswith("?")):  # "what is this study?" is no medicine
        return Understood({"none": False, "items": items, "unknown": unknown})
    answer = yes_no(text)
    if answer == UNSURE:
        return Understood(UNSURE)
    if answer == NO and content_words(text, question):
        # "no, only chemo": a no with more than filler is not "none"
        return (
            Understood({"none": False, "items": [], "unknown": 1}) if has_contrast(text) else NotUnderstood("confirm")
        )
    if answer == NO:
        return Understood({"none": True, "items": [], "unknown": 0})
    return NotUnderstood("which" if answer == YES else "")


_VACCINE_WORDS = re.compile(r"vaccin|\bshots?\b|\bjabs?\b|inject|immuni[sz]|booster|疫苗|针")


def _unnamed(text: str, terms: list[Term], parts: list[Clause], question: Question) -> int:
    """Clauses beside the named items that say something else ("basal cell and prostate", "BCC and
    not sure about the other one"): an unknown item for the study team."""
    named = {_clause_of(parts, t.start).start for t in terms}
    return sum(
        1
        for c in parts
        if c.start not in named and (content_words(c.text, question) or UNSURE in find_groups(c.text, "answers"))
    )


def _unknown_vaccines(text: str, terms: list[Term], parts: list[Clause]) -> int:
    """Clauses naming no known vaccine that still talk of one ("MMR and some travel jab")."""
    named = {_clause_of(parts, t.start).start for t in terms}
    unknown = 0
    for clause in parts:
        words = [w for w in content_words(clause.text) if not _VACCINE_WORDS.search(w)]
        cue = _VACCINE_WORDS.search(normalise(clause.text))
        if clause.start not in named and words and cue and not is_negated(text, clause.start + cue.start(), parts):
            unknown += 1
    return unknown


def _named(question: Question, text: str, category: str, today: date) -> Answer:
    """Answers that may name things: "yes, MMR in June", "no", "none except yellow fever vaccine"."""
    group = question.group
    items, terms, parts = _named_items(text, question, category, today, "when")
    answer = yes_no(text)
    spans = [(t.start, t.end) for t in terms]
    rest = content_words(_blank(text, spans), question)
    if items:
        unknown = (
            _unknown_vaccines(text, terms, parts) if category == "vaccine" else _unnamed(text, terms, parts, question)
        )
        times = [i.get("when") for i in items]
        when = None
        if all(times):
            when = times[0]
            for other in times[1:]:
                when = union(when, other)  # type: ignore[arg-type]
        return Understood({"answer": YES, "items": items, "unknown": unknown}, when)
    if answer == UNSURE:
        return Understood({"answer": UNSURE, "items": [], "unknown": 0})
    if terms and has_contrast(text):
        # "no drug A except once 2 months ago": the exception names nothing new; the team checks.
        return Understood({"answer": YES, "items": [], "unknown": 1}, _time_in(text, today))
    if answer == NO and has_contrast(text) and not rest:
        return NotUnderstood("confirm")  # "no, just SA14-14-2": a no with an exception is no plain no
    if not rest and (answer == NO or (terms and answer is None)):
        return Understood({"answer": NO, "items": [], "unknown": 0})  # "no", "no MMR"
    if not rest and answer == YES and category != "vaccine" and group != "cancer":
        # "yes" is a full answer to "have you had plasma exchange?"
        return Understood({"answer": YES, "items": [], "unknown": 0}, _time_in(text, today))
    vague_vaccine = category == "vaccine" and not _VACCINE_WORDS.search(normalise(text))
    if rest and (answer != NO or has_contrast(text)) and not vague_vaccine:
        # Something we do not know was named ("none except the yellow fever vaccine"): the study team checks it.
        return Understood({"answer": YES, "items": [], "unknown": 1}, _time_in(text, today))
    # A bare "yes" to "which vaccine, if any?" lacks only the name; anything else is unclear.
    return NotUnderstood({NO: "confirm", YES: "which"}.get(answer or "", ""))


def _names_kind(question: Question, term: Term) -> bool:
    return any(
        spec
        in (
            term.entry.category,
            f"{term.entry.category}:{term.entry.kind}",
            f"{term.entry.category}:{term.entry.group}",
        )
        for spec in question.names
    )


def _yes_no(question: Question, text: str) -> Answer:
    """yes, no or unsure; a "no" (or "yes") with more than filler around it is asked again."""
    if question.volunteered == "pregnancy":
        now = pregnancy_now(text)
        if now is not None and UNSURE not in find_groups(text, "answers"):
            return Understood(YES if now else NO)  # "怀孕？没有", "pregnant: no, breastfeeding: no"
    groups = find_groups(text, "answers")
    if UNSURE in groups:
        return Understood(UNSURE)
    parts = clauses(text)
    terms = [t for t in find_terms(text) if not is_negated(text, t.start, parts)]
    if NO not in groups and any(_names_kind(question, t) for t in terms):
        return Understood(YES)  # "I had lymphoma as a child" answers "have you had cancer?"
    if len(groups) != 1:
        return NotUnderstood()
    if has_contrast(text):
        return NotUnderstood("confirm")  # "no, apart from my epilepsy", "yes, but I can't travel"
    if groups[0] == NO and (terms or content_words(text)):
        # "no, I'm on dialysis", and "no, my diabetes is not under control" (the question's own words)
        return NotUnderstood("confirm")
    return Understood(groups[0])


_FOR_A_WHILE = re.compile(r"\bfor\s+(?=\S+\s+(?:days?|weeks?|months?|years?|yrs?)\b)")


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
    timed = _FOR_A_WHILE.search(text) or _TIME_CUE.search(normalise(text))
    since = parse_days_ago(_FOR_A_WHILE.sub("", text) + (" ago" if _FOR_A_WHILE.search(text) else ""), today)
    if timed and since and key in ("stable", "changed", "started", "stopped"):
        return Understood(key, since.as_dict())  # the scoring compares the time with the window
    return Understood(key)


_QUESTION_START = re.compile(
    r"^(what|whats|what's|how|why|is|are|can|could|should|will|would|do|does|who|where|when)\b"
)


def looks_like_question(text: str) -> bool:
    """ "What is this medicine?" names a medicine but asks about it: no answer to "which medicines do you take?"."""
    clean = normalise(text)
    return clean.endswith(("?", "？", "吗", "呢")) or bool(_QUESTION_START.match(clean))


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
    return Understood(result.as_dict())


# How an answer to each type of question is read (bot/trial/model.py QUESTION_TYPES lists the
# types; tests/test_answers.py checks every one has a reader here and a description in
# bot/session/messages.py). A new type of question starts here.
READERS: dict[str, Callable[[Question, str, date], Answer]] = {
    "yes_no": lambda question, text, today: _yes_no(question, text),
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
    return READERS[question.type](question, text, today)
