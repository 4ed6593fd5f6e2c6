"""The backup and restore procedures of docs/operations.md, run as written: one institution's
schema and its media restored in place after they were lost, and the whole database restored
into a new one. The commands are the documented ones (pg_dump, pg_restore, tar)."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django_tenants.utils import schema_context

from schools.participants import selectors as participant_selectors
from schools.participants import services as participant_services
from tests.conftest import SETUP

pytestmark = pytest.mark.fault


def _pg_env() -> dict[str, str]:
    db = connection.settings_dict
    env = dict(os.environ)
    env.update(
        PGHOST=str(db.get("HOST") or "127.0.0.1"),
        PGPORT=str(db.get("PORT") or "5432"),
        PGUSER=str(db.get("USER") or "postgres"),
    )
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = str(db["PASSWORD"])
    return env


def run(command: str, cwd: Path) -> None:
    """One line of the procedure, through the shell as an operator types it."""
    subprocess.run(command, shell=True, cwd=cwd, env=_pg_env(), check=True, timeout=120)


def test_one_institution_schema_and_its_media_restored_in_place(
    committed: None, school: Any, media_root: str, settings: Any, tmp_path: Path
) -> None:
    settings.MEDIA_ROOT = media_root
    schema, database = school.schema_name, connection.settings_dict["NAME"]
    media = Path(media_root)
    with schema_context(schema):
        group = participant_services.study_group_get_or_create(
            name="Восстановленный 9В", actor=SETUP
        )
    (media / schema).mkdir(parents=True, exist_ok=True)
    (media / schema / "order.pdf").write_bytes(b"%PDF-1.4 signed order")

    # the backup (docs/operations.md, "One institution")
    run(f"pg_dump --format=custom --schema={schema} --file={schema}.dump {database}", tmp_path)
    run(f"tar -C {media} -czf {schema}-media.tar.gz {schema}", tmp_path)

    # the loss: the schema dropped, the files gone; the host answers 503, never public tables
    with connection.cursor() as cursor:
        cursor.execute(f'DROP SCHEMA "{schema}" CASCADE')
    shutil.rmtree(media / schema)
    host = Client(raise_request_exception=False, HTTP_HOST=school.host)
    assert host.get("/accounts/login/").status_code == 503

    # the restore, in place
    run(f"pg_restore --dbname={database} {schema}.dump", tmp_path)
    run(f"tar -C {media} -xzf {schema}-media.tar.gz", tmp_path)
    with schema_context(schema):
        assert participant_selectors.study_group_list().filter(pk=group.pk).exists()
    assert (media / schema / "order.pdf").read_bytes() == b"%PDF-1.4 signed order"
    assert host.get("/accounts/login/").status_code == 200


def test_the_whole_database_restored_into_a_new_one(
    committed: None, tenants: Any, tmp_path: Path
) -> None:
    database = connection.settings_dict["NAME"]
    restored = f"{database}_restored"
    with schema_context(tenants.a.schema_name):
        group = participant_services.study_group_get_or_create(name="Весь дамп 10А", actor=SETUP)
    try:
        run(f"pg_dump --format=custom --file=nastavnik.dump {database}", tmp_path)
        run(f"dropdb --if-exists {restored} && createdb {restored}", tmp_path)
        run(f"pg_restore --jobs=2 --dbname={restored} nastavnik.dump", tmp_path)
        count = subprocess.run(
            [
                "psql",
                "-tAc",
                f"SELECT count(*) FROM {tenants.a.schema_name}.participants_studygroup "
                f"WHERE id = {group.pk}",
                restored,
            ],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        assert count == "1"
        institutions = subprocess.run(
            ["psql", "-tAc", "SELECT count(*) FROM public.tenants_institution", restored],
            env=_pg_env(),
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        from tenants.models import Institution

        assert int(institutions) == Institution.objects.count()
    finally:
        run(f"dropdb --if-exists {restored}", tmp_path)
        with schema_context(tenants.a.schema_name):
            participant_selectors.study_group_list().filter(pk=group.pk).delete()
