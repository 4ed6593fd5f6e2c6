"""The pages' base classes keep the scope: a page cannot look its object up around the access
layer, and the API base refuses the old row-level hook by name."""

from __future__ import annotations

from typing import Any

import pytest

from config.api.base import TenantViewSet
from config.pages import ObjectPage
from schools.participants import access as participant_access


@pytest.mark.parametrize("method", ["get_object", "dispatch", "access"])
def test_an_object_page_cannot_replace_its_guarded_lookup(method: str) -> None:
    with pytest.raises(TypeError, match=method):
        type(
            "Sneaky",
            (ObjectPage,),
            {
                "access_by_id": staticmethod(participant_access.access_participant_by_id),
                method: lambda self, *args, **kwargs: None,
            },
        )


def test_an_object_page_names_its_access_function() -> None:
    class Fine(ObjectPage):
        roles = frozenset({"coordinator"})
        access_by_id = staticmethod(participant_access.access_participant_by_id)

        def check_object(self, obj: Any) -> None:
            return None

    assert Fine.access_by_id is participant_access.access_participant_by_id


def test_a_viewset_with_the_old_row_hook_is_refused() -> None:
    with pytest.raises(TypeError, match="scope_for_actor"):
        type("Old", (TenantViewSet,), {"scope_for_user": lambda self, queryset, user: queryset})
