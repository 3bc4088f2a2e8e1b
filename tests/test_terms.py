"""find_terms: names of medicines and vaccines in what people type (§5, §6)."""

from __future__ import annotations

import pytest

from bot import LEXICON_DIR
from bot.reading.lexicon import CATEGORIES
from bot.reading.terms import find_terms
from bot.yamlfile import load_yaml

MEDICINES = load_yaml(LEXICON_DIR / "medicines.yml")
CLASSES = MEDICINES["classes"]
SAMPLE = [(entry["id"], name) for entry in MEDICINES["medicines"] for name in entry["names"][:3]]
# Every name of every lexicon file, as (category, id, name, verified).
EVERY_NAME = [
    (category, entry["id"], name, verified)
    for category, (filename, key, _) in CATEGORIES.items()
    for entry in load_yaml(LEXICON_DIR / filename)[key]
    for names, verified in ((entry.get("names") or [], True), (entry.get("unverified_names") or [], False))
    for name in names
]


def ids(text: str, categories: tuple[str, ...] = ("medicine",)) -> list[str]:
    return [t.entry.id for t in find_terms(text, categories)]


def test_the_sample_covers_every_class() -> None:
    sampled = {e["class"] for e in MEDICINES["medicines"]}
    assert sampled == set(CLASSES)
    assert len(SAMPLE) >= 60


@pytest.mark.parametrize(("category", "entry_id", "name", "verified"), EVERY_NAME)
def test_every_name_in_every_lexicon_file_is_recognised(
    category: str, entry_id: str, name: str, verified: bool
) -> None:
    # Also where it ends a sentence, in any case: "hep B." and "car-t." are no initials
    for text in (f"I had {name} last year.", f"Only {name}. Then nothing", f"only {name.lower()}.", f"{name.upper()}."):
        hits = [t for t in find_terms(text, (category,)) if t.entry.id == entry_id]
        assert hits, f"{name!r} is not recognised as {category}:{entry_id} in {text!r}"
        assert all(t.verified == verified for t in hits)


@pytest.mark.parametrize(("medicine_id", "name"), SAMPLE)
def test_lexicon_names_are_found_in_a_sentence(medicine_id: str, name: str) -> None:
    terms = find_terms(f"I have been taking {name} since last year.", ("medicine",))
    hits = [t for t in terms if t.entry.id == medicine_id]
    assert hits, f"{name!r} not found as {medicine_id}: got {[t.entry.id for t in terms]}"
    assert all(t.verified for t in hits)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("我用过美罗华", ["rituximab"]),
        ("去年打过利妥昔单抗", ["rituximab"]),
        ("我在吃吗替麦考酚酯和泼尼松", ["mycophenolate_mofetil", "prednisone"]),
        ("每天吃硫酸羟氯喹片两片", ["hydroxychloroquine"]),
        ("用过贝利尤单抗", ["belimumab"]),
        ("他克莫司", ["tacrolimus"]),
    ],
)
def test_chinese_names_inside_a_sentence(text: str, expected: list[str]) -> None:
    assert ids(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I take cell-cept", "mycophenolate_mofetil"),
        ("I take cell cept", "mycophenolate_mofetil"),
        ("fk 506", "tacrolimus"),
        ("fk-506 twice a day", "tacrolimus"),
        ("hydroxy chloroquine", "hydroxychloroquine"),
        ("ben lysta", "belimumab"),
        ("Ritux", "rituximab"),
        ("RITUXIMAB", "rituximab"),
    ],
)
def test_split_and_hyphenated_names(text: str, expected: str) -> None:
    terms = find_terms(text, ("medicine",))
    assert [t.entry.id for t in terms] == [expected]
    assert terms[0].verified


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("rituximav", "rituximab"),
        ("I had rituximav in May", "rituximab"),
        ("tacrolimis", "tacrolimus"),
        ("belimunab", "belimumab"),
        ("azathioprene", "azathioprine"),
    ],
)
def test_misspelling_is_found_but_unverified(text: str, expected: str) -> None:
    terms = find_terms(text, ("medicine",))
    assert [t.entry.id for t in terms] == [expected]
    assert terms[0].verified is False


@pytest.mark.parametrize(
    ("text", "vaccine_id", "kind"),
    [
        ("I had the MMR vaccine", "mmr", "live"),
        ("MMR", "mmr", "live"),
        ("Shingrix", "zoster_recombinant", "zoster_recombinant"),
        ("I got Shingrix in June", "zoster_recombinant", "zoster_recombinant"),
        ("Zostavax", "zoster_live", "zoster_live"),
        ("shingles vaccine", "zoster_unknown", "zoster_unknown"),
        ("a flu shot", "flu_injected", "non_live"),
        ("the flu vaccine", "flu_unspecified", "type_unknown"),
        ("yellow fever vaccine", "yellow_fever", "live"),
        ("nasal flu spray", "flu_nasal_live", "live"),
        ("麻腮风", "mmr", "live"),
        ("打了新冠疫苗", "covid19", "non_live"),
    ],
)
def test_vaccines(text: str, vaccine_id: str, kind: str) -> None:
    terms = find_terms(text, ("vaccine",))
    assert [(t.entry.id, t.entry.kind) for t in terms] == [(vaccine_id, kind)]


@pytest.mark.parametrize(
    "text",
    ["Type 2 diabetes", "I feel fine", "my kidneys hurt", "none", "no", "I don't take anything", "I have lupus", ""],
)
def test_no_medicine(text: str) -> None:
    assert find_terms(text, ("medicine",)) == []


@pytest.mark.parametrize(
    ("name", "medicine_id"),
    [
        ("hydroxychloroquine", "hydroxychloroquine"),
        ("prednisone", "prednisone"),
        ("benazepril", "benazepril"),
        ("HCQ", "hydroxychloroquine"),
        ("强的松", "prednisone"),
    ],
)
def test_common_lupus_medicines_are_not_exclusionary(name: str, medicine_id: str) -> None:
    terms = find_terms(f"I take {name} every day", ("medicine",))
    assert [t.entry.id for t in terms] == [medicine_id]
    assert CLASSES[terms[0].entry.kind]["exclusionary"] is False


def test_categories_filter() -> None:
    text = "I had rituximab and the MMR vaccine, and I am on dialysis"
    assert ids(text) == ["rituximab"]
    assert ids(text, ("vaccine",)) == ["mmr"]
    assert ids(text, ("procedure",)) == ["dialysis_unspecified"]
    assert [t.category for t in find_terms(text)] == ["medicine", "vaccine", "procedure"]


def test_term_offsets_point_at_the_typed_words() -> None:
    text = "Yes, CellCept and Benlysta"
    assert [(text[t.start : t.end], t.text) for t in find_terms(text, ("medicine",))] == [
        ("CellCept", "CellCept"),
        ("Benlysta", "Benlysta"),
    ]


def test_the_sounds_of_the_chinese_names_are_current() -> None:
    from tools import name_sounds  # pypinyin: here, never in the server

    assert name_sounds.dump(name_sounds.build()) == name_sounds.OUT.read_text(encoding="utf-8"), (
        "run python -m tools.name_sounds"
    )
