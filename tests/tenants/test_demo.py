"""``nastavnik demo``: the demo region is complete and idempotent; helpers of the command."""

from __future__ import annotations

import socket
from pathlib import Path

import environ
import pytest
from django.contrib.auth.hashers import check_password
from django_tenants.utils import schema_context

from accounts.models import Invitation, Role, User
from config.embedded_pg import EmbeddedPostgres
from config.validators import is_valid_inn
from regional.employers.models import Employer
from schools.programmes.models import Programme
from tenants import demo
from tenants.management.commands.demo import child_environment, port_is_free
from tenants.models import Institution, InstitutionStatus, Municipality


def test_demo_inns_are_valid_and_distinct() -> None:
    inns = [spec.inn for spec in demo.INSTITUTIONS] + [demo.EMPLOYER_INN]
    assert all(is_valid_inn(inn) for inn in inns)
    assert len(set(inns)) == len(inns)


@pytest.mark.django_db
def test_demo_region_is_complete_and_idempotent() -> None:
    first = demo.demo_region_ensure(password="demo-pass")
    second = demo.demo_region_ensure(password="demo-pass")

    slugs = [spec.slug for spec in demo.INSTITUTIONS]
    assert [i.slug for i in second.institutions] == slugs
    assert [i.pk for i in first.institutions] == [i.pk for i in second.institutions]
    institutions = Institution.objects.filter(slug__in=slugs)
    assert institutions.count() == 3
    assert set(institutions.values_list("status", flat=True)) == {InstitutionStatus.ACTIVE}
    assert Municipality.objects.filter(name__in=demo.MUNICIPALITIES).count() == 4

    admin = User.objects.get(username="admin")
    assert admin.role == Role.REGIONAL_ADMIN and check_password("demo-pass", admin.password)
    assert User.objects.get(username="staff").role == Role.REGIONAL_STAFF
    employer = Employer.objects.get(inn=demo.EMPLOYER_INN)
    assert [u.role for u in employer.members.all()] == [Role.EMPLOYER]

    for spec in demo.INSTITUTIONS:
        with schema_context(spec.slug.replace("-", "_")):
            roles = dict(User.objects.values_list("username", "role"))
            assert roles == {
                "coordinator": Role.COORDINATOR,
                "curator": Role.CURATOR,
                "director": Role.DIRECTOR,
                "parent": Role.PARENT,  # the records pages' parent (demo_records_ensure)
            }
            coordinator = User.objects.get(username="coordinator")
            assert check_password("demo-pass", coordinator.password)
            # The invitation made by provisioning is fulfilled by the demo account.
            assert not Invitation.objects.filter(accepted_at__isnull=True).exists()
            programme = Programme.objects.get()
            assert programme.academic_year == demo.DEMO_ACADEMIC_YEAR
            assert set(programme.forms) == set(spec.forms)

    logins = {(login.host, login.username) for login in second.logins}
    # regional staff and the employer; coordinator, curator, director and parent per institution
    assert len(logins) == len(second.logins) == 3 + 3 * 4


def test_embedded_url_gives_the_socket_to_django_and_to_the_broker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from config.settings import base

    pgdata = Path("/srv/demo dir/pgdata")
    server = EmbeddedPostgres(pgdata=pgdata, socket_dir=pgdata)
    db = environ.Env.db_url_config(server.database_url(database="nastavnik"))
    assert db["NAME"] == "nastavnik"
    assert db["OPTIONS"] == {"host": "/srv/demo dir/pgdata"}
    monkeypatch.setitem(base.DATABASES, "default", db)
    assert base._sqla_broker_url() == (
        "sqla+postgresql+psycopg://postgres@/nastavnik?host=/srv/demo%20dir/pgdata"
    )


def test_busy_port_is_detected() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        assert not port_is_free(port=sock.getsockname()[1])


def test_children_get_the_port_and_the_source_roots(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NASTAVNIK_DEMO_OWNED_PGDATA", "/somewhere")
    env = child_environment(port=8123)
    assert env["SITE_PORT"] == "8123"
    assert env["PYTHONPATH"].split(":")[0].endswith("platform")
    assert "NASTAVNIK_DEMO_OWNED_PGDATA" not in env
