"""One person's screening: which question is next, what their answers mean so far.

The state is a small JSON-able dict, so a Rasa slot (or anything else) can
carry it between turns. Channels and dialogue policies stay outside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.reading.answers import (
    ASKS,
    UNCLEAR,
    UNSURE,
    YES,
    Answer,
    NotUnderstood,
    Understood,
    answers_question,
    content_words,
    has_contrast,
    only_asked_about,
    only_explains,
    understand,
    vaccines_for_illnesses,
)
from bot.reading.clauses import union
from bot.reading.facts import FUTURE, MAYBE, Fact, read_facts, says_someone_else
from bot.reading.lexicon import lexicon
from bot.reading.words import find_groups
from bot.scoring import Result, scored
from bot.storage.records import ScreeningRecord
from bot.trial.model import FollowUp, Question, Trial

MAX_MISSES = 2  # after a second answer we cannot understand, the study team checks it


def _vague(item: dict[str, Any]) -> bool:
    """A name that does not say which kind ("skin cancer"): the lexicon's *_unclear and *_unknown kinds."""
    return not item["verified"] or str(item["kind"]).endswith(("_unclear", "_unknown"))


@dataclass(frozen=True)
class Turn:
    understood: bool
    question_id: str  # the question the answer was for
    gave_up: bool = False  # not understood twice: recorded as "needs the study team"


@dataclass
class Screening:
    trial: Trial
    answers: dict[str, Any] = field(default_factory=dict)
    misses: dict[str, int] = field(default_factory=dict)
    hints: dict[str, str] = field(default_factory=dict)  # what the last answer we missed lacked ("which")
    # What an answer not understood said about its question's subject ("no, lymphoma"): kept, named
    # when the question is asked again, and never erased by a later bare answer.
    mentioned: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    reached: int = 0  # the furthest part of the screen whose questions were answered (or missed)

    # -------------------------------------------------------------- questions
    def result(self, final: bool = False) -> Result:
        return scored(self.trial, self.answers, final=final)

    def current_question_id(self) -> str | None:
        upcoming = self.result().next_questions
        return upcoming[0] if upcoming else None

    def question(self, question_id: str) -> Question:
        """The question's wording, with the item's name filled in for follow-ups ("When did you have MMR?")."""
        question = self.trial.question(question_id)
        follow_up = FollowUp.parse(question_id)
        if follow_up and question.about:
            entry = lexicon().entries.get(f"{question.about}:{follow_up.item}")
            return question.render(**{question.about: entry.label if entry else follow_up.item})
        return question

    def part(self, question_id: str) -> tuple[int, bool]:
        """The number of the question's part of the screen (1 for the first), and whether it opens it.

        Parts never change in number, and progress never jumps back: a question about an earlier part
        (a medicine named at the last question) is shown in the part reached. A part is reached by
        answering its questions, not by an answer said ahead of them ("I had hepatitis B" at the
        medicines question).
        """
        number = self.trial.section_number(self.question(question_id).section)
        return max(number, self.reached), number > self.reached

    # ---------------------------------------------------------------- answers
    def read(self, text: str, today: date, question_id: str | None = None) -> tuple[str, Answer]:
        """What ``text`` means as the answer to the current (or the given) question; changes nothing."""
        qid = question_id or self.current_question_id()
        if qid is None:
            raise ValueError("there is no question to answer")
        follow_up = FollowUp.parse(qid)
        if follow_up:
            text = _about(text, follow_up.item, today)
        return qid, understand(self.question(qid), text, today)

    def answer(self, text: str, today: date, question_id: str | None = None) -> Turn:
        """Take ``text`` as the answer to the current (or the given) question."""
        qid, understood = self.read(text, today, question_id)
        return self.accept(qid, understood, text, today)

    def accept(self, qid: str, understood: Answer, text: str, today: date) -> Turn:
        """Record what was read: the answer, or a miss (a second miss goes to the study team).

        Every fact the text states answers the question it belongs to, wherever it was said.
        """
        facts = read_facts(text, today)
        if self.question(qid).type == "vaccine":  # "欣安立适，带状疱疹的": the vaccine's illness, not theirs
            the_vaccines = vaccines_for_illnesses(text)
            facts = tuple(f for f in facts if f.start not in the_vaccines)
        self._volunteered(qid, facts)
        self.reached = max(self.reached, self.trial.section_number(self.question(qid).section))
        if isinstance(understood, NotUnderstood):
            if understood.hint == ASKS:
                return Turn(False, qid)  # "i'd like to know where it happens" is no answer, nor a miss
            if understood.kept:
                self._mention(qid, understood.kept)
            self.misses[qid] = self.misses.get(qid, 0) + 1
            self.hints[qid] = self._hint(qid, understood, text, today)
            if self.misses[qid] >= MAX_MISSES:
                self._set(qid, UNSURE if self.question(qid).type == "yes_no" else UNCLEAR)
                return Turn(False, qid, gave_up=True)
            return Turn(False, qid)
        value, when = understood.value, understood.when
        if _says_no(value) and self.hints.get(qid) == "confirm" and qid not in self.mentioned and _bare(text):
            # A bare "no" (a tapped button) after "no, apart from ..." erases nothing said before: the
            # study team checks it ("没打别的,就上个月打了个水豆疫苗", then "No", was no vaccine at all).
            value = UNSURE if self.question(qid).type == "yes_no" else UNCLEAR
        if qid in self.mentioned and value in (YES, "no"):
            # After "You mentioned lymphoma. Is that a cancer you have had?": yes takes the facts as said;
            # "no, someone else" drops them; a bare no leaves them for the study team.
            if value == YES:
                return self._answered_with(qid, [Fact.from_item(i) for i in self.mentioned[qid]])
            if says_someone_else(text) or all(i.get("standing") == MAYBE for i in self.mentioned[qid]):
                self.mentioned.pop(qid)  # "no, someone else"; or "no" to what was only a "what if"
            else:
                value = UNSURE
        self._set(qid, value)
        if self.question(qid).names and value == YES:
            # "yes, leukemia as a child and a basal cell skin cancer" also answers "which kind?",
            # unless a vague name ("a skin cancer") leaves the question worth asking.
            for detail in self._questions_after(qid, ("condition", "procedure", "vaccine")):
                named = understand(self.trial.questions[detail], text, today)
                found = named.value if isinstance(named, Understood) else None
                if isinstance(found, dict) and found.get("items") and not any(map(_vague, found["items"])):
                    self.answers.setdefault(detail, found)
        if when:
            self._timed(qid, when)
        return Turn(True, qid)

    def _timed(self, qid: str, when: dict[str, Any]) -> None:
        follow_up, question = FollowUp.parse(qid), self.question(qid)
        linked = self._time_questions_after(qid)
        if follow_up and question.time_follow_up:
            linked.append(FollowUp(question.time_follow_up, follow_up.item).id)
        for time_question in linked:
            self.answers.setdefault(time_question, when)

    def _mention(self, qid: str, facts: tuple[Fact, ...]) -> None:
        kept = {(i["category"], i["id"]): i for i in self.mentioned.get(qid, [])}
        kept.update({(f.category, f.id): f.as_dict() for f in facts})
        self.mentioned[qid] = list(kept.values())

    def _answered_with(self, qid: str, facts: list[Fact]) -> Turn:
        """Take facts as the answer to ``qid``: yes, with their items and times where the question
        and those asked after it want them."""
        question = self.question(qid)
        self._set(qid, _with_facts(question, self.answers.get(qid), facts))
        for detail in self._questions_after(qid, ("condition", "procedure", "vaccine")):
            items = [f for f in facts if answers_question(self.trial.questions[detail], f)]
            if items and not any(_vague(f.item()) for f in items):
                self.answers[detail] = _with_facts(self.trial.questions[detail], self.answers.get(detail), items)
        times = [f.when for f in facts]
        if question.type == "yes_no" and times and all(times):
            when = times[0]
            for other in times[1:]:
                when = union(when, other)  # type: ignore[arg-type]
            self._timed(qid, when)  # type: ignore[arg-type]
        return Turn(True, qid)

    def _hint(self, qid: str, understood: NotUnderstood, text: str, today: date) -> str:
        """What a missed answer lacked; "confirm" for a no with an exception."""
        if understood.hint == "confirm" and only_explains(self.question(qid), text, today):
            return ""
        # "没有,就是心衰,一直控制不好", not read: a no with an exception all the same (not "no, only a
        # tooth pulled at the dentist": everyday English words only)
        excepted = (
            not understood.hint
            and has_contrast(text)
            and bool(content_words(text, self.question(qid), everyday_is_filler=True))
        )
        return "confirm" if excepted else understood.hint

    def note(self, text: str, today: date, alarmed: bool = False) -> bool:
        """Facts said outside an answer (a question of their own, "I had the MMR last week, is that a
        problem?") answer the questions they belong to. A message ``alarmed`` (answered with the
        emergency message) was often an answer too: an exception it makes to the open question stands
        against a bare "no" tapped after it ("no, apart from my epilepsy which isn't really controlled, 2
        seizures in October", then "No", was a false fit). Whether anything changed."""
        before = self.to_dict()
        # "what are stem cells?" asked at the medicines question is no stem-cell treatment taken
        self._volunteered("", tuple(f for f in read_facts(text, today) if not only_asked_about(text, f)))
        qid = self.current_question_id()
        if alarmed and qid is not None:
            _, understood = self.read(text, today, qid)
            if isinstance(understood, NotUnderstood) and self._hint(qid, understood, text, today) == "confirm":
                self.hints[qid] = "confirm"
        return self.to_dict() != before

    def _volunteered(self, qid: str, facts: tuple[Fact, ...]) -> None:
        """Facts said along with any answer answer their own questions: "no, I'm 5 months along" answers
        the pregnancy question, "cyclosporine since my kidney transplant" the serious illness one.

        Only the person's own (planned ones for a question about the future). A fact with no time does
        not answer a question about a window of time ("an operation in the last 3 months?"): that
        question is asked as usual.
        """
        for question in self.trial.questions.values():
            if question.id == qid or not question.volunteered:
                continue
            future = question.tense == "future"
            windowed = not future and (bool(self._time_questions_after(question.id)) or question.type == "vaccine")
            given = [
                f
                for f in facts
                if any(f.is_a(spec) for spec in question.volunteered)
                and f.standing in ((FUTURE, MAYBE) if future else (YES,))
                and (f.when or not windowed)
            ]
            if given:
                self._answered_with(question.id, given)

    def _set(self, qid: str, value: Any) -> None:
        self.answers[qid] = value
        self.misses.pop(qid, None)
        self.hints.pop(qid, None)
        if value != UNSURE:
            self.mentioned.pop(qid, None)

    def _time_questions_after(self, qid: str) -> list[str]:
        """Questions that ask *when* about the answer to ``qid`` (e.g. surgery_when)."""
        return self._questions_after(qid, ("time_ago",))

    def _questions_after(self, qid: str, types: tuple[str, ...]) -> list[str]:
        """Questions of these types asked only because of the answer to ``qid``."""
        return [q.id for q in self.trial.questions.values() if q.type in types and qid in q.ask_if]

    def correct(self, question_id: str, value: Any) -> None:
        """Replace an earlier answer; answers that no longer apply stop counting (see scoring)."""
        self._set(question_id, value)

    def forget(self, question_id: str) -> None:
        """Drop an answer so the question is asked again (for corrections)."""
        self.answers.pop(question_id, None)
        self.misses.pop(question_id, None)
        self.hints.pop(question_id, None)
        self.mentioned.pop(question_id, None)
        for linked in self._time_questions_after(question_id):
            self.answers.pop(linked, None)

    def go_back(self) -> str | None:
        """ "Go back": the answer given last is dropped, so its question is asked again; its id, or
        None when there is none."""
        current = self.current_question_id()
        order = list(self.trial.questions)
        here = order.index(current) if current in order else len(order)
        # Not an answer said ahead of its question ("I had shingles" at the medicines question).
        previous = next(
            (qid for qid in reversed(self.answers) if qid != current and (qid not in order or order.index(qid) < here)),
            None,
        )
        if previous is not None:
            self.forget(previous)
        return previous

    # ------------------------------------------------------------------ state
    def to_dict(self) -> dict[str, Any]:
        state = {"answers": dict(self.answers), "misses": dict(self.misses), "hints": dict(self.hints)}
        return {**state, "reached": self.reached, **({"mentioned": dict(self.mentioned)} if self.mentioned else {})}

    @classmethod
    def from_dict(cls, trial: Trial, raw: dict[str, Any] | None) -> Screening:
        raw = raw or {}
        return cls(
            trial,
            dict(raw.get("answers", {})),
            dict(raw.get("misses", {})),
            dict(raw.get("hints", {})),
            dict(raw.get("mentioned", {})),
            int(raw.get("reached", 0)),
        )


def _about(text: str, item: str, today: date) -> str:
    """The part of an answer about one medicine, when it names several: "the Lupkynis is new, 6 weeks;
    cellcept same for a year" asked of each was read whole, the year for both."""
    named = sorted((f.start, f.id) for f in read_facts(text, today) if f.category == "medicine")
    if item not in {i for _, i in named} or len({i for _, i in named}) < 2:
        return text
    pieces = []
    for n, (start, found) in enumerate(named):
        if found == item:
            end = next((s for s, other in named[n + 1 :] if other != item), len(text))
            pieces.append(text[0 if n == 0 else start : end])
    return " ".join(pieces)


def _says_no(value: Any) -> bool:
    """A plain no, to a yes/no question or to a list one ("no vaccines", "none")."""
    if isinstance(value, dict):
        nothing = not value.get("items") and not value.get("unknown")
        return nothing and (value.get("answer") == "no" or value.get("none") is True)
    return bool(value == "no")


def _bare(text: str) -> bool:
    """Only a yes or no, nothing beside it: "No", "nope", "没有"."""
    return not content_words(text) and len(find_groups(text, "answers")) == 1 and not has_contrast(text)


def _with_facts(question: Question, old: Any, facts: list[Fact]) -> Any:
    """An answer to ``question`` that adds these facts to what it said: "yes" for a yes/no question,
    the items added to the list for the others."""
    if question.type == "yes_no":
        return YES
    time_key = "last_dose" if question.type == "medicine_list" else "when"
    items = {i["id"]: dict(i) for i in old.get("items", [])} if isinstance(old, dict) else {}
    for fact in facts:
        new = fact.item(time_key)
        seen = items.get(fact.id)
        if seen and seen.get(time_key) and new.get(time_key):
            new[time_key] = union(seen[time_key], new[time_key])
        items[fact.id] = {**(seen or {}), **new}
    unknown = int(old.get("unknown", 0)) if isinstance(old, dict) else 0
    if question.type == "medicine_list":
        return {"none": False, "items": list(items.values()), "unknown": unknown}
    return {"answer": YES, "items": list(items.values()), "unknown": unknown}


def to_record(screening: Screening, reference: str, channel: str, started_at: datetime, status: str) -> ScreeningRecord:
    """What is stored of a screening: normalised answers and verdicts, never free text."""
    final = status != "in_progress"
    live = screening.result()
    result = screening.result(final=True) if final else live
    return ScreeningRecord(
        reference=reference,
        channel=channel,
        trial=screening.trial.registry_id,
        criteria_version=screening.trial.version,
        criteria_digest=screening.trial.digest,
        started_at=started_at,
        status=status,
        outcome=result.outcome,
        ended_early=live.ended_early or (final and bool(live.next_questions)),
        language=screening.trial.language,
        answers=dict(screening.answers),
        verdicts={
            v.criterion: {"kind": v.kind, "verdict": v.verdict, "reasons": list(v.reasons)} for v in result.verdicts
        },
    )
