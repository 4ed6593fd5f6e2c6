"""Bases at class scale: the classes and study groups with their curators and numbers, a
class's page (its pupils with their consent and base state), the paper consents a class
returned recorded in one screen, and a parent's consent given online through a one-time link.

Thin: the rules live in ``schools.participants`` (classes, consents, search); a curator sees
and works with its own classes only (another class is a 404, like a missing one)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.request import split_domain_port
from django.middleware.csrf import get_token
from django.shortcuts import redirect, render
from django.utils import dateformat, timezone
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.actor import actor_of
from accounts.models import Role, User
from config.pages import (
    COORDINATOR,
    COORDINATOR_AND_CURATORS,
    STAFF,
    ObjectPage,
    add_service_errors,
    is_public,
    role_required,
    url_with_id,
)
from schools.participants import access as participant_access
from schools.participants import api as participants_api
from schools.participants import classes as class_services
from schools.participants import consents as consent_services
from schools.participants import search
from schools.participants import selectors as participant_selectors
from schools.participants.consent_texts import consent_text
from schools.participants.models import Participant, StudyGroup, full_name_of
from schools.web.forms_classes import (
    ClassCreateForm,
    ClassCuratorsForm,
    ClassPapersForm,
    ConsentLinkForm,
    OnlineConsentForm,
    PaperRow,
)
from schools.web.labels import consent_labels
from schools.web.templatetags.web_forms import consent_badge


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="tenant")


def _people(request: HttpRequest) -> QuerySet[Participant]:
    return participant_selectors.participants_visible_to(
        actor_of(request), Participant.objects.select_related("study_group")
    )


class _ClassPage(ObjectPage):
    """A page of one class (``schools.participants.access.access_study_group_by_id``: a
    curator its own classes, another class is a 404 like a missing one)."""

    access_by_id = staticmethod(participant_access.access_study_group_by_id)

    def object_queryset(self) -> QuerySet[StudyGroup]:
        return StudyGroup.objects.select_related("curator")


def _curators() -> list[tuple[int, str]]:
    users = User.objects.filter(role=Role.CURATOR, is_active=True).order_by(
        "last_name", "first_name", "username"
    )
    return [(user.pk, user.get_full_name() or user.username) for user in users]


# --- the classes ---------------------------------------------------------------------------------


def _classes_page(
    request: HttpRequest,
    *,
    create_form: ClassCreateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    groups = class_services.sorted_groups(class_services.study_groups_visible_to(actor_of(request)))
    summaries = search.class_summaries(_people(request), groups=groups)
    coordinator = class_services.can_manage_classes(actor=actor_of(request))
    context: dict[str, Any] = {
        "summaries": summaries,
        "rows": _summary_rows(summaries),
        "can_manage": coordinator,
        "without_class": _people(request).filter(study_group__isnull=True).count(),
    }
    if coordinator:
        context["create_form"] = create_form or ClassCreateForm()
    return render(request, "school/classes_list.html", context, status=status)


_SUMMARY_ROW = (
    '<tr data-class="{name}"><th scope="row"><a href="{url}">{name}</a></th><td>{curator}</td>'
    '<td class="text-end">{people}</td><td class="text-end">{valid}{share}</td>'
    '<td class="text-end{lacking_css}">{lacking}</td><td class="text-end">{mentees}</td>'
    '<td class="text-end">{mentors}</td></tr>\n'
)


def _summary_rows(summaries: list[search.ClassSummary]) -> SafeString:
    """The table's rows, written here for all the classes at once: the template's cells (a
    link, the curator's name, the share) cost a large school's list (60 classes) more than its
    query did."""
    class_url = url_with_id("school:class")
    none = format_html('<span class="text-body-secondary">{}</span>', _("none"))
    rows = []
    for s in summaries:
        curator = s.group.curator
        share = (
            format_html(' <span class="small text-body-secondary">({}%)</span>', s.consent_share)
            if s.people
            else ""
        )
        rows.append(
            format_html(
                _SUMMARY_ROW,
                name=s.group.name,
                url=class_url(s.group.pk),
                curator=(curator.get_full_name() or curator.username) if curator else none,
                people=s.people,
                valid=s.consent_valid,
                share=share,
                lacking_css=" text-danger" if s.consent_lacking else "",
                lacking=s.consent_lacking,
                mentees=s.mentees,
                mentors=s.mentors,
            )
        )
    return mark_safe("".join(rows))  # noqa: S308  # each row escaped by format_html


@require_http_methods(["GET", "HEAD", "POST"])
@page(STAFF)
def classes(request: HttpRequest) -> HttpResponse:
    """The classes with their curators and numbers (people, consents, bases); the coordinator
    adds classes here (and appoints their curators on ``classes_curators``)."""
    if request.method != "POST":
        return _classes_page(request)
    if not class_services.can_manage_classes(actor=actor_of(request)):
        return render(request, "403.html", status=403)
    form = ClassCreateForm(request.POST)
    if form.is_valid():
        try:
            created = class_services.study_groups_create_many(
                names=form.cleaned_data["names"], actor=actor_of(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Classes added: %(count)d.") % {"count": len(created)})
            return redirect("school:classes")
    return _classes_page(request, create_form=form, status=400)


@require_http_methods(["GET", "HEAD", "POST"])
@page(COORDINATOR)
def classes_curators(request: HttpRequest) -> HttpResponse:
    """The curators of every class, in one submit. Its own page: a select per class, each
    listing every curator, is most of a large school's classes page (260 KiB) and is
    needed only when the curators change."""
    groups = class_services.sorted_groups(class_services.study_groups_visible_to(actor_of(request)))
    form = ClassCuratorsForm(
        request.POST if request.method == "POST" else None, groups=groups, curators=_curators()
    )
    if request.method == "POST" and form.is_valid():
        try:
            changed = class_services.study_groups_set_curators(
                assignments=form.assignments(), actor=actor_of(request)
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(
                request, _("Curators changed in %(count)d classes.") % {"count": len(changed)}
            )
            return redirect("school:classes")
    return render(
        request,
        "school/classes_curators.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


# --- a class -------------------------------------------------------------------------------------


def _guardians(child_ids: list[int]) -> dict[int, dict[str, str]]:
    """Child id → their first parent's name, e-mail and relation (to prefill forms); read as
    values (two people per link were built as model instances for three strings)."""
    out: dict[int, dict[str, str]] = {}
    links = (
        participant_selectors.guardianship_list()
        .filter(child_id__in=child_ids)
        .order_by("child_id", "pk")
        .values_list(
            "child_id",
            "parent__last_name",
            "parent__first_name",
            "parent__middle_name",
            "parent__email",
            "relation",
        )
    )
    for child_id, last_name, first_name, middle_name, email, relation in links:
        out.setdefault(
            child_id,
            {
                "name": full_name_of(last_name, first_name, middle_name),
                "email": email,
                "relation": relation,
            },
        )
    return out


class ClassDetail(_ClassPage):
    """A class's pupils, each with the consent state and the base it is in; links to record
    the papers the class returned and to send a parent the online consent."""

    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _class_detail(request, self.object)


class_detail = ClassDetail.as_view()


def roster_row_labels() -> dict[str, str]:
    """The words of a class's roster rows, in the active language (``roster_row_html``)."""
    return {
        "mentee": _("mentee"),
        "mentor": _("mentor"),
        "link_open": _("a link is open"),
        "email_label": _("E-mail of the parent (or of the adult participant)"),
        "email_placeholder": _("e-mail, or empty for a link"),
        "new_link": _("New link"),
        "consent_link": _("Consent link"),
    }


def roster_row_html(
    p: Participant, *, can_record: bool, csrf_token: str, labels: dict[str, str]
) -> SafeString:
    """A pupil's row of a class's page as the page's template wrote it (the loop's text
    around the ``<tr>``), written in Python once per row: the row's tags, links and the consent
    badge's loop were most of the page. ``p`` is a person of ``search.class_roster`` with
    ``guardian`` and ``needs_consent`` set by the page; links as ``{% url %}`` wrote them."""
    e = conditional_escape
    pk = int(p.pk)
    guardian: dict[str, str] | None = p.guardian  # type: ignore[attr-defined]
    born = dateformat.format(p.birth_date, "d.m.Y") if p.birth_date else ""
    parts = [
        f'\n    <tr data-person="{e(p.last_name)}"><td><a href="{e(_participant_url(pk))}">'
        f"{e(p.full_name)}</a>"
    ]
    if guardian:
        parts.append(f'<div class="small text-body-secondary">{e(guardian["name"])}</div>')
    parts.append(  # the badge's template ended in a newline
        f'</td><td class="text-nowrap">{e(born or "—")}</td>\n'
        f"      <td>{consent_badge(getattr(p, 'consent_state', ''))}\n</td>\n      <td>"
    )
    mentee, mentor = getattr(p, "in_mentee_base", False), getattr(p, "in_mentor_base", False)
    if mentee:
        parts.append(f'<span class="badge text-bg-info">{e(labels["mentee"])}</span> ')
    if mentor:
        parts.append(f'<span class="badge text-bg-primary">{e(labels["mentor"])}</span>')
    if not mentee and not mentor:
        parts.append('<span class="text-body-secondary">—</span>')
    parts.append("</td>\n      ")
    if can_record:
        parts.append("<td>")
        if p.needs_consent:  # type: ignore[attr-defined]
            open_request = getattr(p, "has_open_request", False)
            parts.append("\n        ")
            if open_request:
                parts.append(
                    '<span class="small text-body-secondary d-block">'
                    f"{e(labels['link_open'])}</span>"
                )
            email = e((guardian or {}).get("email") or "")
            button = labels["new_link"] if open_request else labels["consent_link"]
            parts.append(
                f'\n        <form method="post" action="{e(_consent_link_url(pk))}" '
                f'class="d-flex flex-wrap gap-1" data-testid="consent-link-{pk}">'
                f'<input type="hidden" name="csrfmiddlewaretoken" value="{e(csrf_token)}">\n'
                f'          <label class="visually-hidden" for="email-{pk}">'
                f"{e(labels['email_label'])}</label>\n"
                '          <input class="form-control form-control-sm" style="max-width: 14rem" '
                f'type="email" name="email" id="email-{pk}" value="{email}" '
                f'placeholder="{e(labels["email_placeholder"])}">\n'
                '          <button class="btn btn-outline-secondary btn-sm" type="submit">'
                f"{e(button)}</button>\n        </form>"
            )
        parts.append("</td>")
    parts.append("\n    </tr>\n  ")
    return mark_safe("".join(parts))  # noqa: S308  # every value escaped above


def _participant_url(pk: int) -> str:
    return url_with_id("school:participant")(pk)


def _consent_link_url(pk: int) -> str:
    return url_with_id("school:consent-link")(pk)


def _class_detail(request: HttpRequest, group: StudyGroup) -> HttpResponse:
    roster = list(search.class_roster(_people(request), group=group))
    guardians = _guardians([person.pk for person in roster])
    lacking = 0
    for person in roster:
        state = getattr(person, "consent_state", "")
        person.guardian = guardians.get(person.pk)  # type: ignore[attr-defined]
        person.needs_consent = (  # type: ignore[attr-defined]
            state not in participants_api.ConsentState.VALID_STATES
            and state != participants_api.ConsentState.ERASED
        )
        lacking += bool(person.needs_consent)  # type: ignore[attr-defined]
    summary = search.roster_summary(group, roster)
    can_record = actor_of(request).role in COORDINATOR_AND_CURATORS
    labels = roster_row_labels()
    token = get_token(request) if can_record and lacking else ""
    rows = "".join(
        roster_row_html(p, can_record=can_record, csrf_token=token, labels=labels) for p in roster
    )
    return render(
        request,
        "school/classes_detail.html",
        {
            "group": group,
            "roster": roster,
            "rows": mark_safe(rows),  # noqa: S308  # each row escaped by roster_row_html
            "summary": summary,
            "consent_labels": consent_labels(),
            "can_record": can_record,
            "lacking": lacking,
        },
    )


def _lacking_consent(request: HttpRequest, group: StudyGroup) -> list[Participant]:
    """The class's people whose consent is missing or no longer fits their age."""
    return list(search.class_lacking_consent(_people(request), group=group))


class ClassConsents(_ClassPage):
    """The paper consents a class returned, recorded in one submit: tick whose paper came
    back, check the signer; one date and method for all. Nothing is written unless every
    ticked row is right; the errors are shown next to the rows."""

    roles = COORDINATOR_AND_CURATORS

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _class_consents(request, self.object)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _class_consents(request, self.object)


class_consents = ClassConsents.as_view()


def _class_consents(request: HttpRequest, group: StudyGroup) -> HttpResponse:
    people = _lacking_consent(request, group)
    guardians = _guardians([person.pk for person in people])
    today = timezone.localdate()
    form = ClassPapersForm(request.POST or None, people=people, guardians=guardians, today=today)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            rows = form.papers()
            if not rows:
                form.add_error(None, _("Tick the people whose paper came back."))
            else:
                try:
                    participants_api.consents_record_many(
                        rows=[row for _person, row in rows], actor=actor_of(request)
                    )
                except participants_api.RowsValidationError as exc:
                    form.add_row_errors([person for person, _row in rows], exc.rows)
                else:
                    messages.success(
                        request,
                        _("Consents recorded: %(count)d.") % {"count": len(rows)},
                    )
                    return redirect("school:class", pk=group.pk)
    paper_rows = form.rows()
    return render(
        request,
        "school/classes_consents.html",
        {
            "group": group,
            "form": form,
            "rows": paper_rows,
            "paper_rows": paper_rows_html(paper_rows, labels=paper_row_labels()),
        },
        status=status,
    )


def paper_row_labels() -> dict[str, str]:
    """The words of the papers' rows, in the active language (``paper_rows_html``)."""
    return {
        "guardian": _("Parent or legal guardian (full name)"),
        "personally": _("signs personally"),
        "relation": _("Relation"),
        "minor_signed": _("The pupil signed too"),
    }


_PAPER_ROW = (
    '\n      <tr data-person="{last_name}"{danger}>\n'
    '        <td><div class="form-check mb-0">{returned}<label class="form-check-label" '
    'for="{returned_id}">{full_name}</label></div>\n'
    "          {errors}</td>\n"
    "        <td>{age}</td>\n"
    "        <td>{guardian}</td>\n"
    "        <td>{relation}</td>\n"
    "        <td>{minor}</td>\n"
    "      </tr>\n    "
)


def paper_rows_html(rows: list[PaperRow], *, labels: dict[str, str]) -> SafeString:
    """The rows of the papers' table as the page's template loop wrote them, written in Python
    once per row (the loop's lookups and the widgets' templates were most of the page); the
    controls are the form's own (``str`` of each bound field: its value, errors, attributes)."""
    e = conditional_escape
    out = []
    for row in rows:
        guardian_name, relation, minor = row.guardian_name, row.guardian_relation, row.minor_signed
        if guardian_name is not None:
            guardian = (
                f'<label class="visually-hidden" for="{e(guardian_name.id_for_label)}">'
                f"{e(labels['guardian'])}</label>{guardian_name}"
            )
        else:
            guardian = f'<span class="small text-body-secondary">{e(labels["personally"])}</span>'
        errors = ""
        if row.errors:
            said = "<br>".join(str(e(message)) for message in row.errors)
            errors = f'<div class="invalid-feedback d-block" role="alert">{said}</div>'
        out.append(
            _PAPER_ROW.format(
                last_name=e(row.person.last_name),
                danger=' class="table-danger"' if row.errors else "",
                returned=row.returned,
                returned_id=e(row.returned.id_for_label),
                full_name=e(row.person.full_name),
                errors=errors,
                age="—" if row.age is None else row.age,
                guardian=guardian,
                relation=(
                    f'<label class="visually-hidden" for="{e(relation.id_for_label)}">'
                    f"{e(labels['relation'])}</label>{relation}"
                    if relation is not None
                    else ""
                ),
                minor=(
                    '<div class="form-check mb-0">'
                    f'{minor}<label class="visually-hidden" for="{e(minor.id_for_label)}">'
                    f"{e(labels['minor_signed'])}</label></div>"
                    if minor is not None
                    else ""
                ),
            )
        )
    return mark_safe("".join(out))  # noqa: S308  # every value escaped above or by its widget


# --- a parent's consent online ------------------------------------------------------------------


class ConsentLink(ObjectPage):
    """A one-time link for a person's consent: mailed to the parent (or the adult person), or
    shown once to the staff member to pass on; for who may change the person's record."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]
    access_by_id = staticmethod(participant_access.access_participant_by_id)

    def object_queryset(self) -> QuerySet[Participant]:
        return Participant.objects.select_related("study_group")

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _consent_link(request, self.object)


consent_link = ConsentLink.as_view()


def _consent_link(request: HttpRequest, person: Participant) -> HttpResponse:
    form = ConsentLinkForm(request.POST)
    back = (
        redirect("school:class", pk=person.study_group_id)
        if person.study_group_id
        else redirect("school:participant", pk=person.pk)
    )
    if not form.is_valid():
        for errors in form.errors.values():
            for message in errors:
                messages.error(request, str(message))
        return back
    email = form.cleaned_data["email"]
    try:
        consent_request = consent_services.consent_request_create(
            participant_id=person.pk, email=email, actor=actor_of(request), send=bool(email)
        )
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
        return back
    if email:
        messages.success(
            request,
            _("The consent link for %(name)s is being sent to %(email)s.")
            % {"name": person.full_name, "email": email},
        )
    else:
        domain, _port = split_domain_port(request.get_host())  # site_url adds the port
        link = consent_services.consent_request_link(request=consent_request, host=domain)
        messages.success(
            request,
            _("The consent link for %(name)s (it works once): %(link)s")
            % {"name": person.full_name, "link": link},
        )
    return back


def _online_context(consent_request: Any) -> dict[str, Any]:
    from tenants.api import current_institution

    person = consent_request.participant
    age = person.age
    text = consent_text(purpose=consent_request.purpose)
    return {
        "person": person,
        "institution": current_institution(),
        "paragraphs": text.paragraphs if text else [],
        "text_version": text.version if text else "",
        "adult": age is not None and age >= 18,
        "teen": age is not None and 14 <= age < 18,
        "expires_at": consent_request.expires_at,
    }


@require_http_methods(["GET", "HEAD", "POST"])
def consent_online(request: HttpRequest, token: str) -> HttpResponse:
    """A parent (or an adult participant) reads the full text of the consent and gives it,
    through a one-time link, without signing in. The token is looked up in this institution's
    schema only; an unknown, used or expired link is a 404."""
    if is_public(request):
        raise Http404
    consent_request = consent_services.consent_request_get_valid(token=token)
    if consent_request is None:
        return _private(render(request, "school/consent_online_invalid.html", status=404))
    context = _online_context(consent_request)
    form = OnlineConsentForm(request.POST or None, adult=context["adult"], teen=context["teen"])
    if request.method == "POST" and form.is_valid():
        try:
            consent_services.consent_request_accept(
                token=token,
                signer_name=form.cleaned_data["signer_name"],
                guardian_relation=form.cleaned_data.get("guardian_relation") or "",
                minor_agrees=bool(form.cleaned_data.get("minor_agrees")),
                text_read=form.cleaned_data["text_read"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _private(
                render(
                    request,
                    "school/consent_online_done.html",
                    {"person": context["person"], "institution": context["institution"]},
                )
            )
    return _private(
        render(
            request,
            "school/consent_online.html",
            {**context, "form": form, "token": token},
            status=400 if request.method == "POST" else 200,
        )
    )


def _private(response: HttpResponse) -> HttpResponse:
    """A page at a secret link that names a child: never cached, and the link never leaves for
    another site in a Referer header (same-origin: the form's own POST keeps its Origin, which
    the CSRF check needs)."""
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "same-origin"
    return response
