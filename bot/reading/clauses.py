"""Clauses of an answer, and what holds within one: negation, the time of an item, pregnancy now.

A clause is where one statement ends and the next begins, so "no flu shot, but MMR last month"
negates the flu shot only, and gives MMR its time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from bot.reading.festivals import names_a_festival
from bot.reading.terms import Term
from bot.reading.times import DaysAgo, months_respelled, parse_days_ago
from bot.reading.typos import respell, slip_of
from bot.reading.words import english, list_pattern, normalise


def lower(text: str) -> str:
    """Lower case with straight apostrophes and 俺 as 我 ("I"), keeping every character's offset."""
    return text.lower().replace("’", "'").replace("‘", "'").replace("俺", "我")


# Where one statement ends and the next begins: punctuation (not the "." of "1.5 mg" or the
# "/" of a date), list words, and contrast words ("no vaccines | except MMR").
_CLAUSE_BREAK = re.compile(
    r"(?<!\d),|,(?!\d)|[;!?\n&+()（）]|\.(?=\s|$)|\s[-–—]+\s|[–—]|[，；。！？、：:]|"
    r"(?<![\w'])(?:and|plus|also|then|with|after|before|but|except|apart from|aside from|besides|although|"
    r"though|while|whereas|until|unless|other than|save for|bar)(?![\w'])|"
    r"(?<=\s)[nw](?=\s)|(?<=\s)w/|"  # texting: "pred n some monthly injection", "pred w/ a shot"
    r"和|还有|以及|然后|之后|以后|但是|不过|除了|另外|只有|就是|只是|倒是"
)
_NEGATION = re.compile(
    r"(?<![\w'])(?:no|not|never|none|without|neither|nor|negative|haven't|hasn't|hadn't|didn't|don't|doesn't|wasn't|"
    r"isn't|weren't|aren't|havent|hasnt|didnt|dont|doesnt|wasnt|isnt|n't)(?![\w'])"
)
_CJK_NEGATION = re.compile(r"(?:没有|没|无|未|不是|不在|没在|不曾|从未|从没|非)[打用吃做过有了的种接]{0,3}$")
_NEGATION_REACH = 4  # words between an English negation and the item it governs ("haven't had the flu shot")
_SUBJECT = re.compile(
    r"(?<![\w'])(?:i|i'm|im|i've|ive|i'd|id|we|we've|they|he|she|"
    r"wait|actually|oops|sorry|hold on|hang on|scratch that)(?![\w'])"  # "none, oh wait, ublituximab"
)
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
    for match in _CLAUSE_BREAK.finditer(lower(text)):
        found.append(Clause(start, match.start(), text[start : match.start()]))
        start = match.end()
    found.append(Clause(start, len(text), text[start:]))
    return [c for c in found if c.text.strip()]


def clause_of(parts: list[Clause], position: int) -> Clause:
    return next((c for c in parts if c.start <= position < c.end), parts[-1] if parts else Clause(0, 0, ""))


# A negation after the thing, closing its clause: "美罗华贝利尤那些都没打过", "HIV丙肝都查过是阴性",
# "HIV negative". Only where no "had it" comes between ("美罗华打过别的都没打过" keeps 美罗华).
_CJK_NEGATION_AFTER = re.compile(r"(?:都|也|从来|一直)?(?:没有|没|未|不曾|从没)(?:打|用|吃|做|上|接种|输|得)过|阴性")
_EN_NEGATION_AFTER = re.compile(r"^[\s\w-]{0,12}?\b(?:negative|neg|-ve)\b")
_CJK_SPACED = re.compile(r"[\u4e00-\u9fff]\s+[\u4e00-\u9fff]")
_THOSE = re.compile(r"那些|这些|这几种|那几种|全部|都")
_NOTHING_MORE = re.compile(r"[了的啊呢哦呀吧\s。.!！~]*")
_HAD_IT = re.compile(r"(?:打|用|吃|做|上|接种|输|得)(?:过|了)|阳性")


def is_negated(text: str, start: int, parts: list[Clause] | None = None, stopped_is_had: bool = True) -> bool:
    """A negation that governs what starts at ``start``: "no flu shot", "I haven't had MMR", "没打过水痘疫苗",
    or one after it that closes its clause ("美罗华那些都没打过", "HIV negative").

    Only within its own clause, so "no, MMR last month" and "no vaccines except MMR" keep MMR. A thing
    no longer taken ("not on it any more", "不吃了") was had: not negated, unless ``stopped_is_had`` is
    False, for a state ("not breastfeeding any more", "没喂奶了" say no).
    """
    clause = clause_of(parts if parts is not None else clauses(text), start)
    before = lower(text[clause.start : start])
    if stopped_is_had and _STOPPED.search(lower(clause.text)):
        return False
    if _CJK_NEGATION.search(before.rstrip()):
        return True
    after = lower(text[start : clause.end])
    trailing = _CJK_NEGATION_AFTER.search(after)
    if trailing and not _HAD_IT.search(after[: trailing.start()]):
        # Past a space typed for a comma it is the next thing's when it has a thing of its own ("骁悉
        # 没打过针"); with none ("美罗华 没打过") or covering them all ("那些都没打过") it is theirs
        spaced = _CJK_SPACED.search(after, 0, trailing.start() + 1)
        if not spaced or _NOTHING_MORE.fullmatch(after[trailing.end() :]) or _THOSE.search(after[: trailing.end()]):
            return True
    if _EN_NEGATION_AFTER.search(after[after.find(" ") if " " in after else len(after) :]):
        return True
    reach = " ".join(before.split()[-_NEGATION_REACH:])
    negations = list(_NEGATION.finditer(reach))
    if not negations:
        return False
    # "no I had the MMR last month": a new subject after the no begins what is said, unnegated;
    # so does a contrast word, even mistyped ("none exceppt myeloma")
    after = reach[negations[-1].end() :]
    contrast = _contrast_words()
    return not (_SUBJECT.search(after) or any(w in contrast or slip_of(w, contrast) for w in after.split()))


@lru_cache(maxsize=1)
def _contrast_words() -> tuple[str, ...]:
    return tuple(sorted({w for p in english().contrast for w in p.split() if w.isascii() and len(w) >= 4}))


# --------------------------------------------------------------------------- pregnancy
@lru_cache(maxsize=512)
def pregnancy_mentions(text: str) -> tuple[tuple[int, int, str], ...]:
    """Each mention of pregnancy or nursing, with its span and whether it says "yes" (now), "no"
    (negated, or "pregnant: no") or "over" (past, hypothetical, wished for, or someone else's)."""
    clean = lower(text)
    parts = clauses(clean)
    found = []
    # Slips of the words ("breastfeedinng", "5 monthhs along") are read as the words, where they stand.
    respelled, origin = respell(clean, english().pregnancy, past_is_no_slip=True)  # "nursed" is over
    said = [(origin[m.start()], origin[m.end() - 1] + 1) for m in list_pattern("pregnancy").finditer(respelled)]
    for span in sorted(said):
        if clean.startswith(("粉", "奶粉"), span[1]):
            continue  # 喂奶粉, 还在喂奶粉: feeding formula, no nursing
        if _LABEL_NO.match(clean[span[1] :]):
            found.append((*span, "no"))  # "pregnant: no", "怀孕？没有"
            continue
        clause = clause_of(parts, span[0])
        before = " ".join(clean[clause.start : span[0]].split()[-4:])
        after = " ".join(clean[span[1] : clause.end].split()[:4])
        nursing = any(word in clean[span[0] : span[1]] for word in english().nursing_itself)
        if list_pattern("formula_feeding").match(_FED_ARTICLE.sub("", after, count=1)) and not nursing:
            continue  # "I feed the baby formula" is no nursing; "breastfeeding, a bottle at night" is
        if (
            list_pattern("pregnancy_not_now_before").search(before)
            or list_pattern("pregnancy_not_now_after").search(after)
            or _theirs_before(clean, parts, clause)
        ):
            found.append((*span, "over"))
        elif is_negated(clean, span[0], parts, stopped_is_had=False) or _NOT_BEFORE.search(clean[: span[0]]):
            found.append((*span, "no"))  # "not pregnant now", "没喂奶了", "早就不喂奶了"
        else:
            found.append((*span, "yes"))
    return tuple(found)


# What is fed, right after the feeding ("feed the baby formula", "feed her a bottle"); not further on,
# where it is as often beside nursing ("still feeding my baby plus formula", "还在喂奶加奶粉").
_FED_ARTICLE = re.compile(r"^(?:a|the|some|with|on)\s+")


def _theirs_before(text: str, parts: list[Clause], clause: Clause) -> bool:
    """A clause with no subject right after one that ends on another person ("my SISTER is, due in feb",
    "是我姐, 预产期二月"): the other person's."""
    index = parts.index(clause) if clause in parts else 0
    if not index or list_pattern("first_person").search(clause.text):
        return False
    previous = parts[index - 1].text
    found = list(list_pattern("others").finditer(previous))
    return bool(found) and _ONLY_IS.fullmatch(previous[found[-1].end() :]) is not None


_ONLY_IS = re.compile(r"\s*(?:is|'s|s|was|的|是|呢|啊)?\s*")


# A plain 不 before a state: "不喂奶了" (the negations of things had need 不是, 不在...: "不吃" is no "没吃").
_NOT_BEFORE = re.compile(r"不[再在]?$")


def pregnancy_now(text: str) -> bool | None:
    """True when the text says the person is pregnant or nursing now; False when it says not; else None.

    "trying to get pregnant" or "I was pregnant last year" is neither: the question is asked instead.
    """
    said = {standing for _, _, standing in pregnancy_mentions(text)}
    if "yes" in said:
        return True
    return False if "no" in said else None


# A form-like answer: the word, a separator, then no ("breastfeeding - no").
_LABEL_NO = re.compile(r"\s*[:：?？\-–—=]+\s*(?:no|not|negative|none|n|没有|没|否|不是|无)\s*(?:[,.;!?。，；！？]|$)")


# --------------------------------------------------------------------------- times
TIME_CUE = re.compile(
    r"\b(ago|last|since|yesterday|today|earlier|(19|20)\d\d(?!\s*(mg|mcg|iu|units?|ml|g|ng|mmol|umol)\b)|\d{4}-\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4}|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|june?|july?|aug(ust)?|sept?(ember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|(in|early|late|mid|since) may|may \d)\b|"
    r"[\d一二三四五六七八九十两几半]+\s*(个)?(月|周|星期|礼拜|天|年)(前|以前|之前)|上(个)?(月|周|星期|礼拜)|"
    r"去年|前年|昨天|前天|今天|上上|小时候|岁的时候|年轻的时候|\d{1,2}\s*月份?|(?:十[一二]|[一二三四五六七八九十])月份?|\d{4}\s*年|(?<!\d)\d\d年(?=那|的时候|底|初)|"
    r"\bwhen i was\b|\bas a (?:child|kid|teenager)\b|\bin my teens\b|"
    r"\b(?:spring|summer|autumn|winter)\b|\b(?:the|this|last) fall\b|[春夏秋冬][天季]"
)


def time_in(piece: str, today: date) -> dict[str, Any] | None:
    """A time in a piece of an answer, if the piece clearly talks about when."""
    piece = months_respelled(piece)
    if not TIME_CUE.search(normalise(piece)) and not names_a_festival(piece):
        return None
    ago = parse_days_ago(piece, today)
    if ago and _UNTIL_NOW.search(normalise(piece)):
        ago = replace(ago, min_days=0)  # "3rd UTI since sept", "从九月开始一直反复": from then until today
    return ago.as_dict() if ago else None


# A time said as the start of what goes on until today.
_UNTIL_NOW = re.compile(r"\bsince\b|自从|从.{1,10}?(?:开始|起|以来)|以来")


def union(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """Two times for one item: the range that covers both, so only the study team can settle a conflict."""
    a, b = DaysAgo.from_dict(first), DaysAgo.from_dict(second)
    return DaysAgo(min(a.min_days, b.min_days), max(a.max_days, b.max_days), a.hedged or b.hedged).as_dict()


def item_times(text: str, terms: list[Term], parts: list[Clause], today: date) -> dict[str, dict[str, Any]]:
    """The time of each named item, where the message makes it unambiguous.

    A clause naming one item and a time gives that item the time ("flu shot in May, MMR 2 weeks
    ago"). A clause with two items and a time gives neither ("drug A and drug B in May" is asked
    per item), unless the whole message names one item and one time ("drug A, about 6 months ago"), or
    one antibiotic and the illness it treated.
    """
    times: dict[str, dict[str, Any]] = {}
    timed = [c for c in parts if TIME_CUE.search(normalise(months_respelled(c.text))) or names_a_festival(c.text)]
    by_clause: dict[int, set[str]] = {}
    for term in terms:
        by_clause.setdefault(clause_of(parts, term.start).start, set()).add(term.entry.id)
    ids = {t.entry.id for t in terms}
    # An antibiotic and the illness it treated are one course, with one time ("finished amoxicillin for
    # a tooth infection about 16 days ago"; "had nitrofurantoin for a bladder infection but finished it
    # around Halloween", dated in a clause of its own). Not other medicines: "tacrolimus for my lupus
    # nephritis, dose changed 3 weeks ago" gives no last dose.
    medicines = {(t.entry.id, t.entry.kind) for t in terms if t.category == "medicine"}
    one_course = {t.category for t in terms} == {"medicine", "condition"} and [k for _, k in medicines] == [
        "antibiotic"
    ]
    for clause in timed:
        named = by_clause.get(clause.start, set())
        if len(named) == 1 or (one_course and named == ids):
            when = time_in(clause.text, today)
            if when is None:
                continue
            for item in named:
                times[item] = union(times[item], when) if item in times else when
    if (len(ids) == 1 or (one_course and len(by_clause) == 1)) and len(timed) == 1 and not times:
        when = time_in(timed[0].text, today)
        if when:
            times.update(dict.fromkeys(ids, when))
    return times
