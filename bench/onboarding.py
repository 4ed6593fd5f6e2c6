"""Onboarding a region's institutions from one XLSX (#14 "Done when": 50 institutions imported
from one file are all active, each with its coordinator invited):
``.venv/bin/python bench/onboarding.py [-n 50]``.

Standalone. In a dedicated database (``nastavnik_bench_onboarding``, or
BENCH_ONBOARDING_DATABASE_URL whose name must end in ``_bench_onboarding``; dropped at the end,
also after a failure, unless ``--keep``) it migrates, creates the municipalities of Stavropol
krai and a regional administrator, and builds an XLSX of ``-n`` realistic institutions (schools,
gymnasiums and lyceums, colleges and technical schools, centres of additional education; full
and short Russian names, municipalities, valid INNs, addresses, the coordinators' full names
and e-mails) with a title row above the header, as a regional centre's list looks.

Then, timed from the upload:

1. the upload: the regional administrator posts the file to the import page
   (``/institutions/import/``: the real form, ``tenants.importing.plan_import`` checking every
   row, ``tenants.services.institutions_import`` creating every institution at once and
   enqueueing one provisioning task each through the outbox);
2. the background work, as the worker does it: every task the outbox holds (provisioning, and
   then each coordinator's invitation letter) runs its Celery task body with ``task.apply`` in
   the schema its row names, in the order written, until none is left. Provisioning is one at a
   time whatever the worker's concurrency (each clone holds the template's lock), so one
   process is what a worker does;
3. the import's progress page, read as regional staff see it.

Prints the rows, the time to the file's institutions all active (upload, provisioning per
institution: median and p95), how many are active, how many coordinators were invited (the
invitation in the institution's schema, and the letter to that address in the mail outbox),
and the failures; and the machine's load."""

from __future__ import annotations

import argparse
import io
import os
import random
import statistics
import sys
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

import benchlib  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench_onboarding"
SUFFIX = "_bench_onboarding"
HOST = "localhost"  # BASE_DOMAIN of the development settings: the regional host

# (municipality, its name in the genitive for a school's full name, a Latin code for addresses)
MUNICIPALITIES: tuple[tuple[str, str, str], ...] = (
    ("город Ставрополь", "города Ставрополя", "stav"),
    ("город Пятигорск", "города-курорта Пятигорска", "pyat"),
    ("город Кисловодск", "города-курорта Кисловодска", "kisl"),
    ("город Ессентуки", "города-курорта Ессентуки", "esse"),
    ("город Невинномысск", "города Невинномысска", "nevi"),
    ("Шпаковский муниципальный округ", "Шпаковского муниципального округа", "shpak"),
    ("Изобильненский муниципальный округ", "Изобильненского муниципального округа", "izob"),
    ("Георгиевский муниципальный округ", "Георгиевского муниципального округа", "geor"),
    ("Минераловодский муниципальный округ", "Минераловодского муниципального округа", "minv"),
    ("Будённовский муниципальный округ", "Будённовского муниципального округа", "bude"),
)
HEADER = [
    "Полное наименование",
    "Краткое наименование",
    "Вид",
    "Муниципалитет",
    "ИНН",
    "Адрес",
    "ФИО координатора",
    "E-mail координатора",
]
COLLEGES = (
    ("Ставропольский многопрофильный колледж", "СМК", "колледж"),
    ("Пятигорский техникум торговли, технологий и сервиса", "ПТТТиС", "техникум"),
    ("Невинномысский энергетический техникум", "НЭТ", "техникум"),
    ("Георгиевский региональный колледж «Интеграл»", "ГРК «Интеграл»", "колледж"),
    ("Кисловодский медицинский колледж", "КМК", "колледж"),
    ("Изобильненский аграрный колледж", "ИАК", "колледж"),
)
CENTRES = (
    ("Центр детского творчества", "ЦДТ"),
    ("Дом детского творчества", "ДДТ"),
    ("Станция юных техников", "СЮТ"),
)
INN10_WEIGHTS = (2, 4, 10, 3, 5, 9, 4, 6, 8)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("-n", "--institutions", type=int, default=50)
    parser.add_argument("--seed", type=int, default=14)
    parser.add_argument("--keep", "--keep-db", action="store_true", help="keep the database")
    return parser.parse_args()


def inn(rng: random.Random, used: set[str]) -> str:
    """A valid organisation INN of Stavropol krai (26…), not used before."""
    while True:
        body = f"26{rng.randrange(10, 99)}{rng.randrange(0, 100000):05d}"
        check = sum(int(d) * w for d, w in zip(body, INN10_WEIGHTS, strict=True)) % 11 % 10
        value = f"{body}{check}"
        if value not in used:
            used.add(value)
            return value


def coordinator(rng: random.Random) -> tuple[str, str]:
    """(ФИО, the part of an e-mail before @) of a teacher who coordinates the programme."""
    from seeding import names

    female = rng.random() < 0.8
    surname = rng.choice(names.SURNAMES)
    last = names.feminine_surname(surname) if female else surname
    first = rng.choice(names.WOMEN if female else names.MEN)
    middle = names.patronymic(rng.choice(names.FATHERS_OF_ADULTS), female=female)
    return f"{last} {first} {middle}", f"coord.{rng.randrange(100, 999)}"


def institution_rows(count: int, seed: int) -> list[list[str]]:
    """``count`` institutions as the regional centre lists them: mostly schools, every sixth a
    college or technical school, every tenth a centre of additional education."""
    rng = random.Random(seed)
    used: set[str] = set()
    rows = []
    numbers: dict[str, int] = {}
    for n in range(1, count + 1):
        municipality, genitive, code = MUNICIPALITIES[(n - 1) % len(MUNICIPALITIES)]
        numbers[code] = numbers.get(code, 0) + rng.randint(1, 4)
        number = numbers[code]
        if n % 10 == 0:
            centre, short = CENTRES[n // 10 % len(CENTRES)]
            name = (
                "Муниципальное бюджетное учреждение дополнительного образования "
                f"«{centre}» {genitive}"
            )
            row = (name, f"МБУ ДО {short} ({code})", "дополнительное образование")
            slug = f"ddt-{code}-{number}"
        elif n % 6 == 0:
            college, short, word = COLLEGES[n // 6 % len(COLLEGES)]
            name = (
                f"Государственное бюджетное профессиональное образовательное учреждение «{college}»"
            )
            row = (name, f"ГБПОУ {short}", word)
            slug = f"spo-{code}-{number}"
        else:
            kind = rng.choice(("Средняя общеобразовательная школа", "Гимназия", "Лицей"))
            short = {"Гимназия": "Гимназия", "Лицей": "Лицей"}.get(kind, "СОШ")
            name = (
                f"Муниципальное бюджетное общеобразовательное учреждение «{kind} № {number}» "
                f"{genitive}"
            )
            row = (name, f"МБОУ {short} № {number} ({code})", "школа")
            slug = f"sch-{code}-{number}"
        full_name, mailbox = coordinator(rng)
        rows.append(
            [*row[:3], municipality, inn(rng, used), slug, full_name, f"{mailbox}@{slug}.edu26.ru"]
        )
    return rows


def xlsx(rows: list[list[str]]) -> bytes:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Перечень образовательных организаций Ставропольского края"])
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def run_outbox() -> list[tuple[str, float, str]]:
    """Every task the outbox holds, run as a worker runs it (its task body in the schema its
    row names, claiming the row), in the order written, until none is left. Returns (task,
    seconds, error class or "")."""
    from django_tenants.utils import schema_context

    from config.celery import app
    from config.outbox.models import OutboxMessage
    from config.outbox.relay import HEADER as OUTBOX_HEADER
    from config.outbox.relay import SCHEMA_HEADER

    done: list[tuple[str, float, str]] = []
    while True:
        message = OutboxMessage.objects.filter(finished_at__isnull=True).order_by("pk").first()
        if message is None:
            return done
        task = app.tasks[message.task_name]
        started = time.perf_counter()
        with schema_context(message.schema_name):
            result = task.apply(
                kwargs=message.kwargs,
                headers={SCHEMA_HEADER: message.schema_name, OUTBOX_HEADER: message.pk},
            )
        error = "" if result.successful() else type(result.result).__name__
        done.append((message.task_name, time.perf_counter() - started, error))
        message.refresh_from_db()
        if message.finished_at is None:  # a retry the worker would run later: not here
            raise RuntimeError(f"{message.task_name} #{message.pk} did not finish: {error}")


def onboard(count: int, seed: int) -> None:
    from django.core import mail
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client
    from django_tenants.utils import schema_context

    from accounts import api as accounts_api
    from accounts.api import Actor
    from accounts.models import Invitation, Role
    from tenants import api as tenants_api
    from tenants.models import Institution, InstitutionImport, InstitutionStatus

    tenants_api.municipalities_ensure(names=[m for m, _g, _c in MUNICIPALITIES])
    admin_id = accounts_api.user_ensure(
        username="bench-admin",
        role=Role.REGIONAL_ADMIN,
        password="bench-onboarding-2026",
        email="admin@rcn-stavropol.example.org",
        first_name="Марина",
        last_name="Белоусова",
        middle_name="Александровна",
        actor=Actor.system("bench"),
    )
    from accounts.models import User

    client = Client(HTTP_HOST=HOST, raise_request_exception=True)
    client.force_login(
        User.objects.get(pk=admin_id), backend="accounts.backends.InstitutionAwareBackend"
    )
    rows = institution_rows(count, seed)
    content = xlsx(rows)
    mail.outbox = []
    print(
        f"file: {len(rows)} institutions, {len(content) / 1024:.0f} KiB "
        f"({sum(r[2] == 'школа' for r in rows)} schools, "
        f"{sum(r[2] in ('колледж', 'техникум') for r in rows)} colleges and technical schools, "
        f"{sum(r[2] == 'дополнительное образование' for r in rows)} centres of additional "
        f"education, {len({r[3] for r in rows})} municipalities)",
        flush=True,
    )

    started = time.perf_counter()
    response = client.post(
        "/institutions/import/",
        {"file": SimpleUploadedFile("perechen-oo.xlsx", content)},
    )
    uploaded = time.perf_counter() - started
    if response.status_code != 302:
        raise RuntimeError(
            f"the upload was refused ({response.status_code}):\n{response.content.decode()[:3000]}"
        )
    batch = InstitutionImport.objects.get()
    print(
        f"upload (the page: every row checked, every institution created, its provisioning "
        f"enqueued): {uploaded:.2f} s, {len(batch.institution_ids)} institutions created",
        flush=True,
    )
    tasks = run_outbox()
    to_active = time.perf_counter() - started
    provisioning = [s for name, s, _e in tasks if name == "tenants.provision_institution"]
    letters_s = [s for name, s, _e in tasks if name != "tenants.provision_institution"]
    failures = [(name, error) for name, _s, error in tasks if error]
    institutions = list(Institution.objects.filter(pk__in=batch.institution_ids))
    active = [i for i in institutions if i.status == InstitutionStatus.ACTIVE]
    invited = 0
    for institution in active:
        with schema_context(institution.schema_name):
            invited += Invitation.objects.filter(
                email=institution.coordinator_email, role=Role.COORDINATOR
            ).exists()
    coordinator_emails = {i.coordinator_email for i in institutions}
    letters = [m for m in mail.outbox if set(m.to) & coordinator_emails]
    lettered = {address for m in letters for address in m.to} & coordinator_emails
    progress = client.get(f"/institutions/import/{batch.pk}/progress/").content.decode()
    quantiles = statistics.quantiles(provisioning, n=20) if len(provisioning) > 1 else [0] * 19
    print(
        f"provisioning, {len(provisioning)} tasks one after another: median "
        f"{statistics.median(provisioning):.2f} s, p95 {quantiles[18]:.2f} s, total "
        f"{sum(provisioning):.1f} s; {len(letters_s)} other tasks (the invitation letters) "
        f"{sum(letters_s):.1f} s",
        flush=True,
    )
    print(
        f"RESULT: {len(rows)} rows -> all active in {to_active:.1f} s from the upload; "
        f"active {len(active)} of {len(institutions)}; coordinators invited {invited} "
        f"(letters in the outbox to {len(lettered)} coordinators); failures {len(failures)}"
        f"{': ' + ', '.join(f'{n} {e}' for n, e in failures) if failures else ''}; "
        f"the import's page says "
        f"{'100 %' if '100 %' in progress else 'not 100 %'}; load average {_load()}",
        flush=True,
    )


def _load() -> str:
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def main() -> int:
    args = parse_args()
    url = os.environ.get("BENCH_ONBOARDING_DATABASE_URL", DEFAULT_URL)
    if not benchlib.database_name(url).endswith(SUFFIX):
        raise SystemExit(f"refusing: the database name must end in {SUFFIX}")
    if args.institutions < 1:
        raise SystemExit("-n must be at least 1")
    benchlib.configure_environment(url)
    # The letters stay in memory (django.core.mail.outbox): counted, never sent.
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    print(
        f"machine: {os.cpu_count()} cores, load average at start {_load()}; PostgreSQL "
        f"{benchlib.server_version(url)}",
        flush=True,
    )
    try:
        benchlib.recreate_database(url)
        setup_s = benchlib.nastavnik("migrate", "--noinput", log_name="onboarding-migrate")
        print(f"migrate {setup_s:.1f} s", flush=True)
        import django

        django.setup()
        from tenants import schemas

        schemas.sync_template_schema()
        onboard(args.institutions, args.seed)
        print(f"load average at the end {_load()}", flush=True)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep:
            benchlib.drop_database(url)
            print("dropped the bench database (every schema in it)", flush=True)
        else:
            print(f"kept the bench database {benchlib.database_name(url)}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
