"""Provisioning one institution: cloning the template schema vs migrating a schema from zero,
and the whole service path (``institution_create`` + ``institution_provision``).

Runs in the runner's own process (Django already set up on the bench database)."""

from __future__ import annotations

from typing import Any

from benchlib import heading, line, ratio, summary, timed

SAME_CONNECTION_CLONES = 10


def _clone(schema_name: str) -> None:
    from django.db import transaction

    from tenants import schemas

    with transaction.atomic():
        # What institution_provision does around the clone: one clone at a time.
        schemas.lock_template_for_transaction()
        schemas.clone_from_template(schema_name)


def _migrate(schema_name: str) -> None:
    from tenants import schemas

    schemas.migrate_from_zero(schema_name)


def _drop(schema_names: list[str]) -> None:
    from tenants import schemas

    for name in schema_names:
        schemas.drop_schema(name)


def _same_connection(count: int) -> dict[str, Any]:
    """``count`` clones one after another on one database connection, each in its own
    transaction: what a worker provisioning many institutions with a persistent connection
    (CONN_MAX_AGE > 0) does. Measured because the clone gets slower on a long-lived
    connection."""
    from django.db import connection

    names = [f"bench_same_{i:03d}" for i in range(count)]
    samples: list[float] = []
    connection.close()
    try:
        for name in names:
            samples.append(timed(lambda name=name: _clone(name)))
    finally:
        connection.close()
        _drop(names)
    result = summary(samples)
    return result


def _municipality_id() -> int:
    from tenants.models import Municipality

    municipality, _ = Municipality.objects.get_or_create(name="Bench district")
    return int(municipality.pk)


def _service_path(index: int, municipality_id: int) -> tuple[float, float, str]:
    """institution_create then institution_provision, as the Celery task would run it."""
    from accounts.actor import Actor
    from tenants import services
    from tenants.models import InstitutionStatus

    created: list[Any] = []

    def create() -> None:
        created.append(
            services.institution_create(
                actor=Actor.system("bench"),
                name=f"Bench school {index}",
                short_name=f"Bench {index}",
                kind="school",
                municipality_id=municipality_id,
                slug=f"bench-svc-{index:03d}",
                coordinator_email=f"coordinator{index}@bench.invalid",
                coordinator_name="Иванова Мария Петровна",
            )
        )

    create_s = timed(create)
    institution = created[0]
    provisioned: list[Any] = []
    provision_s = timed(
        lambda: provisioned.append(services.institution_provision(institution_id=institution.pk))
    )
    status = getattr(provisioned[0], "status", None)
    if status != InstitutionStatus.ACTIVE:
        raise RuntimeError(f"institution {institution.slug} ended as {status}")
    return create_s, provision_s, str(institution.schema_name)


def _delete_service_institutions(schema_names: list[str]) -> None:
    from tenants.models import Domain, Institution

    _drop(schema_names)
    institutions = Institution.objects.filter(schema_name__in=schema_names)
    Domain.objects.filter(tenant__in=institutions).delete()
    institutions.delete()


def run(*, repetitions: int) -> dict[str, Any]:
    from django.db import connection

    from tenants import schemas

    heading(f"Provisioning one institution ({repetitions} repetitions each, after one warm-up)")
    schemas.sync_template_schema()
    created: list[str] = []
    try:
        # Warm-ups: the first clone installs the clone function, the first migration run
        # imports every migration module. Neither is counted.
        for name, fn in (("bench_warm_clone", _clone), ("bench_warm_migrate", _migrate)):
            created.append(name)
            fn(name)
        clone_s: list[float] = []
        migrate_s: list[float] = []
        # Interleaved, so that a drift of the machine affects both sides alike. Each run starts
        # on a new database connection, as a provisioning task does (see _same_connection).
        for i in range(repetitions):
            for prefix, fn, samples in (
                ("bench_clone", _clone, clone_s),
                ("bench_migrate", _migrate, migrate_s),
            ):
                name = f"{prefix}_{i:02d}"
                created.append(name)
                connection.close()
                samples.append(timed(lambda fn=fn, name=name: fn(name)))
    finally:
        connection.close()
        _drop(created)

    clone = summary(clone_s)
    migrate = summary(migrate_s)
    speedup = ratio(migrate["median_s"], clone["median_s"])
    line(f"clone_from_template (in atomic): median {clone['median_s'] * 1000:8.1f} ms")
    line(f"migrate_from_zero:               median {migrate['median_s'] * 1000:8.1f} ms")
    verdict = "meets" if speedup >= 3 else "does NOT meet"
    line(f"clone is {speedup:.2f}x faster than migrating ({verdict} the >= 3x requirement)")

    same_connection = _same_connection(SAME_CONNECTION_CLONES)
    first, last = same_connection["samples_s"][0], same_connection["samples_s"][-1]
    line(
        f"{SAME_CONNECTION_CLONES} clones in a row on ONE connection: first {first * 1000:.0f} ms, "
        f"last {last * 1000:.0f} ms ({ratio(last, first):.1f}x slower)"
    )

    municipality_id = _municipality_id()
    service_schemas: list[str] = []
    create_s: list[float] = []
    provision_s: list[float] = []
    try:
        service_schemas.append("bench_svc_000")
        _service_path(0, municipality_id)  # warm-up (template check, clone function, mail)
        for i in range(1, repetitions + 1):
            service_schemas.append(f"bench_svc_{i:03d}")
            connection.close()
            c, p, _schema = _service_path(i, municipality_id)
            create_s.append(c)
            provision_s.append(p)
    finally:
        connection.close()
        _delete_service_institutions(service_schemas)
    total_s = [c + p for c, p in zip(create_s, provision_s, strict=True)]
    service = {
        "institution_create": summary(create_s),
        "institution_provision": summary(provision_s),
        "total": summary(total_s),
    }
    line(
        "institution_create + institution_provision: median "
        f"{service['total']['median_s'] * 1000:.1f} ms "
        f"(create {service['institution_create']['median_s'] * 1000:.1f} ms, "
        f"provision {service['institution_provision']['median_s'] * 1000:.1f} ms)"
    )
    return {
        "repetitions": repetitions,
        "clone_from_template": clone,
        "migrate_from_zero": migrate,
        "clone_speedup": speedup,
        "clone_meets_3x": speedup >= 3,
        "same_connection_clones": same_connection,
        "service_path": service,
    }
