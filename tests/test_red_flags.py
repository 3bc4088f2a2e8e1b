"""Red flags and self-harm are recognised in plain words, in English and Chinese, and negations are respected.

The phrase set in tests/data/red_flag_phrases.yml is written apart from the lexicon, so a
phrase that fails there is a gap in lexicon/red_flags.yml, not a test to loosen.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.reading.red_flags import SELF_HARM, evaluate, find_red_flag
from bot.yamlfile import load_yaml

PHRASES: dict[str, Any] = load_yaml(Path(__file__).parent / "data" / "red_flag_phrases.yml")
POSITIVES = [
    (text, category, language)
    for language, by_category in PHRASES["positives"].items()
    for category, texts in by_category.items()
    for text in texts
]
NEGATIVES = [text for texts in PHRASES["negatives"].values() for text in texts]
FILLER = PHRASES["filler"]["en"] + PHRASES["filler"]["zh"]
# Said before a red flag, these do not negate it (clinical review §2.4).
UNWELL = ["", "不舒服", "不太好", "我很不舒服，", "not well", "I'm not well", "I'm not feeling well,"]
# English words need a space or a stop between them; Chinese needs nothing.
SEPARATORS = {"en": [" ", ", ", ". ", "; ", "! "], "zh": ["", " ", "，", "。", ", "]}
SENTENCE_BREAKS = [". ", ", ", "; ", "! ", "。", "，"]
PROPERTIES = settings(database=None, deadline=None, max_examples=300)


def _category(text: str) -> str | None:
    flag = find_red_flag(text)
    return None if flag is None else flag.category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I have chest pain right now", "chest"),
        ("there's a crushing chest feeling", "chest"),
        ("I can't breathe properly", "breathing"),
        ("i cant breathe", "breathing"),
        ("I'm coughing up blood", "breathing"),
        ("my daughter just had a seizure", "brain"),
        ("his face is drooping and his speech is slurred", "brain"),
        ("worst headache of my life", "brain"),
        ("I haven't peed all day", "kidneys"),
        ("very little urine since yesterday", "kidneys"),
        ("fever of 39 with shaking chills", "infection"),
        ("I'm vomiting blood", "bleeding"),
        ("black stools this morning", "bleeding"),
        ("my throat is swelling after the new pill", "allergy"),
        ("severe belly pain", "abdomen"),
        ("我胸痛", "chest"),
        ("喘不上气", "breathing"),
        ("他在抽搐", "brain"),
        ("I want to die", SELF_HARM),
        ("i dont want to live anymore", SELF_HARM),
        ("I've been thinking about suicide", SELF_HARM),
        ("I might hurt myself", SELF_HARM),
        ("我不想活了", SELF_HARM),
        ("我想自杀", SELF_HARM),
    ],
)
def test_red_flags_are_found(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "I don't have chest pain",
        "I never had a seizure",
        "am I a fit for the study?",
        "I take prednisone and cellcept",
        "yes",
        "I had shingles last year",
        "my urine protein was 1.8 g/g",
        "what is lupus?",
        "",
    ],
)
def test_ordinary_answers_are_not_red_flags(text: str) -> None:
    assert find_red_flag(text) is None


def test_self_harm_wins_over_other_red_flags_and_ignores_negation_words() -> None:
    flag = find_red_flag("I have chest pain and I want to die")
    assert flag is not None and flag.is_self_harm
    assert find_red_flag("no one cares, I want to end my life") == find_red_flag("I want to end my life")


@pytest.mark.parametrize(
    "text",
    [
        "nobody would miss me if i died",
        "sometimes i think about not waking up",
        "i hope i don't wake up tomorrow",
        "i wish i was dead",
        "i dont want to be here anymore",
    ],
)
def test_quieter_ways_of_saying_it_are_self_harm_too(text: str) -> None:
    flag = find_red_flag(text)
    assert flag is not None and flag.is_self_harm


# ---------------------------------------------------------------- clinical review 1, §2.4 and R4
@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("我不舒服,胸痛", "chest"),
        ("我很不舒服，呼吸困难", "breathing"),
        ("我今天不太好，抽搐了", "brain"),
        ("不停抽搐", "brain"),
        ("不断抽搐", "brain"),
        ("不过胸痛得厉害", "chest"),  # 不过 is "but"
        ("I'm not well, chest pain", "chest"),
        ("not feeling well and chest pain", "chest"),
        ("no I have chest pain", "chest"),
        ("I've never had chest pain like this", "chest"),
        ("I had no fever yesterday but now I can't breathe", "breathing"),
    ],
)
def test_a_negation_elsewhere_in_the_message_does_not_cancel_the_red_flag(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "never had a seizure",
        "I have never had a seizure",
        "I don't have chest pain",
        "I haven't had any chest pains",
        "没有胸痛",
        "无胸痛",
        "没有出现过抽搐",
        "从来没有中风",
        "没有胸闷气短",
        "没有胸痛和呼吸困难",
    ],
)
def test_a_negation_of_the_symptom_itself_still_counts(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("chest pains", "chest"),
        ("I've been having seizures", "brain"),
        ("I keep fainting", "brain"),
        ("she collapsed", "brain"),
        ("he is convulsing", "brain"),
        ("I'm bleeding heavily", "bleeding"),
    ],
)
def test_inflected_forms_are_found(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("my chest hurts", "chest"),
        ("heart attack", "chest"),
        ("short of breath", "breathing"),
        ("shortness of breath", "breathing"),
        ("breathless", "breathing"),
        ("I blacked out", "brain"),
        ("collapsed", "brain"),
        ("stroke", "brain"),
        ("I think I'm having a stroke", "brain"),
        ("I can't speak properly", "brain"),
        ("barely peeing", "kidneys"),
        ("hardly peeing", "kidneys"),
        ("very little pee", "kidneys"),
        ("I haven't urinated since last night", "kidneys"),
        ("legs really swollen", "kidneys"),
        ("severe swelling", "kidneys"),
        ("whole body swollen", "kidneys"),
        ("high fever", "infection"),
        ("fever 39.5 and chills", "infection"),
        ("fever is 40 degrees", "infection"),
        ("terrible headache", "brain"),
        ("severe headache", "brain"),
        ("BP 190/110", "blood_pressure"),
        ("my blood pressure is 200/120", "blood_pressure"),
        ("200/120", "blood_pressure"),
        ("bleeding heavily", "bleeding"),
        ("I keep thinking about ending it", SELF_HARM),
        ("I don't want to go on", SELF_HARM),
        ("overdose", SELF_HARM),
        ("I have seizures", "brain"),
        ("胸口痛", "chest"),
        ("胸口疼", "chest"),
        ("心口痛", "chest"),
        ("喘不过气", "breathing"),
        ("呼吸急促", "breathing"),
        ("晕倒", "brain"),
        ("昏倒", "brain"),
        ("中风", "brain"),
        ("尿很少", "kidneys"),
        ("少尿", "kidneys"),
        ("几乎没有尿", "kidneys"),
        ("浑身浮肿", "kidneys"),
        ("高热", "infection"),
        ("发烧39度", "infection"),
        ("抽筋", "brain"),
        ("不想活下去", SELF_HARM),
        ("活着没意思", SELF_HARM),
        ("结束生命", SELF_HARM),
        ("我晕倒了", "brain"),
    ],
)
def test_the_phrases_the_review_found_missing(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    "text",
    [
        "yes, I'm breastfeeding my baby",
        "I am breastfeeding",
        "no chest pain",
        "没有胸痛",
        "prednisone 10 mg and hydroxychloroquine",
        "no vaccines",
        "UPCR 1.8 g/g",
        "I had a fever two months ago, it's gone",
        "I had a fever last month, fine now",
        "my blood pressure is fine",
        "blood pressure 120/80",
        # Bleeding that has stopped is not an emergency; only heavy or unstoppable bleeding is.
        "I stopped bleeding after the surgery",
        # History: months or years ago, and not said to be back.
        "I had a stroke five years ago",
        "I had a high fever last year, it went away",
        # Reads like a self-harm phrase, but is about the screen.
        "I don't want to go on with the questions",
    ],
)
def test_the_false_alarms_the_review_named(text: str) -> None:
    assert find_red_flag(text) is None


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("I had a stroke two years ago and now it's happening again", "brain"),
        ("chest pain started 3 months ago and it's worse", "chest"),
        ("两个月前开始胸痛", "chest"),
        ("I had a seizure last week", "brain"),  # days or weeks: still a red flag (domain reference SD-01)
    ],
)
def test_old_symptoms_that_are_back_or_recent_still_flag(text: str, category: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize(
    ("text", "category"),
    [
        ("fever 38.9", None),
        ("fever 39", "infection"),
        ("temperature 101 F", None),
        ("temperature 102 F", "infection"),
        ("fever for 40 hours", None),
        ("I'm 40 and have a fever", None),
        ("bp 179/109", None),
        ("bp 180/90", "blood_pressure"),
        ("blood pressure 150 over 110", "blood_pressure"),
        ("blood pressure pills 200 mg", None),
        ("185/95", "blood_pressure"),
        ("120/80", None),
        ("180/200", None),
        ("血压185", "blood_pressure"),
    ],
)
def test_temperatures_and_blood_pressures_over_the_line(text: str, category: str | None) -> None:
    assert _category(text) == category


# ---------------------------------------------------------------- the phrase set
def test_the_phrase_set_is_broad_enough() -> None:
    by_language = {lang: sum(len(t) for t in groups.values()) for lang, groups in PHRASES["positives"].items()}
    assert by_language["en"] >= 120 and by_language["zh"] >= 80
    assert len(NEGATIVES) >= 80
    assert len({text for text, _, _ in POSITIVES} & set(NEGATIVES)) == 0


@pytest.mark.parametrize(("text", "category", "language"), POSITIVES, ids=[p[0] for p in POSITIVES])
def test_every_phrase_in_the_set_flags_as_written(text: str, category: str, language: str) -> None:
    assert _category(text) == category


@pytest.mark.parametrize("text", NEGATIVES)
def test_no_ordinary_answer_in_the_set_flags(text: str) -> None:
    assert find_red_flag(text) is None


def test_evaluate_reports_recall_and_false_alarms() -> None:
    report = evaluate(
        {
            "positives": {"en": {"chest": ["chest pain", "hello"], SELF_HARM: ["chest pain"]}},
            "negatives": {"en": ["no chest pain", "heart attack"]},
        }
    )
    assert report["recall"] == pytest.approx(1 / 3) and report["missed"] == ["hello", "chest pain"]
    assert report["false_alarm_rate"] == 0.5 and report["false_alarms"] == ["heart attack"]
    whole = evaluate(PHRASES)
    assert (whole["recall"], whole["false_alarm_rate"], whole["wrong_category"]) == (1.0, 0.0, [])


# ---------------------------------------------------------------- properties
def _joined(parts: list[str], separators: st.SearchStrategy[str], draw: Callable[[st.SearchStrategy[str]], str]) -> str:
    return "".join(part + (draw(separators) if i < len(parts) - 1 else "") for i, part in enumerate(parts))


@st.composite
def flag_in_filler(draw: st.DrawFn) -> tuple[str, str]:
    """A phrase from the set at a random place among filler, maybe after "not well" or 不舒服."""
    text, category, language = draw(st.sampled_from(POSITIVES))
    separators = st.sampled_from(SEPARATORS[language])
    before = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    unwell = draw(st.sampled_from(UNWELL))
    parts = [*before, *([unwell] if unwell else []), text, *after]
    return _joined(parts, separators, draw), category


@given(flag_in_filler())
@PROPERTIES
def test_a_red_flag_among_other_words_still_flags(case: tuple[str, str]) -> None:
    text, category = case
    assert _category(text) == category, text


@st.composite
def negated_with_filler(draw: st.DrawFn) -> str:
    """A negated symptom ("no X", "没有X"), with filler before (as its own sentence) and after."""
    language = draw(st.sampled_from(["en", "zh"]))
    symptom = draw(st.sampled_from(PHRASES["negatable"][language]))
    assert find_red_flag(symptom) is not None, symptom
    forms = {
        "en": ["no {}", "I don't have {}", "never had {}", "I have not had any {}"],
        "zh": ["没有{}", "无{}", "从来没有{}", "没有出现过{}"],
    }
    negated = draw(st.sampled_from(forms[language])).format(symptom)
    before = draw(st.lists(st.sampled_from(FILLER), max_size=2))
    after = draw(st.lists(st.sampled_from(FILLER), max_size=3))
    head = _joined(before, st.sampled_from(SENTENCE_BREAKS), draw)
    tail = _joined([negated, *after], st.sampled_from(SEPARATORS[language]), draw)
    return f"{head}{draw(st.sampled_from(SENTENCE_BREAKS))}{tail}" if head else tail


@given(negated_with_filler())
@PROPERTIES
def test_a_negated_symptom_with_filler_does_not_flag(text: str) -> None:
    assert find_red_flag(text) is None, text


@given(st.lists(st.sampled_from(NEGATIVES), min_size=1, max_size=4), st.data())
@PROPERTIES
def test_ordinary_answers_together_do_not_flag(answers: list[str], data: st.DataObject) -> None:
    text = _joined(answers, st.sampled_from(SENTENCE_BREAKS), data.draw)
    assert find_red_flag(text) is None, text
