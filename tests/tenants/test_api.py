"""``tenants.api`` hands out plain data: the institution behind a schema entered by name (a
worker making a document) is an ``InstitutionRef``, and the letterhead reads it."""

from __future__ import annotations

from django_tenants.utils import get_public_schema_name, schema_context

from config.office import institution
from tenants.api import InstitutionRef, institution_for_schema
from tenants.models import Institution


def test_the_institution_behind_a_schema_is_plain_data(tenants, db):
    # The row as stored now (the session's object may carry another test's lifecycle change).
    stored = Institution.objects.get(pk=tenants.a.pk)
    ref = institution_for_schema(stored.schema_name)
    assert ref == InstitutionRef.of(stored)
    assert (ref.name, ref.inn) == (stored.name, stored.inn)
    assert institution_for_schema("no_such_schema") is None


def test_a_document_made_in_a_schema_entered_by_name_has_the_letterhead(tenants, db):
    with schema_context(tenants.a.schema_name):
        found = institution()
    assert isinstance(found, InstitutionRef) and found.name == tenants.a.name
    with schema_context(get_public_schema_name()):
        assert institution() is None
