"""File storage: every institution's files under its own folder of MEDIA_ROOT."""

from __future__ import annotations

from typing import Any

from django_tenants.files.storage import TenantFileSystemStorage as _TenantFileSystemStorage


class TenantFileSystemStorage(_TenantFileSystemStorage):
    """django-tenants' per-schema storage, whose cached media root also follows a change of
    MEDIA_ROOT or MEDIA_URL (upstream forgets it unless MULTITENANT_RELATIVE_MEDIA_ROOT
    changes, so files could land in the previous root)."""

    def _clear_cached_properties(self, setting: str, **kwargs: Any) -> None:
        super()._clear_cached_properties(setting, **kwargs)
        if setting in ("MEDIA_ROOT", "MEDIA_URL", "MULTITENANT_RELATIVE_MEDIA_ROOT"):
            self.__dict__.pop("relative_media_root", None)
            self.__dict__.pop("relative_media_url", None)
