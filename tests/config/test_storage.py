"""Files of an institution land in its own folder of the current MEDIA_ROOT, also after the
setting changes (django-tenants' storage kept the first root it saw)."""

from __future__ import annotations

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django_tenants.utils import schema_context


def test_files_follow_a_changed_media_root(tenant_a, settings, tmp_path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "first")
    with schema_context(tenant_a.schema_name):
        first = default_storage.save("probe/a.txt", ContentFile(b"a"))
        assert (tmp_path / "first" / tenant_a.schema_name / first).exists()
        settings.MEDIA_ROOT = str(tmp_path / "second")
        second = default_storage.save("probe/b.txt", ContentFile(b"b"))
        assert (tmp_path / "second" / tenant_a.schema_name / second).exists()
        assert not (tmp_path / "first" / tenant_a.schema_name / second).exists()
