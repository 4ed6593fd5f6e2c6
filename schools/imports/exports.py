"""The lists an institution exports to XLSX, with Russian headers.

Data comes from the participants app's list selectors (querysets: an export streams them in
chunks and scopes them to a curator's classes, as the participants' own doors do), in the schema
of the request, so an export can never contain another institution's people. Headers of
participants, mentees and mentors are the ones the importer reads, so an exported file can be
imported back."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from schools.imports.xlsx import CATEGORY_LABELS, FORM_LABELS
from schools.participants import api as participants_api
from schools.participants import selectors as participant_selectors

PERSON_HEADERS = [
    "Фамилия",
    "Имя",
    "Отчество",
    "Дата рождения",
    "Категория",
    "Класс/Группа",
    "E-mail",
    "Телефон",
]
YES, NO = "да", "нет"
CONSENT_STATE_LABELS = {
    "valid": "действует",
    "missing": "нет",
    "withdrawn": "отозвано",
    "reconsent_due": "требуется новое",
    "invalid_for_age": "не соответствует возрасту",
    "erased": "данные удалены",
}


def _person(p: Any) -> list[Any]:
    return [
        p.last_name,
        p.first_name,
        p.middle_name,
        p.birth_date,
        CATEGORY_LABELS.get(p.category, p.category),
        p.study_group.name if p.study_group_id else "",
        p.email,
        p.phone,
    ]


def _label(choices_owner: Any, value: str) -> str:
    return str(dict(choices_owner.choices).get(value, value)) if value else ""


@dataclass(frozen=True)
class ExportList:
    """One exportable list: where its rows come from and how a row is written."""

    name: str  # URL segment and file name
    title: str  # sheet title
    headers: list[str]
    source: Callable[[], QuerySet[Any]]  # a list selector of the participants app
    row: Callable[[Any], list[Any]]
    # the lookup from a row to its study group's curator (curators export their groups only)
    curator_lookup: str

    def queryset(self) -> QuerySet[Any]:
        return self.source()

    def rows(self, queryset: QuerySet[Any]) -> Iterator[list[Any]]:
        for obj in queryset.iterator(chunk_size=1000) if not _prefetches(queryset) else queryset:
            yield self.row(obj)


def _prefetches(queryset: QuerySet[Any]) -> bool:
    return bool(getattr(queryset, "_prefetch_related_lookups", ()))


def _participant_row(p: Any) -> list[Any]:
    state = getattr(p, "consent_state", "")
    return [
        *_person(p),
        YES if p.is_young_specialist else NO,
        CONSENT_STATE_LABELS.get(state, state),
    ]


def _mentee_row(profile: Any) -> list[Any]:
    return [
        *_person(profile.participant),
        profile.request,
        # «;» separates the entries (a name may hold commas): the importer reads it back
        "; ".join(tag.name for tag in profile.needs.all()),
        FORM_LABELS.get(profile.preferred_form, profile.preferred_form),
        _label(participants_api.RequestSource, profile.raised_by),
    ]


def _mentor_row(profile: Any) -> list[Any]:
    return [
        *_person(profile.participant),
        "; ".join(tag.name for tag in profile.competences.all()),
        profile.experience,
        profile.experience_years,
        profile.hours_per_month,
        profile.capacity,
        profile.motivation,
        profile.training,
    ]


def _study_group_row(group: Any) -> list[Any]:
    curator = group.curator
    return [group.name, curator.full_name if curator is not None else ""]


def _consent_row(consent: Any) -> list[Any]:
    api = participants_api
    return [
        consent.participant.full_name,
        consent.participant.birth_date,
        _label(api.ConsentKind, consent.kind),
        _label(api.ConsentPurpose, consent.purpose),
        _label(api.ConsentSigner, consent.signed_by),
        consent.guardian_name,
        _label(api.GuardianRelation, consent.guardian_relation),
        YES if consent.minor_signed else NO,
        consent.signed_on,
        _label(api.ConsentMethod, consent.method),
        consent.text_version,
        consent.text_checksum,
        consent.created_at,
    ]


EXPORTS: dict[str, ExportList] = {
    export.name: export
    for export in (
        ExportList(
            name="participants",
            title="Участники",
            headers=[*PERSON_HEADERS, "Молодой специалист", "Согласие на обработку ПДн"],
            source=participant_selectors.participant_list,
            row=_participant_row,
            curator_lookup="study_group__curator",
        ),
        ExportList(
            name="mentees",
            title="База наставляемых",
            headers=[
                *PERSON_HEADERS,
                "Запрос",
                "Потребности",
                "Форма наставничества",
                "Кто сформулировал запрос",
            ],
            source=participant_selectors.mentee_profile_list,
            row=_mentee_row,
            curator_lookup="participant__study_group__curator",
        ),
        ExportList(
            name="mentors",
            title="База наставников",
            headers=[
                *PERSON_HEADERS,
                "Компетенции",
                "Опыт",
                "Стаж, лет",
                "Часов в месяц",
                "Количество наставляемых",
                "Мотивация",
                "Обучение",
            ],
            source=participant_selectors.mentor_profile_list,
            row=_mentor_row,
            curator_lookup="participant__study_group__curator",
        ),
        ExportList(
            name="study-groups",
            title="Классы и группы",
            headers=["Класс/Группа", "Куратор"],
            source=participant_selectors.study_group_list,
            row=_study_group_row,
            curator_lookup="curator",
        ),
        ExportList(
            name="consents",
            title="Реестр согласий",
            headers=[
                "ФИО",
                "Дата рождения",
                "Запись",
                "Цель",
                "Кто подписал",
                "ФИО законного представителя",
                "Кем приходится",
                "Подпись несовершеннолетнего",
                "Дата подписания",
                "Способ",
                "Версия текста",
                "Контрольная сумма текста",
                "Внесено",
            ],
            source=participant_selectors.consent_list,
            row=_consent_row,
            curator_lookup="participant__study_group__curator",
        ),
    )
}
