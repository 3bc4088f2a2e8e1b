"""Everything an answer says about what the criteria care about, and whose it is.

A fact is a thing a message names (a medicine, vaccine, procedure or condition, or pregnancy),
with the time said beside it and how it stands:
- ``yes``: the person's own, now or in the past ("I had lymphoma at 12");
- ``no``: negated in its own clause ("no flu shot");
- ``other``: someone else's ("my sister had breast cancer");
- ``maybe``: hypothetical ("what if I need the MMR?", "in case I get shingles"): not said as theirs,
  but not to be dropped either (a question such as "does breast cancer count?" says it is theirs);
- ``future``: planned or expected ("I'll need the yellow fever vaccine");
- ``over``: pregnancy or nursing that is not now ("I stopped nursing last year").

Any answer is read for its facts, whatever the question, so that nothing said is thrown away: a
fact that answers another question answers it (``volunteered:`` in the trial file), and one that
answers this question but leaves the answer unclear is kept and named when the bot asks again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from functools import lru_cache
from typing import Any

from bot.reading.clauses import Clause, clause_of, clauses, is_negated, item_times, lower, pregnancy_mentions
from bot.reading.terms import Term, find_terms
from bot.reading.words import list_pattern

YES, NO, OTHER, MAYBE, FUTURE, OVER = "yes", "no", "other", "maybe", "future", "over"
PREGNANCY = "pregnancy"
_JOINED = ("and", "&", "和", "跟", "与", "还有")  # "I and my sister", "我和我妈"


@dataclass(frozen=True)
class Fact:
    category: str  # medicine | vaccine | procedure | condition | pregnancy
    id: str
    kind: str
    group: str | None
    verified: bool
    start: int  # where it is named in the message
    end: int
    standing: str  # yes | no | other | maybe | future | over
    when: dict[str, Any] | None = None  # days ago, when the message makes it clear

    def is_a(self, spec: str) -> bool:
        """Whether a spec of the trial file names it: "medicine", "condition:cancer" (a group),
        "procedure:dialysis" (a kind), "pregnancy"."""
        return spec in (self.category, f"{self.category}:{self.kind}", f"{self.category}:{self.group}")

    def as_dict(self) -> dict[str, Any]:
        """What is kept of it in a screening's state: no position, no words of the message."""
        fields = ("category", "id", "kind", "group", "verified", "standing", "when")
        return {k: getattr(self, k) for k in fields}

    @classmethod
    def from_item(cls, raw: dict[str, Any]) -> Fact:
        return cls(
            raw["category"], raw["id"], raw["kind"], raw.get("group"), bool(raw["verified"]), 0, 0,
            raw.get("standing", YES), raw.get("when"),
        )  # fmt: skip

    def item(self, time_key: str = "when") -> dict[str, Any]:
        """The fact as an answer's item: ``{"id", "kind", "verified"}`` and its time, if any."""
        item: dict[str, Any] = {"id": self.id, "kind": self.kind, "verified": self.verified}
        if self.when:
            item[time_key] = self.when
        return item


def _standing(text: str, term: Term, parts: list[Clause]) -> str:
    term_start = term.start
    if is_negated(text, term_start, parts):
        return NO
    clause = clause_of(parts, term_start)
    if term.category == "condition" and list_pattern("immune").search(lower(clause.text)):
        return NO  # "vaccinated against hep B": protected, not ill
    before = lower(text[clause.start : term_start])
    # "I and my mum", "我和我妈": the joining word ends the clause before, so look just before it too
    joined = lower(text[max(0, clause.start - 12) : clause.start]) + " " + before
    if _someone_else(joined):
        return OTHER  # before what is planned: "是我妈要做手术" is the mother's operation, not theirs to come
    after = _POSSESSIVE.sub("", lower(text[term.end : clause.end]))
    belongs = _BELONGS.match(after)
    whose = belongs and list_pattern("others").match(after, belongs.end())
    if whose and _WHOSE_END.match(after, whose.end()):
        return OTHER  # "甲氨蝶呤是我妈吃的", "the methotrexate is my mum's"; not "was my mum's idea"
    if list_pattern("future").search(lower(clause.text)):
        return FUTURE
    if list_pattern("hypothetical").search(before):
        return MAYBE
    return YES


def _someone_else(before: str) -> bool:
    """Another person is the subject, and the person does not join them ("my sister and I")."""
    before = _POSSESSIVE.sub("", before)  # "my grandma's" is "my grandma"
    others = list(list_pattern("others").finditer(before))
    if not others:
        return False
    last = others[-1]
    if list_pattern("first_person").search(before[last.end() :]):
        return False  # "my mum and I", "they put me on", "我妈说我"
    joined = before[: others[0].start()].rstrip()
    return not (joined.endswith(_JOINED) and list_pattern("first_person").search(joined))


# A person spoken of: he or she (not 其他, "other", nor the 他 of 他克莫司, tacrolimus).
_HE_OR_SHE = re.compile(r"(?<![a-z'])(?:she|he|she's|he's|her|hers|his|him)(?![a-z'])|(?<!其)[她他](?!克)")
# What says whose a thing is, right after it: "<item> is my mum's", "<item>是我妈吃的".
_BELONGS = re.compile(r"\s*(?:[-–—:]\s*)?(?:(?:is|was|are|were|that's|thats|that is|that was)\s+|都?是|那是)")
_POSSESSIVE = re.compile(r"'s\b|s'(?=\s)")
# ...and nothing more of the clause than the thing itself: "the cellcept was my mum's suggestion" is
# still their own medicine.
_WHOSE_END = re.compile(
    r"\s*(?:(?:在|正在)?(?:吃|用|打|服用|拿)?的(?:药|那个)?|(?:own\s+)?(?:one|med(?:icine|ication)?s?|pills?"
    r"|tablets?|prescription|not mine))?\s*[.!。！~]*\s*$"
)


def _has_subject(text: str, start: int, parts: list[Clause]) -> bool:
    clause = lower(clause_of(parts, start).text)
    return bool(list_pattern("first_person").search(clause) or list_pattern("others").search(clause))


def says_someone_else(text: str) -> bool:
    """ "no, someone else", "it was my mum": the answer gives the fact to another person."""
    return bool(list_pattern("others").search(lower(text)))


_VACCINE_AFTER = re.compile(r"\s*(?:vaccines?|vaccination|shots?|jabs?|疫苗)", re.IGNORECASE)


def _as_vaccine(text: str, term: Term) -> Term:
    """A slip of a vaccine's name read as its illness ("chickenppox vaccine yesterday"): the vaccine,
    when a vaccine word follows it and the lexicon knows one vaccine by that illness's name."""
    after = _VACCINE_AFTER.match(text, term.end)
    if term.category != "condition" or after is None:
        return term
    name = term.text if term.verified or not term.entry.names else term.entry.names[0]
    found = find_terms(name + ("疫苗" if re.search(r"[\u4e00-\u9fff]", name) else " vaccine"), ("vaccine",))
    if len(found) != 1:
        return term
    return replace(
        found[0], text=text[term.start : after.end()], start=term.start, end=after.end(), verified=term.verified
    )


@lru_cache(maxsize=512)
def read_facts(text: str, today: date) -> tuple[Fact, ...]:
    """Every fact in ``text``, in order."""
    parts = clauses(text)
    terms: list[Term] = [_as_vaccine(text, t) for t in find_terms(text)]
    standing: dict[int, str] = {}
    for term in terms:
        standing[term.start] = _standing(text, term, parts)
        clause = clause_of(parts, term.start)
        bracketed = text[: clause.start].rstrip().endswith(("(", "（"))
        earlier = [t for t in terms if t.start < term.start and (bracketed or t.entry.id == term.entry.id)]
        # "my mum's Ebola vaccine (Ervebo)": named again, or in brackets, it is still hers
        if earlier and standing[earlier[-1].start] == OTHER and standing[term.start] == YES:
            standing[term.start] = YES if _has_subject(text, term.start, parts) else OTHER
        if standing[term.start] == OTHER and list_pattern("me_too").search(lower(text[clause.end :])):
            # "my son needs the MMR and so do I", "我儿子要打麻腮风，我也要": theirs and the person's
            standing[term.start] = FUTURE if list_pattern("future").search(lower(clause.text)) else YES
    own = [t for t in terms if standing[t.start] in (YES, FUTURE)]
    times = item_times(text, own, parts, today)
    facts = [
        Fact(
            category=t.category,
            id=t.entry.id,
            kind=str(t.entry.kind),
            group=t.entry.group,
            verified=t.verified,
            start=t.start,
            end=t.end,
            standing=standing[t.start],
            when=times.get(t.entry.id) if standing[t.start] in (YES, FUTURE) else None,
        )
        for t in terms
    ]
    facts += [Fact(PREGNANCY, PREGNANCY, PREGNANCY, None, True, a, b, s) for a, b, s in pregnancy_mentions(text)]
    return tuple(sorted(facts, key=lambda f: f.start))


def without_others_clauses(text: str) -> str:
    """The text with each clause about someone else blanked: one that opens with another person ("my
    dad has heart failure", "but my mum had it", "我爸有冠心病") and in which the person does not join
    them after ("my mum and I", "我妈说我"). What the lexicon does not name is theirs all the same."""
    low = lower(text)
    for clause in clauses(text):
        piece = low[clause.start : clause.end]
        found = list_pattern("others").search(piece)
        opening = piece[: found.start()].strip(" ,.;:!?，。；：！？-") if found else "x"
        joined = found and list_pattern("first_person").search(piece[found.end() :])
        # (the "my" of "my husband's knee op": the person found is "husband's")
        if found and not joined and (opening in ("", "my", "our") or list_pattern("contrast").fullmatch(opening)):
            text = text[: clause.start] + " " * (clause.end - clause.start) + text[clause.end :]
    return text


def without_clauses_of(text: str, facts: list[Fact] | tuple[Fact, ...]) -> str:
    """The text with the clauses that state these facts blanked, with the word that opened each
    ("no, but my sister had breast cancer" keeps only "no,")."""
    parts = clauses(text)
    spans = []
    for fact in facts:
        clause = clause_of(parts, fact.start)
        index = parts.index(clause) if clause in parts else 0
        opened = parts[index - 1].end if index else clause.start  # the break before it: ", but"
        end = clause.end
        if fact.standing == OTHER:  # "my husband is on Humira, it's for his back, 那是他强直的药": still his
            for after in parts[index + 1 :]:
                said = lower(after.text)
                if not _HE_OR_SHE.search(said) or list_pattern("first_person").search(said):
                    break
                end = after.end
        spans.append((opened, end))
    for start, end in spans:
        text = text[:start] + " " * (end - start) + text[end:]
    return text
