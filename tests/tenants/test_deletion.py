"""Users exist in every schema; deleting one must only touch the current schema's tables."""

from django_tenants.utils import schema_context

from accounts.models import Role, User
from schools.programmes.models import Programme
from tests.conftest import make_user


def test_a_regional_user_can_be_deleted_in_public(db, tenant_a):
    staff = make_user("public", Role.REGIONAL_STAFF, "to-delete")
    staff.delete()
    assert not User.objects.filter(username="to-delete").exists()


def test_deleting_a_school_user_still_follows_its_relations(tenant_a):
    coordinator = make_user(tenant_a.schema_name, Role.COORDINATOR, "coord-delete")
    with schema_context(tenant_a.schema_name):
        programme = Programme.objects.create(academic_year=2040, title="П", coordinator=coordinator)
        coordinator.delete()
        programme.refresh_from_db()
        assert programme.coordinator is None
