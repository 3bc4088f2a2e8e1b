"""words_to_digits: number words become digits, other words stay as they are."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.reading.numbers import words_to_digits

UNITS = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
TENS = {2: "twenty", 3: "thirty", 4: "forty", 5: "fifty", 6: "sixty", 7: "seventy", 8: "eighty", 9: "ninety"}


def in_words(n: int, hundred: str = "one hundred", glue: str = "-") -> str:
    """English words for 0 <= n < 200, written independently of the code under test."""
    if n >= 100:
        rest = n - 100
        return hundred if rest == 0 else f"{hundred} and {in_words(rest, hundred, glue)}"
    if n < 20:
        return UNITS[n]
    tens, unit = divmod(n, 10)
    return TENS[tens] if unit == 0 else f"{TENS[tens]}{glue}{UNITS[unit]}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("thirty-four", "34"),
        ("thirty four", "34"),
        ("sixty-five", "65"),
        ("a hundred and five", "105"),
        ("one hundred and twenty", "120"),
        ("nineteen", "19"),
        ("zero", "0"),
        ("a week ago", "1 week ago"),
        ("about a month ago", "about 1 month ago"),
        ("a cat", "a cat"),
        ("i have a cat and a dog", "i have a cat and a dog"),
        ("i am thirty-four years old", "i am 34 years old"),
        ("three weeks ago", "3 weeks ago"),
        ("twelve weeks", "12 weeks"),
        ("nothing here", "nothing here"),
        ("34", "34"),
        ("thirty-four and sixty-five", "34 and 65"),
    ],
)
def test_words_to_digits(text: str, expected: str) -> None:
    assert words_to_digits(text) == expected


@given(
    st.integers(min_value=0, max_value=199), st.sampled_from(["-", " "]), st.sampled_from(["one hundred", "a hundred"])
)
def test_every_number_below_200_in_words(n: int, glue: str, hundred: str) -> None:
    assert words_to_digits(in_words(n, hundred, glue)) == str(n)


@given(st.integers(min_value=0, max_value=199))
def test_number_words_inside_a_sentence(n: int) -> None:
    assert words_to_digits(f"it was {in_words(n)} days ago") == f"it was {n} days ago"
