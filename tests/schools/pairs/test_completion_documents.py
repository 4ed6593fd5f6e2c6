"""Stage 6 documents as a director signs them: the encouragement order from completed pairs
(each person once, classes and positions, the director named), thank-you letters (one per
person, the salutation by gender, wording by the kind of mentor), letters to partner employers,
and a teacher pair's personalised mentoring programme."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.utils import timezone

from accounts.models import Role
from schools.pairs import documents, services
from schools.pairs.honours import honoured_mentees, honoured_mentors, partner_employers
from schools.pairs.models import Pair
from schools.participants.names import Case, PersonName, gender_of
from tests import builders
from tests.conftest import SETUP, make_user

YEAR = 2040


def docx_text(content: bytes) -> str:
    """Paragraphs, then each table row as «cell | cell | …» (a row reads as the order prints)."""
    import io

    from docx import Document

    document = Document(io.BytesIO(content))
    rows = [
        " | ".join(cell.text for cell in row.cells) for grid in document.tables for row in grid.rows
    ]
    return "\n".join([p.text for p in document.paragraphs] + rows)


def _completed(programme: Any, mentor: Any, mentees: list[Any], form: str) -> Pair:
    pair = services.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[m.pk for m in mentees],
        form=form,
        started_on=timezone.localdate() - datetime.timedelta(days=60),
        actor=SETUP,
    )
    return services.pair_complete(
        pair=pair, outcome="Цели плана достигнуты", mentor_rating=9, actor=SETUP
    )


@pytest.fixture
def year_end(tenant_a: Any, programme: Any) -> dict[str, Any]:
    make_user(
        tenant_a.schema_name,
        Role.DIRECTOR,
        "director-honours",
        first_name="Алексей",
        last_name="Лебедев",
        middle_name="Михайлович",
    )
    from django_tenants.utils import schema_context

    with schema_context(tenant_a.schema_name):
        programme.forms = [*programme.forms, "employer_pupil"]
        programme.save()
        teacher = builders.person(
            names="Ёлкина Алёна Викторовна",
            born=datetime.date(1980, 5, 5),
            mentor_capacity=5,
            position="учитель математики",
        )
        young = builders.person(
            names="Орехов Пётр Ильич",
            born=datetime.date(1980, 5, 5),
            mentor_capacity=5,
            category="young_specialist",
        )
        young2 = builders.person(
            names="Дубова Зоя Фёдоровна",
            born=datetime.date(1980, 5, 5),
            mentor_capacity=5,
            category="young_specialist",
        )
        pupil = builders.person(
            names="Лебедев Алексей Михайлович",
            category="pupil",
            grade=10,
            class_letter="А",
            guardian="Родитель",
            mentor_capacity=3,
        )
        little = builders.person(
            names="Грушин Илья Сергеевич",
            category="pupil",
            grade=7,
            class_letter="Б",
            guardian="Родитель",
            mentor_capacity=3,
        )
        little2 = builders.person(
            names="Вишнякова Ольга Андреевна",
            category="pupil",
            grade=7,
            class_letter="Б",
            guardian="Родитель",
            mentor_capacity=3,
        )
        specialist = builders.person(
            names="Кузнецов Игорь Семёнович",
            born=datetime.date(1980, 5, 5),
            mentor_capacity=5,
            category="employer_specialist",
            position="инженер-технолог",
            workplace="АО «Северный завод»",
        )
        student = builders.person(
            names="Медведева Ксения Олеговна",
            category="pupil",
            grade=9,
            class_letter="В",
            guardian="Родитель",
            mentor_capacity=3,
        )
        # The teacher has two completed pairs: she is honoured once.
        first = _completed(programme, teacher, [young], "teacher_teacher")
        second = _completed(programme, teacher, [young2], "teacher_teacher")
        _completed(programme, pupil, [little, little2], "pupil_pupil")
        _completed(programme, specialist, [student], "employer_pupil")
        return {
            "teacher": teacher,
            "pupil": pupil,
            "specialist": specialist,
            "young": young,
            "teacher_pairs": [first, second],
            "programme": programme,
        }


def test_gender_and_salutation_come_from_the_patronymic() -> None:
    assert PersonName("Лебедев", "Алексей", "Михайлович").salutation() == (
        "Уважаемый Алексей Михайлович!"
    )
    assert PersonName("Ёлкина", "Алёна", "Викторовна").salutation() == (
        "Уважаемая Алёна Викторовна!"
    )
    assert gender_of(last_name="Мамедов", first_name="Эльдар", middle_name="Рашид оглы") == "male"
    assert gender_of(last_name="Алиева", first_name="Лейла", middle_name="Тофик кызы") == "female"
    # Without a patronymic the first name and then the surname tell; nothing known: neutral.
    assert PersonName("Петров", "Никита").salutation() == "Уважаемый Никита!"
    assert PersonName("Ким", "Саша").salutation() == "Здравствуйте, Саша!"
    assert PersonName("Соколова", "Анна", "Петровна").inflect(Case.DATIVE) == (
        "Соколовой Анне Петровне"
    )
    assert PersonName("Лебедев", "Алексей", "Михайлович").initials_last == "А. М. Лебедев"


def test_encouragement_order_lists_everyone_once_with_class_position_and_director(
    year_end: dict[str, Any], in_a: Any
) -> None:
    programme = year_end["programme"]
    content = documents.encouragement_order_docx(
        programme=programme, number="42-о", day=datetime.date(YEAR + 1, 6, 1)
    )
    text = docx_text(content)
    assert "О поощрении участников наставнической деятельности" in text
    assert "№ 42-о" in text and "«1» июня 2041 г." in text
    assert "А. М. Лебедев" in text  # the director, from the institution's users
    assert text.count("Ёлкина Алёна Викторовна") == 1  # two completed pairs, one line
    assert "учитель математики" in text
    assert "Лебедев Алексей Михайлович | 10А класс" in text
    assert "Грушин Илья Сергеевич | 7Б класс" in text
    assert "инженер-технолог, АО «Северный завод»" in text
    assert "АО «Северный завод»." in text  # the partner employer gets a letter
    assert text.count(f"{YEAR}/{YEAR + 1}") == 1
    mentors = [h.name.full for h in honoured_mentors(programme_id=programme.pk)]
    assert len(mentors) == len(set(mentors)) == 3
    assert len(honoured_mentees(programme_id=programme.pk)) == 5


def test_thank_you_letters_are_worded_by_the_kind_of_mentor(
    year_end: dict[str, Any], in_a: Any
) -> None:
    programme = year_end["programme"]
    by_name = {h.name.last_name: h for h in honoured_mentors(programme_id=programme.pk)}
    teacher = docx_text(
        documents.mentor_letter_docx(honoree=by_name["Ёлкина"], programme=programme)
    )
    pupil = docx_text(documents.mentor_letter_docx(honoree=by_name["Лебедев"], programme=programme))
    specialist = docx_text(
        documents.mentor_letter_docx(honoree=by_name["Кузнецов"], programme=programme)
    )
    assert "Уважаемая Алёна Викторовна!" in teacher and "Уважаемый(ая)" not in teacher
    assert "Ёлкиной Алёне Викторовне" in teacher  # the addressee in the dative
    assert "профессионализм" in teacher and "молодым коллегам" in teacher
    assert "Уважаемый Алексей!" in pupil  # a pupil by the first name
    assert "профессионализм" not in pupil and "товарищам" in pupil
    assert "Уважаемый Игорь Семёнович!" in specialist
    assert "профессиональное самоопределение" in specialist
    assert "А. М. Лебедев" in teacher


def test_letters_to_partner_employers(year_end: dict[str, Any], in_a: Any) -> None:
    programme = year_end["programme"]
    (employer,) = partner_employers(programme_id=programme.pk)
    assert employer.name == "АО «Северный завод»"
    text = docx_text(documents.employer_letters_docx(programme=programme))
    assert "Руководителю\nАО «Северный завод»" in text and "Уважаемые коллеги!" in text
    assert "Кузнецову Игорю Семёновичу" in text


def test_personalised_programme_of_a_teacher_pair(year_end: dict[str, Any], in_a: Any) -> None:
    pair = year_end["teacher_pairs"][0]
    plan = pair.plans.get()
    plan.summary = "Освоить методику формирующего оценивания"
    plan.save()
    plan.goals.create(title="Подготовить открытый урок", deadline=datetime.date(YEAR + 1, 2, 1))
    text = docx_text(documents.personalised_programme_docx(pair=pair))
    assert "ПЕРСОНАЛИЗИРОВАННАЯ ПРОГРАММА НАСТАВНИЧЕСТВА" in text and "УТВЕРЖДАЮ" in text
    assert "Ёлкина Алёна Викторовна, учитель математики" in text
    assert "Орехов Пётр Ильич, молодой специалист" in text
    assert "(молодой специалист)" not in text  # said once
    assert "Освоить методику формирующего оценивания" in text
    assert "Подготовить открытый урок | 01.02.2041" in text
    assert "Ожидаемые результаты" in text and "Наставляемый\t______________\tП. И. Орехов" in text
    assert "А. М. Лебедев" in text


def test_approval_order_names_each_adult_once_and_the_year_once(
    year_end: dict[str, Any], in_a: Any
) -> None:
    programme = year_end["programme"]
    programme.title = f"Программа наставничества на {YEAR}/{YEAR + 1} учебный год"
    programme.save()
    pairs = Pair.objects.filter(programme=programme).order_by("pk")
    text = docx_text(documents.approval_order_docx(programme=programme, pairs=pairs))
    assert text.count(f"{YEAR}/{YEAR + 1}") == 1
    signing = [line for line in text.splitlines() if "\t______________\t«___»" in line]
    assert sum(line.startswith("Ёлкина Алёна Викторовна") for line in signing) == 1
    assert not any(line.startswith("Грушин") for line in signing)  # minors do not sign
    assert "Лебедев Алексей Михайлович (10А класс)" in text
