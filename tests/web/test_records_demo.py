"""The demo's records (``seeding.demo.demo_records_ensure``) fill the records pages once, in an
institution without the page tests' school (tests/web/test_records.py shares one)."""

from __future__ import annotations

from django_tenants.utils import schema_context

from tests.web.conftest import page_client


def test_demo_records_fill_the_pages_once(tenant_a):
    from seeding.demo import DEMO_PASSWORD, demo_records_ensure

    logins = demo_records_ensure(institutions=[tenant_a], password=DEMO_PASSWORD)
    again = demo_records_ensure(institutions=[tenant_a], password=DEMO_PASSWORD)
    assert [login.username for login in logins] == ["parent"] == [a.username for a in again]
    with schema_context(tenant_a.schema_name):
        from accounts.models import User
        from schools.participants.models import Guardianship, MenteeProfile, MentorProfile

        assert MentorProfile.objects.count() == 3 and MenteeProfile.objects.count() == 3
        parent = User.objects.get(username="parent")
        assert Guardianship.objects.filter(parent__user=parent).count() == 1
    client = page_client(tenant_a.host, parent, tenant_a.schema_name, "ru")
    page = client.get("/my/consents/").content.decode()
    assert "Белов Артём" in page and 'data-consent="valid"' in page
