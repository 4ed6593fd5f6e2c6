"""Shared helpers of the server-rendered pages (schools.web and regional.web): who may open a
page (``TenantPage`` / ``ObjectPage``, or ``role_required`` for function views), the navigation
by role, HTMX detection. No business logic here: who may see and change an object is the apps'
access layer (``schools/<app>/access.py``), which ``ObjectPage`` calls for its lookup."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from functools import cache, wraps
from html import escape as _html_escape
from typing import Any, ClassVar, TypeVar, cast
from urllib.parse import urlencode

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Page, Paginator
from django.db.models import Count, QuerySet, Window
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import NoReverseMatch, get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from django.views import View as DjangoView
from django_tenants.utils import get_public_schema_name

from accounts import roles
from accounts.actor import Actor, actor_of, role_of
from accounts.models import Role

View = TypeVar("View", bound=Callable[..., HttpResponse])

# The role sets come from accounts.roles (one vocabulary); the names pages have used stay.
STAFF = roles.STAFF
COORDINATOR = roles.COORDINATION
COORDINATOR_AND_CURATORS = roles.COORDINATION_AND_CURATORS
REGIONAL = roles.REGIONAL


def is_public(request: HttpRequest) -> bool:
    tenant = getattr(request, "tenant", None)
    return tenant is None or tenant.schema_name == get_public_schema_name()


def is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def role_required(roles: Iterable[str], *, scope: str) -> Callable[[View], View]:
    """The page needs a signed-in user with one of ``roles`` on a host of ``scope`` ("tenant"
    or "public"). Anonymous visitors go to the login page; other roles get 403; the wrong kind
    of host gets 404 (a page of the other layer does not exist there)."""
    allowed = frozenset(roles)

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if is_public(request) != (scope == "public"):
                return render(request, "404.html", status=404)
            user = request.user
            if not user.is_authenticated:
                query = urlencode({"next": request.get_full_path()})
                return HttpResponseRedirect(f"{settings.LOGIN_URL}?{query}")
            if actor_of(request).role not in allowed:
                return render(request, "403.html", status=403)
            return view(request, *args, **kwargs)

        # Who may use the page, for the parity test (tests/web/test_parity.py); decorators
        # applied above this one keep it (functools.wraps copies the attribute).
        wrapper.page_roles = allowed  # type: ignore[attr-defined]
        return cast(View, wrapper)

    return decorate


class TenantPage(DjangoView):
    """A page of an institution's workspace on the same guard as the API: the host must be an
    institution's (404 otherwise), the visitor signed in (to the login page otherwise) with one
    of ``roles`` (403 otherwise); then ``access(actor)`` may refuse with ``PermissionDenied``
    (403) or ``Http404``. ``self.actor`` is the request's Actor (``accounts.actor``).

    Handlers are the usual ``get`` / ``post``; ``http_method_names`` limits the methods."""

    roles: ClassVar[frozenset[str]] = frozenset()
    host_scope: ClassVar[str] = "tenant"
    http_method_names = ["get", "head", "post"]
    actor: Actor

    def access(self, actor: Actor) -> None:
        """A rule of the whole page beyond its roles (raise to refuse)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        method = (request.method or "").lower()
        if method not in self.http_method_names or not hasattr(self, method):
            return cast(HttpResponse, self.http_method_not_allowed(request, *args, **kwargs))
        if is_public(request) != (self.host_scope == "public"):
            return render(request, "404.html", status=404)
        if not request.user.is_authenticated:
            query = urlencode({"next": request.get_full_path()})
            return HttpResponseRedirect(f"{settings.LOGIN_URL}?{query}")
        self.actor = actor_of(request)
        if self.actor.role not in self.roles:
            return render(request, "403.html", status=403)
        self.access(self.actor)
        return cast(HttpResponse, super().dispatch(request, *args, **kwargs))


AccessById = Callable[..., Any]


class ObjectPage(TenantPage):
    """A page about one object, looked up only through the app's access layer:
    ``access_by_id = staticmethod(<app>.access.access_<thing>_by_id)``. The lookup is made in
    ``dispatch`` (so a missing or foreign id is a 404 before any handler runs, and a write by
    someone who may only read is a 403); handlers read ``self.object``.

    ``get_object`` is final: a subclass that defines it raises ``TypeError`` at class creation,
    so no page can look its object up around the access layer. ``object_queryset()`` may narrow
    or decorate the rows the lookup starts from (it cannot widen them: the access function
    filters whatever it is given)."""

    access_by_id: ClassVar[AccessById]
    pk_url_kwarg: ClassVar[str] = "pk"
    # Which methods need the right to change the object (``for_write``) rather than to see it.
    write_methods: ClassVar[frozenset[str]] = frozenset({"POST", "PUT", "PATCH", "DELETE"})
    object: Any

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        overridden = {"get_object", "dispatch", "access"} & set(cls.__dict__)
        if overridden:
            raise TypeError(
                f"{cls.__name__} overrides {', '.join(sorted(overridden))}; name the access "
                "function in access_by_id (narrow rows in object_queryset(), add a rule in "
                "check_object()) so that the scope cannot be skipped."
            )

    def object_queryset(self) -> Any:
        """The rows the lookup starts from (None: the access function's default)."""
        return None

    def for_write(self) -> bool:
        return self.request.method in self.write_methods

    def get_object(self) -> Any:
        access_by_id = type(self).access_by_id
        kwargs: dict[str, Any] = {"for_write": self.for_write()}
        queryset = self.object_queryset()
        if queryset is not None:
            kwargs["queryset"] = queryset
        return access_by_id(self.actor, int(self.kwargs[self.pk_url_kwarg]), **kwargs)

    def check_object(self, obj: Any) -> None:
        """A further rule about the object found (raise ``PermissionDenied`` to refuse)."""

    def access(self, actor: Actor) -> None:
        self.object = self.get_object()
        self.check_object(self.object)


def escaped(text: Any) -> str:
    """``str(conditional_escape(text))`` without its lazy wrappers (a long list of choices
    calls it a few times per choice): a plain string escaped as Django's ``escape`` does
    (``html.escape``), safe text as it is, anything else escaped as its ``str``."""
    if type(text) is str:
        return _html_escape(text)
    html = getattr(text, "__html__", None)
    return html() if html is not None else _html_escape(str(text))


class FastSelect(forms.Select):
    """A ``<select>`` whose options are written in Python: Django renders each option through
    a template (≈ 20 µs each), and a school's selects of pairs, mentors or classes have
    hundreds. The same markup as ``forms.Select`` for flat choices; option groups are left to
    Django's templates."""

    def render(
        self, name: str, value: Any, attrs: dict[str, Any] | None = None, renderer: Any = None
    ) -> Any:
        from django.utils.html import format_html
        from django.utils.safestring import mark_safe

        choices: list[tuple[Any, Any]] = list(self.choices)
        if any(isinstance(label, list | tuple) for _value, label in choices):
            return super().render(name, value, attrs, renderer)
        selected = set(self.format_value(value))
        final = self.build_attrs(self.attrs, attrs)
        parts: list[str] = [format_html('<select name="{}"', name)]
        for key, attr in final.items():
            if attr is True:
                parts.append(format_html(" {}", key))
            elif attr is not False and attr is not None:
                parts.append(format_html(' {}="{}"', key, attr))
        parts.append(">")
        chosen = False
        for option, label in choices:
            text = "" if option is None else str(option)
            mark = ""
            if text in selected and (self.allow_multiple_selected or not chosen):
                mark, chosen = " selected", True
            # ``conditional_escape`` without its wrappers (two per option, hundreds of options)
            name = str(label)
            parts.append(f'<option value="{escaped(text)}"{mark}>{escaped(name)}</option>')
        parts.append("</select>")
        return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


class FastCheckboxes(forms.CheckboxSelectMultiple):
    """Checkboxes whose ``<input>`` tags (``{{ box.tag }}`` of a loop over the field) are
    written in Python: Django renders each through three templates (≈ 0.2 ms a box), and the
    catalogue's entries or a profile's competences are a hundred boxes. The same markup as
    ``forms.CheckboxSelectMultiple``; a box with its label wrapped (``{{ box }}``) and the
    whole widget (``{{ field }}``) are left to Django's templates."""

    def _render(self, template_name: str, context: dict[str, Any], renderer: Any = None) -> Any:
        widget = context.get("widget") or {}
        if template_name != self.option_template_name or widget.get("wrap_label"):
            return super()._render(template_name, context, renderer)  # type: ignore[misc]
        from django.utils.html import conditional_escape
        from django.utils.safestring import SafeData, mark_safe

        def text(value: Any) -> Any:  # ``{{ value|stringformat:'s' }}``
            return conditional_escape(value if isinstance(value, SafeData) else f"{value}")

        parts = [
            f'<input type="{conditional_escape(widget["type"])}" '
            f'name="{conditional_escape(widget["name"])}"'
        ]
        if widget["value"] is not None:
            parts.append(f' value="{text(widget["value"])}"')
        for key, value in widget["attrs"].items():
            if value is True:
                parts.append(f" {conditional_escape(key)}")
            elif value is not False:
                parts.append(f' {conditional_escape(key)}="{text(value)}"')
        parts.append(">")
        return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


# Django's widgets and the ones that write the same markup without a template per option
_FAST_WIDGETS: dict[type[forms.Widget], type[FastSelect] | type[FastCheckboxes]] = {
    forms.Select: FastSelect,
    forms.CheckboxSelectMultiple: FastCheckboxes,
}


class PageForm(forms.Form):
    """A form styled for the pages: Bootstrap classes on every control, and invalid controls
    marked for assistive technology (``aria-invalid``, ``aria-describedby`` to the errors).
    Plain selects are ``FastSelect``s (the same markup, written without a template per
    option), groups of checkboxes ``FastCheckboxes`` (each box's tag written in Python)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clean_text_fields()
        for field in self.fields.values():
            fast_class = _FAST_WIDGETS.get(type(field.widget))
            if fast_class is not None:
                old = field.widget
                fast = fast_class(attrs=old.attrs)
                fast.choices = old.choices
                fast.is_required, fast.is_localized = old.is_required, old.is_localized
                field.widget = fast
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select) and not isinstance(widget, forms.RadioSelect):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def _clean_text_fields(self) -> None:
        """Text is cleaned at the edge (``config.text``): the submitted values of text fields
        are normalised, and bidirectional controls are refused next to the field.

        Run in ``__init__`` and again when the form is cleaned (``full_clean``), so that a
        field a subclass adds after ``PageForm.__init__`` (a questionnaire's questions, a
        class's rows) is cleaned too; each field is taken once (``_text_fields``: its
        validator is not added twice, its value not normalised twice)."""
        from config.text import is_secret_field, normalise_text, validate_text

        done: dict[str, forms.Field] = self.__dict__.setdefault("_text_fields", {})
        text_fields = [
            name
            for name, field in self.fields.items()
            if done.get(name) is not field
            and isinstance(field, forms.CharField)
            and not isinstance(field.widget, forms.PasswordInput)
            and not is_secret_field(name)
        ]
        for name in text_fields:
            field = done[name] = self.fields[name]
            if validate_text not in field.validators:
                field.validators.append(validate_text)
        if not self.is_bound or not text_fields:
            return
        given: Any = self.data  # a QueryDict or a dict
        data: Any = None  # a copy, made once a value changes (clean text, the usual, is kept)
        for name in text_fields:
            key = self.add_prefix(name)
            if hasattr(given, "getlist"):
                if key not in given:
                    continue
                values = given.getlist(key)
                cleaned = [normalise_text(v) for v in values]
                if cleaned != values:
                    data = copy.copy(given) if data is None else data  # QueryDict: mutable
                    data.setlist(key, cleaned)
            elif isinstance(given.get(key), str):
                value = normalise_text(given[key])
                if value != given[key]:
                    data = copy.copy(given) if data is None else data
                    data[key] = value
        if data is not None:
            self.data = data

    def full_clean(self) -> None:
        self._clean_text_fields()  # the fields added since __init__
        super().full_clean()

    def is_valid(self) -> bool:
        valid = super().is_valid()
        self.mark_errors()
        return valid

    def mark_errors(self) -> None:
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            attrs["aria-invalid"] = "true"
            attrs["aria-describedby"] = f"{self[name].id_for_label}-errors"
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


def counted_page(rows: QuerySet[Any], number: Any, per_page: int) -> Page:
    """``Paginator(rows, per_page).get_page(number)`` in one query instead of two: the page's
    rows (model instances or the dicts of ``values()``) carry the number of all of them, counted
    before the LIMIT (``COUNT(*) OVER ()``), and the paginator is told it. A page past the end,
    a number below 1 and an empty list are left to ``get_page`` (it counts, then shows the last
    or the first page).

    For lists the database reads whole anyway, a few hundred rows (a run's proposals, the
    pairs, a meeting's attendees): the count comes with the page. Not for a list whose first
    page an index finds without reading the rest (the participants by name, the bases): the
    window makes PostgreSQL read every row, dearer than a separate count there."""
    try:
        wanted = int(number)
    except (TypeError, ValueError):
        wanted = 1  # as ``get_page``: not a number, the first page
    if wanted >= 1:
        bottom = (wanted - 1) * per_page
        found = list(rows.annotate(page_total=Window(Count("*")))[bottom : bottom + per_page])
        if found:
            total = 0
            for row in found:
                if isinstance(row, dict):
                    total = row.pop("page_total")
                else:
                    total = row.page_total
                    del row.page_total
            paginator = Paginator(rows, per_page)
            paginator.__dict__["count"] = total  # ``count`` is a cached property: known here
            return Page(found, wanted, paginator)
    return Paginator(rows, per_page).get_page(number)


def add_service_errors(form: forms.Form, error: ValidationError) -> None:
    """Show a service's ValidationError next to the form's fields (others on top)."""
    if hasattr(error, "error_dict"):
        for field, messages in error.message_dict.items():
            form.add_error(field if field in form.fields else None, messages)
    else:
        form.add_error(None, error.messages)
    if isinstance(form, PageForm):
        form.mark_errors()


_ID_MARK = 8_000_000_000_000_000_001  # an id no table reaches, replaced in the reversed path


@cache
def _reversed(name: str, urlconf: Any, prefix: str, with_id: bool) -> str:
    # the script prefix is part of the key: it is the request's (the same in every request of
    # a deployment), and reverse() writes it in front of the path
    return reverse(name, args=[_ID_MARK] if with_id else None, urlconf=urlconf)


def _urlconf(urlconf: Any) -> Any:
    """The URLconf a reverse() uses: the one given, else the request's (set by the tenant
    middleware for the thread), else the settings' (a name or a module: either is a key)."""
    return urlconf or get_urlconf() or settings.ROOT_URLCONF


def url_of(name: str, *, urlconf: str | None = None) -> str:
    """``reverse(name)`` of a route without arguments, reversed once per process (the menu's
    17 entries were reversed on every page)."""
    return _reversed(name, _urlconf(urlconf), get_script_prefix(), False)


def url_with_id(name: str, *, urlconf: str | None = None) -> Callable[[int], str]:
    """``lambda pk: reverse(name, args=[pk])`` for a route whose only argument is an id,
    reversed once: a table of a hundred rows with four links each spent a tenth of its page
    in ``{% url %}``."""
    head, _mark, tail = _reversed(name, _urlconf(urlconf), get_script_prefix(), True).partition(
        str(_ID_MARK)
    )
    return lambda pk: f"{head}{int(pk)}{tail}"


# (url name, label, roles) per layer; the first item a role may see is its home. An entry whose
# page is not routed (yet) is left out of the menu.
TENANT_NAV: list[tuple[str, Any, frozenset[str]]] = [
    ("school:home", _("Overview"), roles.EVERYONE),
    ("school:programme", _("Roadmap"), STAFF),
    ("school:participants", _("Participants"), STAFF),
    ("school:imports", _("Import"), COORDINATOR),
    ("school:invitations", _("Invitations"), COORDINATOR),
    ("school:matching", _("Matching"), STAFF),
    ("school:pairs", _("Pairs and groups"), STAFF),
    ("school:group-meetings", _("Group meeting"), roles.PAIR_MEMBERS),
    ("school:bases", _("Bases"), STAFF),
    ("school:campaigns", _("Questionnaires"), STAFF),
    ("school:monitoring-report", _("Monitoring"), STAFF),
    (
        "school:my-surveys",
        _("My questionnaires"),
        roles.PAIR_MEMBERS | roles.COORDINATION_AND_CURATORS,
    ),
    ("school:documents", _("Documents"), STAFF),
    ("school:employer-mentors", _("Employers' mentors"), STAFF),
    ("school:practices", _("Best practices"), STAFF),
    ("school:announcements", _("Announcements"), STAFF),
    ("school:my-consents", _("Consents"), frozenset({Role.PARENT})),
]
PUBLIC_NAV: list[tuple[str, Any, frozenset[str]]] = [
    ("regional:home", _("Institutions"), REGIONAL | {Role.EMPLOYER, Role.MUNICIPAL}),
    ("regional:applications", _("Applications"), REGIONAL | {Role.MUNICIPAL}),
    ("regional:kpis", _("Indicators"), REGIONAL | {Role.MUNICIPAL}),
    ("regional:kpis-rating", _("Rating"), REGIONAL | {Role.MUNICIPAL}),
    ("regional:announcements", _("Announcements"), REGIONAL),
    ("regional:templates", _("Questionnaire templates"), REGIONAL),
    ("regional:survey-results", _("Survey results"), REGIONAL),
    ("regional:board", _("Supply and demand"), REGIONAL),
    ("regional:practices", _("Best practices"), REGIONAL | {Role.EMPLOYER}),
    ("regional:municipal-officers", _("Municipalities"), frozenset({Role.REGIONAL_ADMIN})),
    ("regional:audit", _("Audit log"), frozenset({Role.REGIONAL_ADMIN})),
    ("regional:settings", _("Settings"), frozenset({Role.REGIONAL_ADMIN})),
    ("regional:employer-offers", _("Our mentors"), frozenset({Role.EMPLOYER})),
    ("regional:employer-requests", _("Requests"), frozenset({Role.EMPLOYER})),
    ("regional:employer-placements", _("Placements"), frozenset({Role.EMPLOYER})),
]


class _LayoutUrls:
    """``{{ layout_urls.logout }}``: the base template's own links, each reversed once per
    process (``url_of``) and only when the template asks for it."""

    ROUTES: ClassVar[dict[str, str]] = {
        "set_language": "set_language",
        "two_factor_manage": "two-factor-manage",
        "logout": "logout",
    }

    def __init__(self, urlconf: str | None) -> None:
        self._urlconf = urlconf

    def __getitem__(self, key: str) -> str:
        return url_of(self.ROUTES[key], urlconf=self._urlconf)


@cache
def _menu(
    role: str, public: bool, urlconf: Any, prefix: str, language: str | None
) -> tuple[tuple[str, str], ...]:
    """The menu of a role on a layer: (address, label as HTML) of each entry, made once per
    process for the role, the URLconf, the script prefix and the language (the entries'
    labels are translated once, not on every page)."""
    entries = PUBLIC_NAV if public else TENANT_NAV
    items = []
    for name, label, allowed in entries:
        if role not in allowed:
            continue
        try:
            url = _reversed(name, urlconf, prefix, False)
        except NoReverseMatch:
            continue
        items.append((url, str(conditional_escape(str(label)))))
    return tuple(items)


def _menu_html(items: tuple[tuple[str, str], ...], path: str) -> SafeString:
    """The menu's ``<li>`` items, the page's own entry marked: its address is a prefix of the
    path (the home ``/`` only for itself)."""
    parts = []
    for url, label in items:
        if (path == url) if url == "/" else path.startswith(url):
            parts.append(
                f'<li class="nav-item"><a class="nav-link active" href="{escape(url)}"'
                f' aria-current="page">{label}</a></li>'
            )
        else:
            parts.append(
                f'<li class="nav-item"><a class="nav-link" href="{escape(url)}">{label}</a></li>'
            )
    return mark_safe("\n".join(parts))  # noqa: S308  # the addresses and labels escaped above


def navigation(request: HttpRequest) -> dict[str, Any]:
    """Context processor: the menu of the signed-in user's role (``nav_html``, its items'
    HTML made once per role and language: ``_menu``), the institution's name."""
    user = getattr(request, "user", None)
    tenant = getattr(request, "tenant", None)
    public = is_public(request)
    urlconf = getattr(request, "urlconf", None)
    context: dict[str, Any] = {
        "nav_html": "",
        "site_name": getattr(tenant, "short_name", "") or settings.REGIONAL_CENTRE_NAME,
        "is_public_host": public,
        # the layout's own links, reversed once per process like the menu's
        "layout_urls": _LayoutUrls(urlconf),
    }
    if user is None or not user.is_authenticated:
        return context
    # The role only: the menu needs no actor's scope (a mentor's own participant id is a
    # query; pages that need the actor build it themselves, once per request).
    items = _menu(role_of(user), public, _urlconf(urlconf), get_script_prefix(), get_language())
    context["nav_html"] = _menu_html(items, request.path)
    return context
