"""The pages' base classes keep the scope: a page cannot look its object up around the access
layer, every page that takes an object's id is an ``ObjectPage``, and the API base refuses the
old row-level hook by name."""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.converters import IntConverter

from config.api.base import TenantViewSet
from config.pages import ObjectPage
from schools.participants import access as participant_access

URLCONFS = ["config.urls_tenant", "config.urls_public"]
# Pages that take an id and are not ObjectPages, each with its reason. Short on purpose; the
# test fails when a listed page is gone or has become an ObjectPage (remove it then).
EXEMPT = {
    # Open without signing in: a document the institution published on its public programme
    # page. Nobody to scope by; the view serves published documents only.
    "school:public-document": "a published document of the public page, open to anyone",
}


def _id_pages(urlconf: str) -> dict[str, tuple[str, Any]]:
    """Every named route whose path takes an integer (an object's id): name → (path, view)."""
    found: dict[str, tuple[str, Any]] = {}

    def walk(resolver: URLResolver, prefix: str, namespace: str) -> None:
        for entry in resolver.url_patterns:
            if isinstance(entry, URLResolver):
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry, prefix + str(entry.pattern), ns)
                continue
            if not isinstance(entry, URLPattern) or not entry.name:
                continue
            converters = getattr(entry.pattern, "converters", {})
            if any(isinstance(c, IntConverter) for c in converters.values()):
                found[f"{namespace}{entry.name}"] = (prefix + str(entry.pattern), entry.callback)

    walk(get_resolver(urlconf), "", "")
    return found


def _is_object_page(view: Any) -> bool:
    view_class = getattr(view, "view_class", None)
    return isinstance(view_class, type) and issubclass(view_class, ObjectPage)


def _all_id_pages() -> dict[str, tuple[str, Any]]:
    pages: dict[str, tuple[str, Any]] = {}
    for urlconf in URLCONFS:
        pages.update(_id_pages(urlconf))
    return pages


def test_every_page_that_takes_an_id_is_an_object_page() -> None:
    pages = _all_id_pages()
    assert pages, "the walk found no page with an id: the walk is broken"
    unguarded = sorted(
        f"{name} ({path})"
        for name, (path, view) in pages.items()
        if not _is_object_page(view) and name not in EXEMPT
    )
    assert not unguarded, (
        "pages that take an id but are not ObjectPages (look the object up with "
        f"ObjectPage + access_<thing>_by_id): {unguarded}"
    )


def test_the_exceptions_are_still_pages_that_need_one() -> None:
    pages = _all_id_pages()
    gone = sorted(set(EXEMPT) - set(pages))
    assert not gone, f"listed pages that no longer exist: {gone}"
    converted = sorted(name for name in EXEMPT if _is_object_page(pages[name][1]))
    assert not converted, f"now ObjectPages: remove them from EXEMPT: {converted}"


def test_every_object_page_names_an_access_function_that_takes_for_write_and_queryset() -> None:
    """``ObjectPage.get_object`` calls ``access_by_id(actor, id, for_write=..., queryset=...)``:
    an access function without those keywords would fail only when the page is opened."""
    problems = []
    for name, (_path, view) in sorted(_all_id_pages().items()):
        if not _is_object_page(view):
            continue
        function = view.view_class.access_by_id
        parameters = inspect.signature(function).parameters
        if not {"for_write", "queryset"} <= set(parameters):
            problems.append(f"{name}: {function.__module__}.{function.__name__}")
        if not function.__name__.startswith("access_") or ".access" not in function.__module__:
            problems.append(
                f"{name}: {function.__module__}.{function.__name__} is not an app's access_*_by_id"
            )
    assert not problems, problems


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


def test_a_subclass_of_a_page_cannot_replace_the_lookup_either() -> None:
    """The rule holds down the hierarchy: a page derived from a converted page may not define
    ``get_object`` (say, to widen the rows) either."""
    from schools.web.views import MatchingRun

    with pytest.raises(TypeError, match="get_object"):

        class Wider(MatchingRun):
            def get_object(self) -> Any:
                return None


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
