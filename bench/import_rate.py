"""Import rate: preview and commit of a 5,000-row participants file, in rows per second.

Standalone: ``.venv/bin/python bench/import_rate.py [--rows 5000] [--keep-db]``. It creates the
database ``nastavnik_bench_import`` on 127.0.0.1:5432 (or IMPORT_BENCH_DATABASE_URL, whose name
must end in ``_bench_import``), migrates it, provisions one institution, generates an XLSX in a
school's shape, runs the preview and the commit the way the Celery tasks do (inside the
institution's schema), prints the figures, and drops the database. Nothing asserts on time.

Baseline, same run: the floor of writing as many people, ``bulk_create`` of the same number of
bare ``Participant`` rows in one transaction (rolled back), no reading, checking or consents.
The load average is printed before and after."""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit

REPO_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO_ROOT / "bench"))

import benchlib  # noqa: E402

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/nastavnik_bench_import"

LAST = ["Иванов", "Петров", "Сидоров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов"]
FIRST = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья"]
MIDDLE = ["Александрович", "Дмитриевич", "Сергеевич", "Андреевич", "Игоревич"]
CLASSES = ["5А", "5Б", "6А", "6Б", "7А", "7Б", "8А", "8Б", "9А", "9Б", "10А", "11А"]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--keep-db", action="store_true")
    return parser.parse_args()


def database_url() -> str:
    url = os.environ.get("IMPORT_BENCH_DATABASE_URL", DEFAULT_URL)
    if not urlsplit(url).path.lstrip("/").endswith("_bench_import"):
        raise SystemExit("refusing: the bench database name must end in _bench_import")
    return url


def configure(url: str, media_root: str) -> None:
    benchlib.configure_environment(url)
    os.environ["MEDIA_ROOT"] = media_root
    os.environ["TENANT_MIGRATION_EXECUTOR"] = "standard"


def school_xlsx(rows: int) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Список обучающихся МБОУ СОШ № 1 на 2026/2027 учебный год"])
    sheet.append([])
    sheet.append(["№", "ФИО", "Дата рождения", "Класс", "Категория", "E-mail", "Телефон"])
    for i in range(rows):
        name = f"{LAST[i % 8]} {FIRST[(i // 8) % 8]} {MIDDLE[(i // 64) % 5]}"
        birth = date(2009, 1, 1) + timedelta(days=(i % 2000) + 2 * (i // 320))
        sheet.append(
            [
                i + 1,
                name,
                birth.strftime("%d.%m.%Y"),
                CLASSES[i % len(CLASSES)],
                "ученик",
                f"pupil{i}@school.ru" if i % 3 == 0 else "",
                f"+7 918 {i % 1000:03d}-{i % 100:02d}-{i % 97:02d}" if i % 4 == 0 else "",
            ]
        )
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def _bare_write(rows: int) -> float:
    """Seconds to bulk-create ``rows`` bare participants in one transaction, rolled back."""
    from django.db import transaction

    from schools.participants.models import Participant

    class Rollback(Exception):
        pass

    started = time.perf_counter()
    try:
        with transaction.atomic():
            Participant.objects.bulk_create(
                Participant(
                    last_name=LAST[i % 8],
                    first_name=FIRST[(i // 8) % 8],
                    middle_name=MIDDLE[(i // 64) % 5],
                    birth_date=date(2009, 1, 1) + timedelta(days=i % 2000),
                    category="pupil",
                )
                for i in range(rows)
            )
            elapsed = time.perf_counter() - started
            raise Rollback
    except Rollback:
        pass
    return elapsed


def main() -> int:
    args = parse_args()
    url = database_url()
    media = tempfile.mkdtemp(prefix="nastavnik-bench-import-")
    configure(url, media)
    print(f"database {urlsplit(url).path.lstrip('/')}: creating and migrating …", flush=True)
    print("load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()), flush=True)
    benchlib.recreate_database(url)
    try:
        import django

        django.setup()
        from django.conf import settings
        from django.core.files.uploadedfile import SimpleUploadedFile
        from django.core.management import call_command
        from django_tenants.utils import schema_context

        call_command("migrate", "--noinput", verbosity=0)
        call_command("createcachetable", verbosity=0)  # as deployments without Redis have
        settings.IMPORTS_INLINE_MAX_BYTES = 10**9  # the task bodies run here, in-process

        from accounts.actor import Actor
        from schools.imports import services
        from schools.imports.models import ImportBatch
        from schools.participants.models import Participant
        from tenants import services as tenant_services
        from tenants.models import Municipality

        municipality, _ = Municipality.objects.get_or_create(name="Bench district")
        institution = tenant_services.institution_create(
            actor=Actor.system("bench"),
            name="МБОУ СОШ № 1 (bench)",
            short_name="СОШ № 1",
            kind="school",
            municipality_id=municipality.pk,
            slug="bench-import",
            coordinator_email="",
        )
        provisioned = tenant_services.institution_provision(institution_id=institution.pk)
        assert provisioned is not None
        institution = provisioned

        started = time.perf_counter()
        content = school_xlsx(args.rows)
        generate_s = time.perf_counter() - started
        print(f"generated {args.rows} rows, {len(content) / 1024:.0f} KB in {generate_s:.1f} s")

        with schema_context(institution.schema_name):
            upload = SimpleUploadedFile("spisok.xlsx", content)
            started = time.perf_counter()
            batch = services.import_batch_create(
                kind="participants", uploaded_file=upload, actor=services.IMPORT_ACTOR
            )
            preview_s = time.perf_counter() - started
            if batch.status != "previewed" or batch.error_count:
                print(f"preview failed: {batch.status}, {batch.report}")
                return 1
            started = time.perf_counter()
            batch = services.import_batch_commit(batch_id=batch.pk)
            commit_s = time.perf_counter() - started
            imported = Participant.objects.count()
            assert batch.status == "done" and imported == args.rows, (batch.status, imported)
            assert ImportBatch.objects.count() == 1
            baseline_s = _bare_write(args.rows)

        print()
        print(f"  rows                      {args.rows}")
        print(
            f"  preview (read + check)    {preview_s:7.2f} s  {args.rows / preview_s:8.0f} rows/s"
        )
        print(f"  commit (re-check + write) {commit_s:7.2f} s  {args.rows / commit_s:8.0f} rows/s")
        total = preview_s + commit_s
        print(f"  upload to imported        {total:7.2f} s  {args.rows / total:8.0f} rows/s")
        print(
            f"  baseline: bulk_create     {baseline_s:7.2f} s  {args.rows / baseline_s:8.0f} rows/s"
            f"  (the import takes {total / baseline_s:.1f}x the bare write)"
        )
        print("  load average: " + " ".join(f"{x:.2f}" for x in os.getloadavg()))
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if not args.keep_db:
            benchlib.drop_database(url)
            print(f"\ndropped {urlsplit(url).path.lstrip('/')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
