"""Reads of the participants app. The consent state is computed in the database, so that lists
filter on it and counts use the same rule as ``has_valid_consent``."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    CharField,
    Count,
    F,
    Func,
    IntegerField,
    JSONField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.actor import Actor
from schools.participants import access
from schools.participants.models import (
    ADULT_AGE,
    KPI_LEARNER_MIN_AGE,
    LEARNER_CATEGORIES,
    MINOR_OWN_SIGNATURE_AGE,
    RECONSENT_NOTICE_DAYS,
    REQUIRED_PURPOSE,
    Category,
    Consent,
    ConsentKind,
    ConsentSigner,
    Guardianship,
    MenteeProfile,
    MentorProfile,
    Participant,
    StudyGroup,
    Topic,
    TopicCoverage,
    full_name_of,
)


class ConsentState:
    VALID = "valid"
    RECONSENT_DUE = "reconsent_due"  # valid today, not after the person turns 14 or 18 soon
    INVALID_FOR_AGE = "invalid_for_age"  # the latest grant does not fit the current age
    MISSING = "missing"
    WITHDRAWN = "withdrawn"
    ERASED = "erased"

    CHOICES = [
        (VALID, "valid"),
        (RECONSENT_DUE, "reconsent_due"),
        (INVALID_FOR_AGE, "invalid_for_age"),
        (MISSING, "missing"),
        (WITHDRAWN, "withdrawn"),
        (ERASED, "erased"),
    ]
    VALID_STATES = (VALID, RECONSENT_DUE)
    NEEDS_RECONSENT = (RECONSENT_DUE, INVALID_FOR_AGE)


def years_before(day: datetime.date, years: int) -> datetime.date:
    """The latest birth date of a person who is at least ``years`` old on ``day``."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def consent_fits_age(*, signed_by: str, minor_signed: bool, age: int | None) -> bool:
    """Who must sign, by age: under 14 the guardian; 14–17 the guardian and the minor; adults
    themselves. With the birth date unknown any grant is taken as it is."""
    if age is None:
        return True
    if age < MINOR_OWN_SIGNATURE_AGE:
        return signed_by == ConsentSigner.GUARDIAN
    if age < ADULT_AGE:
        return signed_by == ConsentSigner.GUARDIAN and minor_signed
    return signed_by == ConsentSigner.SELF


def _fits_sql(birth: str, day: datetime.date) -> tuple[str, list[Any]]:
    """SQL twin of ``consent_fits_age`` on ``day``, inside the subquery of a person's latest
    consent (alias ``latest_consent``): ``birth`` is the SQL of the person's birth date."""
    adult = years_before(day, ADULT_AGE)
    teen = years_before(day, MINOR_OWN_SIGNATURE_AGE)
    sql = (
        f"({birth} IS NULL"
        f" OR ({birth} <= %s AND latest_consent.signed_by = %s)"
        f" OR ({birth} > %s AND {birth} <= %s AND latest_consent.signed_by = %s"
        " AND latest_consent.minor_signed)"
        f" OR ({birth} > %s AND latest_consent.signed_by = %s))"
    )
    guardian, self_signed = str(ConsentSigner.GUARDIAN), str(ConsentSigner.SELF)
    return sql, [adult, self_signed, adult, teen, guardian, teen, guardian]


# Only the compiler's SQL of columns and a quoted table name are written into it; every value
# is a parameter (``ConsentStateOf.as_sql``).
_CONSENT_STATE_SQL = """CASE WHEN {erased} IS NOT NULL THEN %s
WHEN {stopped} IS NOT NULL THEN %s
ELSE COALESCE((
    SELECT CASE
        WHEN latest_consent.kind = %s THEN %s
        WHEN {fits_today} AND {fits_later} THEN %s
        WHEN {fits_today} THEN %s
        ELSE %s
    END
    FROM {consent} latest_consent
    WHERE latest_consent.participant_id = {participant} AND latest_consent.purpose = %s
    ORDER BY latest_consent.created_at DESC, latest_consent.id DESC
    LIMIT 1
), %s) END"""


class ConsentStateOf(Func):
    """``consent_state`` of a participant row (see ``ConsentState``) in one expression: the
    state of the latest required consent is worked out inside one correlated subquery (one
    probe of the ``consent_latest`` index), whatever the list selects, filters or counts.

    Written out because the ORM form (four subqueries for the latest consent's columns, each
    repeated at every use in the CASE: 19 subqueries, 6 KB of SQL per row) took 5–20 ms to
    compile on every page that lists people. The rule is the one of ``consent_state_of`` (its
    Python twin); ``tests/schools/participants/test_consent_state.py`` checks that they agree
    for every age and signer."""

    output_field = CharField()

    def __init__(self, *, today: datetime.date) -> None:
        super().__init__(F("pk"), F("birth_date"), F("erased_at"), F("processing_stopped_at"))
        self.today = today

    def as_sql(  # type: ignore[override]  # the template is its own, not Func's arguments
        self, compiler: Any, connection: Any, **extra: Any
    ) -> tuple[str, list[Any]]:
        # (SQL, params) of the person's id, birth date, erasure, stop of processing: Cols
        # relabelled with the query (a subquery of another query stays correct)
        pk, birth, erased, stopped = (compiler.compile(e) for e in self.get_source_expressions())
        later = self.today + datetime.timedelta(days=RECONSENT_NOTICE_DAYS)
        today_sql, today_params = _fits_sql(birth[0], self.today)
        later_sql, later_params = _fits_sql(birth[0], later)
        sql = _CONSENT_STATE_SQL.format(
            erased=erased[0],
            stopped=stopped[0],
            fits_today=today_sql,
            fits_later=later_sql,
            consent=connection.ops.quote_name(Consent._meta.db_table),
            participant=pk[0],
        )
        if birth[1] or pk[1] or erased[1] or stopped[1]:  # columns have no parameters
            raise ValueError("ConsentStateOf expects plain columns")
        params: list[Any] = [
            ConsentState.ERASED,
            ConsentState.WITHDRAWN,
            str(ConsentKind.WITHDRAWAL),
            ConsentState.WITHDRAWN,
            *today_params,
            *later_params,
            ConsentState.VALID,
            *today_params,
            ConsentState.RECONSENT_DUE,
            ConsentState.INVALID_FOR_AGE,
            REQUIRED_PURPOSE,
            ConsentState.MISSING,
        ]
        return sql, params


class LatestConsentColumns(Func):
    """An annotation: the latest required consent's ``[kind, signed_by, minor_signed]`` as one
    text array (NULL: none), what ``consent_state_from`` needs, in one subquery (one probe of
    the ``consent_latest`` index) where ``with_latest_consent`` writes one per column."""

    template = (
        '(SELECT ARRAY[c."kind", c."signed_by", c."minor_signed"::text]'
        ' FROM "participants_consent" c'
        ' WHERE c."participant_id" = %(expressions)s AND c."purpose" = %(purpose)s'
        ' ORDER BY c."created_at" DESC, c."id" DESC LIMIT 1)'
    )
    output_field = ArrayField(CharField())

    def __init__(self, person: str = "pk") -> None:
        """``person``: the person's id in the queried model (its key, or a foreign key)."""
        if not REQUIRED_PURPOSE.replace("_", "").isalnum():  # written into the SQL
            raise ValueError(REQUIRED_PURPOSE)
        super().__init__(F(person), purpose=f"'{REQUIRED_PURPOSE}'")


def latest_consent_values(
    columns: list[str] | None,
) -> tuple[str | None, str | None, bool | None]:
    """``LatestConsentColumns``' value as ``(kind, signed_by, minor_signed)``."""
    if columns is None:
        return None, None, None
    kind, signed_by, minor_signed = columns
    return kind, signed_by, minor_signed == "true"


def consent_state_of_columns(
    *,
    erased_at: datetime.datetime | None,
    processing_stopped_at: datetime.datetime | None,
    birth_date: datetime.date | None,
    latest_consent: list[str] | None,
    today: datetime.date,
) -> str:
    """``consent_state_from`` over a person's columns and ``LatestConsentColumns``' value, as
    one read carries them (a person, a list's row, an invitation's lookup)."""
    kind, signed_by, minor_signed = latest_consent_values(latest_consent)
    return consent_state_from(
        erased_at=erased_at,
        processing_stopped_at=processing_stopped_at,
        birth_date=birth_date,
        kind=kind,
        signed_by=signed_by,
        minor_signed=minor_signed,
        today=today,
    )


def with_consent_state(
    queryset: QuerySet[Participant], *, today: datetime.date | None = None
) -> QuerySet[Participant]:
    """Annotate ``consent_state`` (see ``ConsentState``, ``ConsentStateOf``)."""
    return queryset.annotate(consent_state=ConsentStateOf(today=today or timezone.localdate()))


def participant_list() -> QuerySet[Participant]:
    return with_consent_state(Participant.objects.select_related("study_group"))


def participant_rows() -> QuerySet[Participant]:
    """Participants as the API lists them: with the latest consent's columns, from which the
    list computes each person's state (``consent_state_from``). The ``consent_state``
    annotation (a ``Case`` over the age rules, costly to build and compile) is added by the
    filters on the state only (``with_consent_state`` over this queryset)."""
    return Participant.objects.annotate(latest_consent=LatestConsentColumns())


def participants_active() -> QuerySet[Participant]:
    """People whose data may be processed at all (not withdrawn, not erased)."""
    return Participant.objects.filter(erased_at__isnull=True, processing_stopped_at__isnull=True)


def participants_with_valid_consent() -> QuerySet[Participant]:
    """The only people who may be matched, sent questionnaires or counted."""
    return with_consent_state(participants_active()).filter(
        Q(consent_state__in=ConsentState.VALID_STATES)
    )


def participants_needing_reconsent() -> QuerySet[Participant]:
    """People whose latest grant no longer fits their age, or will not within
    ``RECONSENT_NOTICE_DAYS`` (they turn 14 or 18)."""
    return with_consent_state(participants_active()).filter(
        Q(consent_state__in=ConsentState.NEEDS_RECONSENT)
    )


def participants_due_for_erasure(*, today: datetime.date | None = None) -> QuerySet[Participant]:
    today = today or timezone.localdate()
    return Participant.objects.filter(
        erased_at__isnull=True, erase_after__isnull=False, erase_after__lte=today
    )


def _fits_on_day(
    *, birth_date: datetime.date | None, signed_by: str, minor_signed: bool, day: datetime.date
) -> bool:
    """Python twin of ``_fits_on`` (the same thresholds, ``years_before``)."""
    if birth_date is None:
        return True
    if birth_date <= years_before(day, ADULT_AGE):
        return signed_by == ConsentSigner.SELF
    if birth_date <= years_before(day, MINOR_OWN_SIGNATURE_AGE):
        return signed_by == ConsentSigner.GUARDIAN and minor_signed is True
    return signed_by == ConsentSigner.GUARDIAN


def consent_state_of(*, participant_id: int, today: datetime.date | None = None) -> str | None:
    """The consent state of one person (None when there is no such person): the rule of
    ``with_consent_state`` evaluated in Python over one small read (the person's columns and
    the latest consent's, ``LatestConsentColumns``). For one person the SQL expression costs
    more to compile than the whole answer (10–30 ms on a busy server, on every answer a pupil
    submits); ``test_consent_state`` checks that both agree."""
    person = next(
        iter(
            Participant.objects.filter(pk=participant_id)
            .annotate(latest_consent=LatestConsentColumns())
            .values("erased_at", "processing_stopped_at", "birth_date", "latest_consent")[:1]
        ),
        None,
    )
    if person is None:
        return None
    return consent_state_of_columns(
        erased_at=person["erased_at"],
        processing_stopped_at=person["processing_stopped_at"],
        birth_date=person["birth_date"],
        latest_consent=person["latest_consent"],
        today=today or timezone.localdate(),
    )


def consent_state_from(
    *,
    erased_at: datetime.datetime | None,
    processing_stopped_at: datetime.datetime | None,
    birth_date: datetime.date | None,
    kind: str | None,
    signed_by: str | None,
    minor_signed: bool | None,
    today: datetime.date,
) -> str:
    """The rule of ``with_consent_state`` in Python, over a person's columns and its latest
    required consent (``kind`` None: there is none). For the reads that have these values
    already (``consent_state_of``, the API's list of participants)."""
    if erased_at is not None:
        return ConsentState.ERASED
    if processing_stopped_at is not None:
        return ConsentState.WITHDRAWN
    if kind is None:
        return ConsentState.MISSING
    if kind == ConsentKind.WITHDRAWAL:
        return ConsentState.WITHDRAWN
    later = today + datetime.timedelta(days=RECONSENT_NOTICE_DAYS)
    fits = [
        _fits_on_day(
            birth_date=birth_date,
            signed_by=signed_by or "",
            minor_signed=bool(minor_signed),
            day=day,
        )
        for day in (today, later)
    ]
    if all(fits):
        return ConsentState.VALID
    return ConsentState.RECONSENT_DUE if fits[0] else ConsentState.INVALID_FOR_AGE


def has_valid_consent(*, participant_id: int) -> bool:
    return consent_state_of(participant_id=participant_id) in ConsentState.VALID_STATES


# The annotations of ``consent_annotations``, read back by ``consent_valid_carried``.
_CARRIED = ("consent_erased_at", "consent_stopped_at", "consent_birth_date", "consent_latest")


def consent_annotations(*, person: str) -> dict[str, F | Func]:
    """Annotations for a query of another model whose rows name a person through the foreign
    key ``person`` (its field name): what ``consent_state_of`` reads of that person (its
    columns and its latest required consent's, ``LatestConsentColumns``), so that the row
    carries the person's consent (``consent_valid_carried``) without a query of its own.
    For a lookup every answer makes (``monitoring.services.invitation_by_token``)."""
    return {
        "consent_erased_at": F(f"{person}__erased_at"),
        "consent_stopped_at": F(f"{person}__processing_stopped_at"),
        "consent_birth_date": F(f"{person}__birth_date"),
        "consent_latest": LatestConsentColumns(f"{person}_id"),
    }


def consent_valid_carried(row: Any, *, today: datetime.date | None = None) -> bool | None:
    """``has_valid_consent`` of the person a row annotated by ``consent_annotations`` names,
    by the same rule (``consent_state_from``) over the values it carries; None when the row
    carries none (it was read without them: ask ``has_valid_consent``)."""
    if not all(hasattr(row, name) for name in _CARRIED):
        return None
    state = consent_state_of_columns(
        erased_at=row.consent_erased_at,
        processing_stopped_at=row.consent_stopped_at,
        birth_date=row.consent_birth_date,
        latest_consent=row.consent_latest,
        today=today or timezone.localdate(),
    )
    return state in ConsentState.VALID_STATES


def participant_find_duplicate(
    *,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    birth_date: datetime.date | None,
) -> int | None:
    """The id of a person with the same full name (case, spaces and «ё/е» ignored) and the
    same birth date (an unknown birth date matches an unknown one), or None."""
    wanted = _name_key(last_name, first_name, middle_name)
    candidates = Participant.objects.filter(erased_at__isnull=True, birth_date=birth_date)
    for pk, *names in candidates.order_by("pk").values_list(
        "pk", "last_name", "first_name", "middle_name"
    ):
        if _name_key(*names) == wanted:
            return int(pk)
    return None


def _name_key(*names: str) -> tuple[str, ...]:
    return tuple(" ".join((n or "").split()).casefold().replace("ё", "е") for n in names)


# (last_name, first_name, middle_name, birth_date) of a person to look for
PersonKey = tuple[str, str, str, datetime.date | None]
# distinct birth dates per query of ``participant_find_duplicates``: one query for any file a
# school uploads (at most about 36,500 distinct dates exist in 100 years)
DUPLICATE_DATES_PER_QUERY = 10_000


def participant_find_duplicates(*, people: Sequence[PersonKey]) -> dict[int, int]:
    """``participant_find_duplicate`` for many people at once: {index in ``people``: the id of
    the person already in the base}, people without a match left out. One query (by birth
    date); names are compared in Python by the same rule (case, spaces and «ё/е» ignored); of
    several matches the lowest id wins, as in the single lookup."""
    if not people:
        return {}
    dates = sorted({birth for *_names, birth in people if birth is not None})
    with_unknown = any(birth is None for *_names, birth in people)
    existing: dict[tuple[datetime.date | None, tuple[str, ...]], int] = {}
    chunks: list[list[datetime.date]] = [
        dates[i : i + DUPLICATE_DATES_PER_QUERY]
        for i in range(0, len(dates), DUPLICATE_DATES_PER_QUERY)
    ] or [[]]
    for number, chunk in enumerate(chunks):
        match = Q(birth_date__in=chunk)
        if with_unknown and number == 0:
            match |= Q(birth_date__isnull=True)
        candidates = Participant.objects.filter(match, erased_at__isnull=True)
        for pk, birth, *names in candidates.order_by("pk").values_list(
            "pk", "birth_date", "last_name", "first_name", "middle_name"
        ):
            existing.setdefault((birth, _name_key(*names)), int(pk))
    found: dict[int, int] = {}
    for index, (last_name, first_name, middle_name, birth_date) in enumerate(people):
        match_id = existing.get((birth_date, _name_key(last_name, first_name, middle_name)))
        if match_id is not None:
            found[index] = match_id
    return found


def study_group_list() -> QuerySet[StudyGroup]:
    return StudyGroup.objects.select_related("curator")


def guardianship_list() -> QuerySet[Guardianship]:
    return Guardianship.objects.select_related("parent", "child")


def consent_list() -> QuerySet[Consent]:
    return Consent.objects.select_related("participant")


def mentee_profile_list() -> QuerySet[MenteeProfile]:
    # the study group too: the bases show it on every row
    return MenteeProfile.objects.select_related(
        "participant", "participant__study_group"
    ).prefetch_related("needs")


def mentor_profile_list() -> QuerySet[MentorProfile]:
    return MentorProfile.objects.select_related(
        "participant", "participant__study_group"
    ).prefetch_related("competences")


def mentor_choices(*, exclude_id: int | None = None, limit: int = 500) -> list[tuple[int, str]]:
    """The mentor base as (participant id, full name) for a select, by name (erased people
    left out): the names only, not profiles with their competences."""
    queryset = MentorProfile.objects.filter(participant__erased_at__isnull=True)
    if exclude_id is not None:
        queryset = queryset.exclude(participant_id=exclude_id)
    rows = queryset.order_by("participant__last_name", "participant__first_name").values_list(
        "participant_id",
        "participant__last_name",
        "participant__first_name",
        "participant__middle_name",
    )[:limit]
    return [(pk, " ".join(p for p in names if p)) for pk, *names in rows]


def bases_choices() -> list[tuple[int, str]]:
    """Everyone in the mentor or mentee base as (id, «full name (class)») for a list of
    choices, by name (erased people left out): four columns a person, not their rows."""
    rows = (
        Participant.objects.filter(erased_at__isnull=True)
        .exclude(mentor_profile__isnull=True, mentee_profile__isnull=True)
        .order_by("last_name", "first_name", "middle_name", "pk")
        .values_list("pk", "last_name", "first_name", "middle_name", "study_group__name")
    )
    choices = []
    for pk, last, first, middle, group in rows:
        name = " ".join(p for p in (last, first, middle) if p)
        choices.append((pk, f"{name} ({group})" if group else name))
    return choices


def processing_stopped_ids(*, participant_ids: Collection[int]) -> set[int]:
    """The ids among ``participant_ids`` of people whose data may no longer be processed
    (their consent withdrawn), in one query."""
    return set(
        Participant.objects.filter(
            pk__in=list(participant_ids), processing_stopped_at__isnull=False
        ).values_list("pk", flat=True)
    )


def person_choices(*, participant_ids: Collection[int]) -> list[tuple[int, str]]:
    """The people among ``participant_ids`` as (id, «full name (class)») for a list of
    choices, by name, in one query of five columns."""
    rows = (
        Participant.objects.filter(pk__in=list(participant_ids))
        .order_by("last_name", "first_name", "pk")
        .values_list("pk", "last_name", "first_name", "middle_name", "study_group__name")
    )
    choices = []
    for pk, last, first, middle, group in rows:
        name = full_name_of(last, first, middle)
        choices.append((pk, f"{name} ({group})" if group else name))
    return choices


def topic_list() -> QuerySet[Topic]:
    """The catalogue's active entries."""
    return Topic.objects.filter(is_active=True)


def mentee_count() -> int:
    """Mentees in the base (withdrawn and erased people are not counted)."""
    return MenteeProfile.objects.filter(participant__in=participants_active()).count()


def mentees_without_consent_count() -> int:
    return (
        MenteeProfile.objects.filter(participant__in=participants_active())
        .exclude(participant__in=participants_with_valid_consent().values("pk"))
        .count()
    )


def mentor_count() -> int:
    return MentorProfile.objects.filter(participant__in=participants_active()).count()


def mentors_without_consent_count() -> int:
    return (
        MentorProfile.objects.filter(participant__in=participants_active())
        .exclude(participant__in=participants_with_valid_consent().values("pk"))
        .count()
    )


@dataclass(frozen=True)
class BaseCounts:
    """The mentee and mentor bases in numbers: the same figures as ``mentee_count``,
    ``mentor_count``, ``mentees_without_consent_count`` and ``mentors_without_consent_count``."""

    mentees: int
    mentors: int
    mentees_without_consent: int
    mentors_without_consent: int


# Schema name -> counts, while a ``base_counts_shared()`` block is open (else None).
_BASE_COUNTS_MEMO: ContextVar[dict[str, BaseCounts] | None] = ContextVar(
    "base_counts_memo", default=None
)


@contextmanager
def base_counts_shared() -> Iterator[None]:
    """Within the block, ``base_counts()`` is computed once per schema and shared (e.g. by the
    home page's cards and the stage checks of one request). A nested block reuses the outer
    one's figures."""
    if _BASE_COUNTS_MEMO.get() is not None:
        yield
        return
    token = _BASE_COUNTS_MEMO.set({})
    try:
        yield
    finally:
        _BASE_COUNTS_MEMO.reset(token)


# The bases in numbers in one statement written once (the stage tracker reads them on every visit
# of home and the roadmap, where building the ORM form cost more than running it): a person's
# latest required consent is one probe of ``consent_latest`` (as in ``_KPI_NUMERATORS_SQL``),
# valid when it is not a withdrawal and fits the age today — ``ConsentState.VALID_STATES``.
# ``test_kpi_numerators_keep_the_consent_rule`` checks it against the ORM counts.
_BASE_COUNTS_SQL = """
SELECT
    COUNT(mentee.id) AS mentees,
    COUNT(mentor.id) AS mentors,
    COUNT(mentee.id) FILTER (WHERE NOT COALESCE(latest.valid, FALSE)) AS mentees_without_consent,
    COUNT(mentor.id) FILTER (WHERE NOT COALESCE(latest.valid, FALSE)) AS mentors_without_consent
FROM {participant} p
LEFT JOIN {mentee} mentee ON mentee.participant_id = p.id
LEFT JOIN {mentor} mentor ON mentor.participant_id = p.id
LEFT JOIN LATERAL (
    SELECT c.kind <> %(withdrawal)s AND (
        p.birth_date IS NULL
        OR (p.birth_date <= %(adult)s AND c.signed_by = %(self)s)
        OR (p.birth_date > %(adult)s AND p.birth_date <= %(teen)s
            AND c.signed_by = %(guardian)s AND c.minor_signed)
        OR (p.birth_date > %(teen)s AND c.signed_by = %(guardian)s)
    ) AS valid
    FROM {consent} c
    WHERE c.participant_id = p.id AND c.purpose = %(purpose)s
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT 1
) latest ON TRUE
WHERE p.erased_at IS NULL AND p.processing_stopped_at IS NULL
    AND (mentee.id IS NOT NULL OR mentor.id IS NOT NULL)
"""
_BASE_COUNT_KEYS = ("mentees", "mentors", "mentees_without_consent", "mentors_without_consent")


def _consent_rule_params(*, today: datetime.date) -> dict[str, Any]:
    """The parameters of the valid-consent rule the hand-written counts share (who must sign
    at which age, on ``today``)."""
    return {
        "purpose": REQUIRED_PURPOSE.value,
        "withdrawal": ConsentKind.WITHDRAWAL.value,
        "adult": years_before(today, ADULT_AGE),
        "teen": years_before(today, MINOR_OWN_SIGNATURE_AGE),
        "self": ConsentSigner.SELF.value,
        "guardian": ConsentSigner.GUARDIAN.value,
    }


@cache
def _with_tables(sql: str) -> str:
    """A hand-written count's SQL with the tables' names (unqualified: the schema's search
    path): ``{participant}``, ``{consent}``, ``{mentee}``, ``{mentor}``, ``{study_group}``."""
    quote = connection.ops.quote_name
    return sql.format(
        participant=quote(Participant._meta.db_table),
        consent=quote(Consent._meta.db_table),
        mentee=quote(MenteeProfile._meta.db_table),
        mentor=quote(MentorProfile._meta.db_table),
        study_group=quote(StudyGroup._meta.db_table),
    )


def base_counts() -> BaseCounts:
    """Mentees, mentors and those of them without a valid consent (withdrawn and erased people
    are not counted), in one query; shared inside a ``base_counts_shared()`` block."""
    memo = _BASE_COUNTS_MEMO.get()
    key = str(getattr(connection, "schema_name", ""))
    if memo is not None and key in memo:
        return memo[key]
    now = timezone.localdate()
    params = _consent_rule_params(today=now)
    with connection.cursor() as cursor:
        cursor.execute(_with_tables(_BASE_COUNTS_SQL), params)
        row = cursor.fetchone()
    total = dict(zip(_BASE_COUNT_KEYS, (int(value or 0) for value in row), strict=True))
    counts = BaseCounts(**total)
    if memo is not None:
        memo[key] = counts
    return counts


# The classes and study groups that have people in them (anyone: erased and withdrawn people
# too) and no curator, counted in one statement written once (stage 1's check on every visit of
# home and the roadmap): what the ORM's distinct count of the groups joined to their people
# gave. ``test_api_functions.py`` compares it with the ORM form.
_GROUPS_WITHOUT_CURATOR_SQL = """
SELECT COUNT(*)
FROM {study_group} grp
WHERE grp.curator_id IS NULL
    AND EXISTS (SELECT 1 FROM {participant} person WHERE person.study_group_id = grp.id)
"""


def study_groups_without_curator_count() -> int:
    """Classes and study groups that have people in them and no curator."""
    with connection.cursor() as cursor:
        cursor.execute(_with_tables(_GROUPS_WITHOUT_CURATOR_SQL))
        row = cursor.fetchone()
    return int(row[0]) if row else 0


@dataclass(frozen=True)
class HeadcountNumerators:
    """Numerators of the regional KPIs for one institution: numbers only, valid consent only.

    * ``learner_mentees_10_plus`` — learners (pupils, students) aged 10 and over who are
      mentees; a student without a birth date counts (college students are over 10),
      a pupil without one does not (the age cannot be shown);
    * ``learner_mentors`` — learners who are mentors;
    * ``young_specialist_mentees`` — young specialists/teachers who are mentees;
    * ``employer_specialist_mentors`` and ``mentors`` — for the share of mentors from employers.
    """

    learner_mentees_10_plus: int
    learner_mentors: int
    young_specialist_mentees: int
    employer_specialist_mentors: int
    mentors: int
    mentees: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)


# The numerators in one statement, written once (``_with_tables``): the regional run
# computes them in each of up to 2,000 schemas, and the ORM form (four correlated subqueries per
# person for the latest consent, and the same subquery again in the state's CASE) cost ~100 ms
# of SQL and ~60 ms of compiling per institution. Here the latest required consent is one index
# probe per person (LATERAL … LIMIT 1 on ``consent_latest``) and the consent rule is the one of
# ``with_consent_state``: a latest consent that is not a withdrawal and fits the age today
# (``_fits_on(today)``: VALID and RECONSENT_DUE both pass it, INVALID_FOR_AGE does not).
# ``test_kpi_numerators_keep_the_consent_rule`` checks the figures against
# ``participants_with_valid_consent``.
_KPI_NUMERATORS_SQL = """
SELECT
    COUNT(*) FILTER (
        WHERE mentee.id IS NOT NULL AND p.category = ANY(%(learners)s)
        AND (p.birth_date <= %(aged_10)s OR (p.birth_date IS NULL AND p.category = %(student)s))
    ) AS learner_mentees_10_plus,
    COUNT(*) FILTER (
        WHERE mentor.id IS NOT NULL AND p.category = ANY(%(learners)s)
    ) AS learner_mentors,
    COUNT(*) FILTER (
        WHERE mentee.id IS NOT NULL AND (p.is_young_specialist OR p.category = %(young)s)
    ) AS young_specialist_mentees,
    COUNT(*) FILTER (
        WHERE mentor.id IS NOT NULL AND p.category = %(employer)s
    ) AS employer_specialist_mentors,
    COUNT(mentor.id) AS mentors,
    COUNT(mentee.id) AS mentees,
    COUNT(mentee.id) FILTER (WHERE p.id = ANY(%(paired)s::bigint[])) AS mentees_paired
FROM {participant} p
CROSS JOIN LATERAL (
    SELECT c.kind, c.signed_by, c.minor_signed
    FROM {consent} c
    WHERE c.participant_id = p.id AND c.purpose = %(purpose)s
    ORDER BY c.created_at DESC, c.id DESC
    LIMIT 1
) latest
LEFT JOIN {mentee} mentee ON mentee.participant_id = p.id
LEFT JOIN {mentor} mentor ON mentor.participant_id = p.id
WHERE p.erased_at IS NULL AND p.processing_stopped_at IS NULL
    AND latest.kind <> %(withdrawal)s
    AND (
        p.birth_date IS NULL
        OR (p.birth_date <= %(adult)s AND latest.signed_by = %(self)s)
        OR (p.birth_date > %(adult)s AND p.birth_date <= %(teen)s
            AND latest.signed_by = %(guardian)s AND latest.minor_signed)
        OR (p.birth_date > %(teen)s AND latest.signed_by = %(guardian)s)
    )
"""
_KPI_NUMERATOR_KEYS = (
    "learner_mentees_10_plus",
    "learner_mentors",
    "young_specialist_mentees",
    "employer_specialist_mentors",
    "mentors",
    "mentees",
    "mentees_paired",
)


def kpi_numerators(
    *, today: datetime.date | None = None, paired_ids: Collection[int] = ()
) -> dict[str, int]:
    """``headcount_numerators`` and, of the counted mentees (``mentees``), those in
    ``paired_ids`` (``mentees_paired``) and the others (``mentees_without_pair``): one query,
    the consent state derived once per person. ``paired_ids`` are ids of this schema's
    participants (e.g. the mentees of active pairs); they never leave the tenant (one array
    parameter, not a literal list to compile)."""
    # The consent rule is applied as of the real date, as ``participants_with_valid_consent``
    # does (a consent counts if it is valid now), the age of 10 as of ``today``.
    now = timezone.localdate()
    today = today or now
    params: dict[str, Any] = {
        "learners": sorted(category.value for category in LEARNER_CATEGORIES),
        "aged_10": years_before(today, KPI_LEARNER_MIN_AGE),
        "student": Category.STUDENT.value,
        "young": Category.YOUNG_SPECIALIST.value,
        "employer": Category.EMPLOYER_SPECIALIST.value,
        "paired": sorted(set(paired_ids)),
        **_consent_rule_params(today=now),
    }
    with connection.cursor() as cursor:
        cursor.execute(_with_tables(_KPI_NUMERATORS_SQL), params)
        row = cursor.fetchone()
    result = {key: int(value or 0) for key, value in zip(_KPI_NUMERATOR_KEYS, row, strict=True)}
    result["mentees_without_pair"] = result["mentees"] - result["mentees_paired"]
    return result


def headcount_numerators(*, today: datetime.date | None = None) -> HeadcountNumerators:
    counts = kpi_numerators(today=today)
    return HeadcountNumerators(
        **{key: counts[key] for key in HeadcountNumerators.__dataclass_fields__}
    )


# --- who sees whom: the rules are in ``schools.participants.access`` ------------------------


def participants_visible_to(
    actor: Actor, queryset: QuerySet[Participant] | None = None
) -> QuerySet[Participant]:
    """``access.participants_visible_to``."""
    return access.participants_visible_to(actor, queryset)


def participant_ids_visible_to(actor: Actor) -> QuerySet[Participant]:
    """For ``participant__in=`` filters of related rows."""
    return access.participant_ids_visible_to(actor)


# --- the bases as pages show them ----------------------------------------------------------------


def _base_filter(
    queryset: QuerySet[Any], *, actor: Actor, query: str, consent: str
) -> QuerySet[Any]:
    """Profiles of people ``actor`` may see (erased people left out), by name and consent
    state."""
    queryset = queryset.filter(participant__erased_at__isnull=True)
    if access.participant_rule(actor) is not None:  # None: everyone (no subquery of them all)
        queryset = queryset.filter(participant__in=participant_ids_visible_to(actor))
    for word in query.split():
        queryset = queryset.filter(
            Q(participant__last_name__icontains=word)
            | Q(participant__first_name__icontains=word)
            | Q(participant__middle_name__icontains=word)
        )
    if consent:
        queryset = queryset.filter(
            participant__in=participant_list().filter(Q(consent_state=consent)).values("pk")
        )
    return queryset


class TopicNamesJSON(Func):
    """An annotation: the names of a profile's catalogue entries (a mentee's ``needs``, a
    mentor's ``competences``) by name, as a JSON list. The bases read them with their rows: a
    prefetch built a queryset per profile to hand them out."""

    template = (
        "(SELECT COALESCE(jsonb_agg(t.name ORDER BY t.name, t.id), '[]'::jsonb)"
        ' FROM "%(through)s" x JOIN "%(topics)s" t ON t.id = x.topic_id'
        " WHERE x.%(column)s = %(expressions)s)"
    )
    output_field = JSONField()

    def __init__(self, tags: str) -> None:
        model = MenteeProfile if tags == "needs" else MentorProfile
        field = model._meta.get_field(tags)
        super().__init__(
            F("pk"),
            through=field.remote_field.through._meta.db_table,  # type: ignore[union-attr]
            topics=Topic._meta.db_table,
            column=field.m2m_column_name(),  # type: ignore[union-attr]
        )


def with_tag_names(queryset: QuerySet[Any], *, tags: str) -> QuerySet[Any]:
    """Profiles (``mentee_base``, ``mentor_base``) with ``tag_names`` read with the rows in
    place of the prefetched ``tags`` (``"needs"`` or ``"competences"``)."""
    annotated: QuerySet[Any] = queryset.prefetch_related(None).annotate(
        tag_names=TopicNamesJSON(tags)
    )
    return annotated


def mentee_base(
    *, actor: Actor, query: str = "", need: str = "", form: str = "", consent: str = ""
) -> QuerySet[MenteeProfile]:
    """The mentee base as ``actor`` sees it, filtered by name, need tag, preferred form and
    consent state (empty filters are ignored)."""
    queryset = _base_filter(mentee_profile_list(), actor=actor, query=query, consent=consent)
    if need:  # a subquery, not a join: no DISTINCT (which made every row's columns first)
        queryset = queryset.filter(
            pk__in=MenteeProfile.needs.through.objects.filter(topic__code=need).values(
                "menteeprofile_id"
            )
        )
    if form:
        queryset = queryset.filter(preferred_form=form)
    return queryset


def mentor_base(
    *, actor: Actor, query: str = "", competence: str = "", consent: str = ""
) -> QuerySet[MentorProfile]:
    """The mentor base as ``actor`` sees it, filtered by name, competence tag and consent state."""
    queryset = _base_filter(mentor_profile_list(), actor=actor, query=query, consent=consent)
    if competence:
        queryset = queryset.filter(
            pk__in=MentorProfile.competences.through.objects.filter(topic__code=competence).values(
                "mentorprofile_id"
            )
        )
    return queryset


def consent_states_of(*, participant_ids: Sequence[int]) -> dict[int, str]:
    """Participant id → consent state (see ``ConsentState``), in one query."""
    return dict(
        participant_list().filter(pk__in=participant_ids).values_list("pk", "consent_state")  # type: ignore[misc]
    )


def guardianships_of_parent(*, actor: Actor) -> QuerySet[Guardianship]:
    """The guardian links whose parent is the person with login ``actor``: their children."""
    return access.guardianships_visible_to(actor, guardianship_list())


def topic_names() -> list[tuple[int, str, bool]]:
    """Every entry of the catalogue as (id, name, active), for a choice of entries."""
    return list(Topic.objects.order_by("name", "pk").values_list("pk", "name", "is_active"))


def topic_cover_names() -> dict[int, list[str]]:
    """{request id: the names of the entries that also cover it} (in the order of
    ``TopicCoverage``), for a list of the catalogue: names only, no entry read whole."""
    names: dict[int, list[str]] = {}
    for need_id, name in TopicCoverage.objects.order_by("need_id", "covered_by_id").values_list(
        "need_id", "covered_by__name"
    ):
        names.setdefault(need_id, []).append(name)
    return names


def topic_catalogue(*, with_coverage: bool = True) -> QuerySet[Topic]:
    """Every entry of the catalogue, retired ones too, by section and name, with the number of
    mentees who ask for it (``as_need``) and of mentors who offer it (``as_competence``) and,
    ``with_coverage``, the entries that also cover it (prefetched ``coverage``; a list takes
    their names from ``topic_cover_names``)."""

    # Each count in its own subquery: counted over a join of both (DISTINCT), an entry asked
    # by 100 mentees and offered by 50 mentors made 5,000 rows.
    def counted(through: Any) -> Any:
        rows = (
            through.objects.filter(topic_id=OuterRef("pk"))
            .order_by()
            .values("topic_id")
            .annotate(n=Count("*"))
            .values("n")
        )
        return Coalesce(Subquery(rows, output_field=IntegerField()), 0)

    entries = Topic.objects.annotate(
        as_need=counted(MenteeProfile.needs.through),
        as_competence=counted(MentorProfile.competences.through),
    ).order_by("group", "name")
    return entries.prefetch_related("coverage__covered_by") if with_coverage else entries


# --- plain records for other apps (through ``api.py``): ids in, dataclasses out -----------------


@dataclass(frozen=True)
class PersonRef:
    """Who a person is, for another app to name and recognise them: the name's parts, the
    category and the e-mail (an empty string when unknown)."""

    id: int
    last_name: str
    first_name: str
    middle_name: str
    category: str
    email: str

    @property
    def full_name(self) -> str:
        return full_name_of(self.last_name, self.first_name, self.middle_name)


@dataclass(frozen=True)
class MenteeRecord:
    """A person of the mentee base as matching reads them: the needs are catalogue codes."""

    id: int
    category: str
    study_group_id: int | None
    birth_date: datetime.date | None
    preferred_form: str
    need_codes: frozenset[str]


@dataclass(frozen=True)
class MentorRecord:
    """A person of the mentor base as matching reads them: the competences are catalogue codes
    (what the coverage maps them to is the caller's business)."""

    id: int
    category: str
    study_group_id: int | None
    birth_date: datetime.date | None
    hours_per_month: int | None
    capacity: int | None
    competence_codes: frozenset[str]


def _codes_by_person(rows: Iterable[tuple[int, str | None]]) -> dict[int, frozenset[str]]:
    out: dict[int, set[str]] = {}
    for pk, code in rows:
        if code:
            out.setdefault(pk, set()).add(code)
    return {pk: frozenset(codes) for pk, codes in out.items()}


def person_refs(
    *, participant_ids: Collection[int], for_update: bool = False
) -> dict[int, PersonRef]:
    """Participant id → ``PersonRef`` of the people among ``participant_ids`` (erased ones
    too: their record keeps its id), in one query. ``for_update`` locks their rows (in the
    order of their ids: concurrent callers wait for each other) until the caller's
    transaction ends."""
    people = Participant.objects.filter(pk__in=list(participant_ids))
    if for_update:
        people = people.select_for_update().order_by("pk")
    rows = people.values_list("pk", "last_name", "first_name", "middle_name", "category", "email")
    return {
        pk: PersonRef(
            id=pk,
            last_name=last,
            first_name=first,
            middle_name=middle,
            category=category,
            email=email or "",
        )
        for pk, last, first, middle, category, email in rows
    }


def participant_full_names() -> list[str]:
    """«Фамилия Имя Отчество» of every participant with a surname or a first name, in the
    order of the names (erased ones keep a placeholder surname)."""
    rows = Participant.objects.exclude(last_name="", first_name="").values_list(
        "last_name", "first_name", "middle_name"
    )
    return [full_name_of(last, first, middle) for last, first, middle in rows]


def existing_participant_ids(
    *, participant_ids: Collection[int], include_erased: bool = True
) -> set[int]:
    """The ids among ``participant_ids`` that name a person of this institution (not erased
    ones, unless ``include_erased``), in one query."""
    people = Participant.objects.filter(pk__in=list(participant_ids))
    if not include_erased:
        people = people.filter(erased_at__isnull=True)
    return set(people.values_list("pk", flat=True))


def study_group_member_ids(*, study_group_id: int) -> list[int]:
    """Ids of the people of the class or study group, by name."""
    return list(
        Participant.objects.filter(study_group_id=study_group_id).values_list("pk", flat=True)
    )


def study_group_size(*, study_group_id: int) -> int:
    """How many people the class or study group has (one count)."""
    return Participant.objects.filter(study_group_id=study_group_id).count()


def mentee_base_size() -> int:
    """How many people have a mentee profile, erased ones included (one count)."""
    return MenteeProfile.objects.count()


def mentee_records(*, participant_ids: Collection[int] | None = None) -> list[MenteeRecord]:
    """The (not erased) people of the mentee base, of ``participant_ids`` when given, by name
    (the list's order): two queries whatever their number (the people, their needs)."""
    base = Participant.objects.filter(mentee_profile__isnull=False, erased_at__isnull=True)
    if participant_ids is not None:
        base = base.filter(pk__in=list(participant_ids))
    rows = list(
        base.values_list(
            "pk", "category", "study_group_id", "birth_date", "mentee_profile__preferred_form"
        )
    )
    if not rows:
        return []
    needs = _codes_by_person(
        MenteeProfile.needs.through.objects.filter(
            menteeprofile__participant_id__in=base.values("pk")
        ).values_list("menteeprofile__participant_id", "topic__code")
    )
    return [
        MenteeRecord(
            id=pk,
            category=category,
            study_group_id=group,
            birth_date=born,
            preferred_form=form or "",
            need_codes=needs.get(pk, frozenset()),
        )
        for pk, category, group, born, form in rows
    ]


def mentor_records(*, participant_ids: Collection[int] | None = None) -> list[MentorRecord]:
    """The (not erased) people of the mentor base, of ``participant_ids`` when given, by name
    (the list's order): two queries whatever their number (the people, their competences)."""
    base = Participant.objects.filter(mentor_profile__isnull=False, erased_at__isnull=True)
    if participant_ids is not None:
        base = base.filter(pk__in=list(participant_ids))
    rows = list(
        base.values_list(
            "pk",
            "category",
            "study_group_id",
            "birth_date",
            "mentor_profile__hours_per_month",
            "mentor_profile__capacity",
        )
    )
    if not rows:
        return []
    competences = _codes_by_person(
        MentorProfile.competences.through.objects.filter(
            mentorprofile__participant_id__in=base.values("pk")
        ).values_list("mentorprofile__participant_id", "topic__code")
    )
    return [
        MentorRecord(
            id=pk,
            category=category,
            study_group_id=group,
            birth_date=born,
            hours_per_month=hours,
            capacity=capacity,
            competence_codes=competences.get(pk, frozenset()),
        )
        for pk, category, group, born, hours, capacity in rows
    ]
