"""One person's screening: which question is next, what their answers mean so far.

The state is a small JSON-able dict, so a Rasa slot (or anything else) can
carry it between turns. Channels and dialogue policies stay outside.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from bot.reading.answers import UNCLEAR, UNSURE, YES, Answer, NotUnderstood, Understood, pregnancy_now, understand
from bot.reading.lexicon import lexicon
from bot.scoring import Result, score
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

    # -------------------------------------------------------------- questions
    def result(self, final: bool = False) -> Result:
        return score(self.trial, self.answers, final=final)

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
        """The number of the question's part of the screen (1 for the first), and whether it opens it:
        nothing of that part is answered yet. Parts never change in number, so progress never jumps back."""
        section = self.question(question_id).section
        opens = not any(self.question(qid).section == section for qid in self.answers)
        return self.trial.section_number(section), opens

    # ---------------------------------------------------------------- answers
    def read(self, text: str, today: date, question_id: str | None = None) -> tuple[str, Answer]:
        """What ``text`` means as the answer to the current (or the given) question; changes nothing."""
        qid = question_id or self.current_question_id()
        if qid is None:
            raise ValueError("there is no question to answer")
        return qid, understand(self.question(qid), text, today)

    def answer(self, text: str, today: date, question_id: str | None = None) -> Turn:
        """Take ``text`` as the answer to the current (or the given) question."""
        qid, understood = self.read(text, today, question_id)
        return self.accept(qid, understood, text, today)

    def accept(self, qid: str, understood: Answer, text: str, today: date) -> Turn:
        """Record what was read: the answer, or a miss (a second miss goes to the study team)."""
        self._volunteered(qid, text)
        if isinstance(understood, NotUnderstood):
            self.misses[qid] = self.misses.get(qid, 0) + 1
            self.hints[qid] = understood.hint
            if self.misses[qid] >= MAX_MISSES:
                self._set(qid, UNSURE if self.question(qid).type == "yes_no" else UNCLEAR)
                return Turn(False, qid, gave_up=True)
            return Turn(False, qid)
        self._set(qid, understood.value)
        if self.question(qid).names and understood.value == YES:
            # "yes, leukemia as a child and a basal cell skin cancer" also answers "which kind?",
            # unless a vague name ("a skin cancer") leaves the question worth asking.
            for detail in self._questions_after(qid, ("condition", "procedure", "vaccine")):
                named = understand(self.trial.questions[detail], text, today)
                value = named.value if isinstance(named, Understood) else None
                if isinstance(value, dict) and value.get("items") and not any(map(_vague, value["items"])):
                    self.answers.setdefault(detail, value)
        if understood.when:
            follow_up, question = FollowUp.parse(qid), self.question(qid)
            linked = self._time_questions_after(qid)
            if follow_up and question.time_follow_up:
                linked.append(FollowUp(question.time_follow_up, follow_up.item).id)
            for time_question in linked:
                self.answers.setdefault(time_question, understood.when)
        return Turn(True, qid)

    def _volunteered(self, qid: str, text: str) -> None:
        """Facts said along with any answer: "no, I'm 5 months along" answers the pregnancy question."""
        for question in self.trial.questions.values():
            if question.volunteered == "pregnancy" and question.id != qid and pregnancy_now(text):
                self._set(question.id, YES)

    def _set(self, qid: str, value: Any) -> None:
        self.answers[qid] = value
        self.misses.pop(qid, None)
        self.hints.pop(qid, None)

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
        for linked in self._time_questions_after(question_id):
            self.answers.pop(linked, None)

    # ------------------------------------------------------------------ state
    def to_dict(self) -> dict[str, Any]:
        return {"answers": dict(self.answers), "misses": dict(self.misses), "hints": dict(self.hints)}

    @classmethod
    def from_dict(cls, trial: Trial, raw: dict[str, Any] | None) -> Screening:
        raw = raw or {}
        return cls(trial, dict(raw.get("answers", {})), dict(raw.get("misses", {})), dict(raw.get("hints", {})))


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
        answers=dict(screening.answers),
        verdicts={
            v.criterion: {"kind": v.kind, "verdict": v.verdict, "reasons": list(v.reasons)} for v in result.verdicts
        },
    )
