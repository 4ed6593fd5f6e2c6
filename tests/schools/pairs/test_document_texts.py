"""The full text of every kind of pair document on one school, pinned: the orders, the
letters and a group's personalised programme read the pairs' people as plain values
(``documents.document_pairs``, ``honours.Person``), and must print what they printed when they
read them as participants' rows (the texts in ``document_texts/`` were written then).

The people cover what the documents tell apart: names with ё and without a patronymic, a
minor pupil and adults, a young specialist, a learner mentor, an employer's specialist, a
paused place, an erased mentee and a mentor whose processing stopped (left out of the
approval order). Dates that follow today are replaced by ``<TODAY>`` and ``<STARTED>``.

``PIN_DOCUMENT_TEXTS=1`` rewrites the files (only when a change of wording is meant)."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from schools.pairs import documents, services
from schools.pairs.honours import honoured_mentors
from schools.pairs.models import Pair, PairMentee
from schools.participants.models import Participant
from tests import builders
from tests.conftest import SETUP
from tests.schools.pairs.test_completion_documents import docx_text, year_end  # noqa: F401

TEXTS = Path(__file__).parent / "document_texts"
DAY = datetime.date(2041, 5, 20)


def _pair(programme: Any, mentor: Any, mentees: list[Any], form: str) -> Pair:
    return services.pair_create(
        programme_id=programme.pk,
        mentor_participant_id=mentor.pk,
        mentee_participant_ids=[m.pk for m in mentees],
        form=form,
        started_on=timezone.localdate() - datetime.timedelta(days=60),
        actor=SETUP,
    )


@pytest.fixture
def school(year_end: dict[str, Any], in_a: Any) -> dict[str, Any]:  # noqa: F811
    """``year_end``'s completed pairs and three active ones: a teachers' group with a young
    specialist without a patronymic and a mentee erased since, a pupils' group with a paused
    place, and a pair whose mentor withdrew the consent."""
    programme = year_end["programme"]
    teacher = builders.person(
        names="Сорокина Мария Ивановна",
        born=datetime.date(1975, 3, 3),
        mentor_capacity=5,
        position="учитель русского языка",
    )
    kim = builders.person(
        names="Ким Артём",
        middle_name="",
        born=datetime.date(1999, 1, 1),
        category="young_specialist",
    )
    fyodorov = builders.person(
        names="Фёдоров Семён Петрович", born=datetime.date(1990, 2, 2), is_young_specialist=True
    )
    group = _pair(programme, teacher, [kim, fyodorov], "teacher_teacher")
    plan = group.plans.order_by("pk").first()
    assert plan is not None
    plan.summary = "Освоить методику формирующего оценивания"
    plan.save()
    plan.goals.create(title="Подготовить открытый урок", deadline=datetime.date(2041, 2, 1))
    plan.goals.create(title="Посетить уроки наставника", tasks="не менее пяти")
    Participant.objects.filter(pk=fyodorov.pk).update(erased_at=timezone.now())
    senior = builders.person(
        names="Зайцев Степан Юрьевич",
        category="pupil",
        grade=11,
        guardian="Родитель",
        mentor_capacity=3,
    )
    daria = builders.person(
        names="Соловьёва Дарья Олеговна", category="pupil", grade=5, guardian="Родитель"
    )
    gleb = builders.person(names="Носов Глеб Ильич", category="pupil", grade=5, guardian="Родитель")
    pupils = _pair(programme, senior, [daria, gleb], "pupil_pupil")
    PairMentee.objects.filter(pair=pupils, mentee=gleb).update(paused_at=timezone.now())
    withdrawn = builders.person(
        names="Ершов Олег Павлович", born=datetime.date(1970, 4, 4), mentor_capacity=2
    )
    titova = builders.person(
        names="Титова Инна Сергеевна", born=datetime.date(2000, 6, 6), category="young_specialist"
    )
    _pair(programme, withdrawn, [titova], "teacher_teacher")
    Participant.objects.filter(pk=withdrawn.pk).update(processing_stopped_at=timezone.now())
    return {**year_end, "group": group, "pupils": pupils}


def _texts(school: dict[str, Any]) -> dict[str, str]:
    programme = school["programme"]
    pairs = Pair.objects.filter(programme=programme).order_by("pk")
    mentors = {h.name.last_name: h for h in honoured_mentors(programme_id=programme.pk)}
    made = {
        "approval_order": documents.approval_order_docx(
            programme=programme, pairs=pairs, number="12-о", day=DAY
        ),
        "encouragement_order": documents.encouragement_order_docx(
            programme=programme, number="13-о", day=DAY
        ),
        "employer_letters": documents.employer_letters_docx(programme=programme, day=DAY),
        "thank_you_letter": documents.thank_you_letter_docx(
            pair=school["teacher_pairs"][0], addressee="Управлению образования", day=DAY
        ),
        "thank_you_letter_of_a_pupil": documents.thank_you_letter_docx(
            pair=school["pupils"], day=DAY
        ),
        "mentor_letter": documents.mentor_letter_docx(
            honoree=mentors["Лебедев"], programme=programme, day=DAY
        ),
        "personalised_programme": documents.personalised_programme_docx(
            pair=school["group"], day=DAY
        ),
    }
    today = timezone.localdate()
    started = today - datetime.timedelta(days=60)
    return {
        kind: docx_text(content)
        .replace(today.strftime("%d.%m.%Y"), "<TODAY>")
        .replace(started.strftime("%d.%m.%Y"), "<STARTED>")
        for kind, content in made.items()
    }


def test_every_pair_document_prints_what_it_printed(school: dict[str, Any]) -> None:
    texts = _texts(school)
    if os.environ.get("PIN_DOCUMENT_TEXTS"):
        TEXTS.mkdir(exist_ok=True)
        for kind, text in texts.items():
            (TEXTS / f"{kind}.txt").write_text(text + "\n", encoding="utf-8")
    for kind, text in texts.items():
        assert text + "\n" == (TEXTS / f"{kind}.txt").read_text(encoding="utf-8"), kind
    approval = texts["approval_order"]
    assert "Ким Артём (молодой специалист)" in approval
    assert "Фёдоров Семён" not in approval and "Носов" not in approval and "Ершов" not in approval
    assert "Соловьёва Дарья Олеговна (5А класс)" in approval
    assert "Ким Артём\t______________" in approval  # an adult mentee signs
    assert "Соловьёва Дарья Олеговна\t" not in approval  # a minor does not
