"""The text anonymiser: every name the institution records in every case and spelling, names
nobody recorded (the NER model), and identifiers."""

from __future__ import annotations

import pytest

from regional.privacy.api import HIDDEN, anonymise_text

NAMES = ["Петрова Алёна Сергеевна", "Семёнов Пётр Ильич", "Хабибуллина Роза Ринатовна"]


@pytest.mark.parametrize(
    "phrase",
    [
        "ученицы Алены Петровой",  # «е» typed for «ё», genitive
        "с Алёной Петровой",  # instrumental
        "ПЕТРОВА АЛЁНА",  # capitals
        "куратору Семенову",  # dative, «е» for «ё»
        "Петр Ильич помог",  # first name and patronymic only
        "благодарим Хабибуллину",  # a surname the dictionary guesses
    ],
)
def test_recorded_names_are_hidden_in_every_case_and_spelling(phrase):
    result = anonymise_text(phrase, names=NAMES, use_model=False)
    for word in ("Алён", "Ален", "Петров", "ПЕТРОВ", "Семен", "Петр ", "Ильич", "Хабибуллин"):
        assert word not in result.text, (phrase, result.text)
    assert HIDDEN in result.text
    assert all(h.kind == "name" for h in result.hidden)


@pytest.mark.parametrize(
    ("text", "kind", "secret"),
    [
        ("ИНН 500100732259", "inn", "500100732259"),
        ("ИНН организации 7707083893.", "inn", "7707083893"),
        ("СНИЛС 112-233-445 95", "snils", "112-233-445 95"),
        ("снилс 11223344595", "snils", "11223344595"),
        ("звоните +7 (912) 345-67-89", "phone", "345-67-89"),
        ("тел. 8-912-345-67-89", "phone", "345-67-89"),
        ("пишите petrova@mail.ru!", "email", "petrova@mail.ru"),
        ("страница https://vk.com/id123, там фото", "link", "vk.com/id123"),
        ("канал t.me/school7 и сайт школа7.рф", "link", "t.me/school7"),
    ],
)
def test_identifiers_are_hidden(text, kind, secret):
    result = anonymise_text(text, names=[], use_model=False)
    assert secret not in result.text
    assert result.hidden[0].kind == kind
    # what follows a link stays readable
    assert ", там фото" in result.text or "там" not in text


def test_names_nobody_recorded_are_found_by_the_model():
    """The issue's request: «Для ученицы … 7Б» with a name the institution did not record."""
    result = anonymise_text(
        "Для ученицы Варвары Снегирёвой из 7Б нужен наставник. Мама, Ольга Викторовна, "
        "согласна. Проект «Умная теплица» идёт с сентября.",
        names=[],
    )
    assert "Варвар" not in result.text and "Снегир" not in result.text
    assert "Ольга Викторовна" not in result.text
    assert "7Б" in result.text and "«Умная теплица»" in result.text  # no name: stays
    assert {h.kind for h in result.hidden} == {"person"}
    assert [h.text for h in result.hidden] == ["Варвары Снегирёвой", "Ольга Викторовна"]


def test_plain_text_is_left_as_it_is():
    text = "Пара «ученик – ученик» провела пять встреч и подготовила проект к конференции."
    result = anonymise_text(text, names=NAMES)
    assert result.text == text and result.hidden == ()


def test_side_by_side_names_read_as_one_hidden_person():
    result = anonymise_text("Петрова Алёна Сергеевна выступила.", names=NAMES, use_model=False)
    assert result.text == f"{HIDDEN} выступила."
