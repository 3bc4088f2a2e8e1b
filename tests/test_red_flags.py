"""Red flags and self-harm are recognised in plain words, in English and Chinese, and negations are respected."""

from __future__ import annotations

import pytest

from bot.red_flags import SELF_HARM, find_red_flag


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
    flag = find_red_flag(text)
    assert flag is not None and flag.category == category


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
