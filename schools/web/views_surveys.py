"""Pages of the questionnaires: campaigns with their results for the staff, "my questionnaires"
and the answering page for mentors and mentees, and the page of a personal one-time link
(no sign-in). Thin: forms parse, monitoring services write, selectors read. Lookups by id go
through the caller's scope, so "missing" and "not yours" are one 404; a link's token is looked
up in the host's schema only."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, ClassVar

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.actor import actor_of
from accounts.models import Role
from config.pages import (
    COORDINATOR,
    COORDINATOR_AND_CURATORS,
    STAFF,
    ObjectPage,
    add_service_errors,
    is_public,
    role_required,
)
from regional.questionnaires import api as templates
from regional.survey_results import api as survey_results
from schools.monitoring import access as monitoring_access
from schools.monitoring import exports, selectors, services
from schools.monitoring.models import (
    CampaignStatus,
    Question,
    ResponseChannel,
    ResponseStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    TargetKind,
)
from schools.pairs import selectors as pair_selectors
from schools.participants import selectors as participant_selectors
from schools.participants.models import StudyGroup
from schools.programmes import selectors as programme_selectors
from schools.web.forms_surveys import (
    PAGE_TARGETS,
    AdoptForm,
    AnswerForm,
    CampaignForm,
    LocalQuestionnaireForm,
    QuestionRows,
    initial_answers,
)
from tenants.api import current_institution

# People who answer their own questionnaires when signed in (their list); the answering page
# takes any role and finds only the user's own invitations (others' ids are one 404).
ANSWERERS = frozenset({Role.MENTOR, Role.MENTEE, Role.PARENT})
# Curators and the coordinator answer the curator's checklist (a campaign of target "staff").
STAFF_ANSWERERS = frozenset({Role.COORDINATOR, Role.CURATOR})
EVERYONE = frozenset(Role)


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="tenant")


def _is_coordinator(request: HttpRequest) -> bool:
    return actor_of(request).role == Role.COORDINATOR


# --- campaigns (staff) ---------------------------------------------------------------------------


PAIR_CHOICES_LIMIT = 1000


def _questionnaire_choices() -> list[tuple[int, str]]:
    # two columns: not the questionnaires with every question prefetched (the list beside
    # the form reads those once)
    return list(selectors.questionnaire_list().prefetch_related(None).values_list("pk", "title"))


def _study_group_choices(groups: QuerySet[StudyGroup]) -> list[tuple[int, str]]:
    # two columns: not the classes with their curators (every column of 60 users)
    return list(groups.select_related(None).values_list("pk", "name"))


def _campaign_form(data: Any = None) -> CampaignForm:
    # Choices only: three columns of each pair, not pairs with their members. A new form
    # fetches the pairs when «a pair or group» is chosen (campaign_pair_choices); a posted
    # one is checked against them and shown again with them.
    lazy = data is None
    return CampaignForm(
        data,
        questionnaires=_questionnaire_choices(),
        pairs=() if lazy else pair_selectors.pair_choices(limit=PAIR_CHOICES_LIMIT),
        study_groups=_study_group_choices(participant_selectors.study_group_list()),
        pairs_url=reverse("school:campaign-pair-choices") if lazy else None,
    )


@require_safe
@page(COORDINATOR)
def campaign_pair_choices(request: HttpRequest) -> HttpResponse:
    """The options of the new campaign's «pair or group» select (HTMX): the active pairs."""
    options = format_html_join(
        "",
        '<option value="{}">{}</option>',
        pair_selectors.pair_choices(limit=PAIR_CHOICES_LIMIT),
    )
    return HttpResponse(format_html('<option value="">—</option>{}', options))


def _campaigns_page(
    request: HttpRequest,
    *,
    adopt_form: AdoptForm | None = None,
    campaign_form: CampaignForm | None = None,
    status: int = 200,
) -> HttpResponse:
    coordinator = _is_coordinator(request)
    runs = monitoring_access.can_run_campaigns(actor_of(request))
    context: dict[str, Any] = {
        "campaigns": monitoring_access.campaigns_visible_to(
            actor_of(request), selectors.campaign_list_with_counts()
        )[:100],
        "questionnaires": selectors.questionnaire_rows(),
        "can_manage": coordinator,
        "can_run": runs,
    }
    if coordinator:
        context["adopt_form"] = adopt_form or AdoptForm(offers=templates.published_versions())
    if runs:
        context["campaign_form"] = campaign_form or _run_form(request)
    return render(request, "school/surveys_campaigns.html", context, status=status)


def _run_form(request: HttpRequest, data: Any = None) -> CampaignForm:
    """The new campaign's form for the user: a curator surveys one of its own classes."""
    if actor_of(request).role != Role.CURATOR:
        return _campaign_form(data)
    own = participant_selectors.study_group_list().filter(curator_id=request.user.pk)
    return CampaignForm(
        data,
        questionnaires=_questionnaire_choices(),
        study_groups=_study_group_choices(own),
        targets=[c for c in PAGE_TARGETS if c[0] == TargetKind.STUDY_GROUP],
    )


@require_safe
@page(STAFF)
def campaigns(request: HttpRequest) -> HttpResponse:
    return _campaigns_page(request)


@require_POST
@page(COORDINATOR)
def questionnaire_adopt(request: HttpRequest) -> HttpResponse:
    form = AdoptForm(request.POST, offers=templates.published_versions())
    if form.is_valid():
        try:
            questionnaire = services.questionnaire_adopt(
                version_id=form.cleaned_data["template_version"],
                title=form.cleaned_data["title"],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(
                request,
                _("The questionnaire «%(title)s» is adopted.") % {"title": questionnaire.title},
            )
            return redirect("school:campaigns")
    return _campaigns_page(request, adopt_form=form, status=400)


def _row_errors(rows: Any, codes: dict[str, Any], problems: dict[str, list[str]]) -> list[str]:
    """Put the service's problems of each question ("field: message" under the question's
    code) next to that row's fields; the rest is returned for the top of the page."""
    rest: list[str] = []
    for key, messages_ in problems.items():
        row = codes.get(key)
        if row is None:
            rest.extend(messages_)
            continue
        for message in messages_:
            field, _sep, text = message.partition(": ")
            row.add_error(field if text and field in row.fields else None, text or message)
        row.mark_errors()
    return rest


@require_http_methods(["GET", "HEAD", "POST"])
@page(COORDINATOR)
def questionnaire_create(request: HttpRequest) -> HttpResponse:
    """A questionnaire written by the institution: a title, a purpose and up to eight
    questions (conditions and further questions can be added through the API)."""
    if request.method != "POST":
        return render(
            request,
            "school/surveys_questionnaire_form.html",
            {"blank_fields": questionnaire_blank_fields(), "errors": []},
        )
    form = LocalQuestionnaireForm(request.POST or None)
    rows = QuestionRows(request.POST or None, prefix="q")
    errors: list[str] = []
    if form.is_valid() and rows.is_valid():
        given = [row for row in rows if row.cleaned_data and not row.is_blank()]
        codes = {f"q{number}": row for number, row in enumerate(given, 1)}
        try:
            questionnaire = services.questionnaire_create_local(
                title=form.cleaned_data["title"],
                purpose=form.cleaned_data["purpose"],
                growth_phase=form.cleaned_data["growth_phase"],
                intro=form.cleaned_data["intro"],
                questions=[row.question(code) for code, row in codes.items()],
                actor=actor_of(request),
            )
        except ValidationError as exc:
            problems = exc.message_dict
            own = {k: v for k, v in problems.items() if k in form.fields}
            if own:
                add_service_errors(form, ValidationError(own))
            rest = {k: v for k, v in problems.items() if k not in own}
            errors = _row_errors(rows, codes, rest)
        else:
            messages.success(
                request,
                _("The questionnaire «%(title)s» is created.") % {"title": questionnaire.title},
            )
            return redirect("school:campaigns")
    for row in rows:
        row.mark_errors()
    return render(
        request,
        "school/surveys_questionnaire_form.html",
        {"form": form, "rows": rows, "errors": errors},
        status=400,
    )


# language → the blank fields of a new questionnaire: the same for every school and user (no
# value, no choice read from the database), so written once per process and language.
_BLANK_FIELDS: dict[str | None, SafeString] = {}


def questionnaire_blank_fields() -> SafeString:
    """The fields of a new local questionnaire, blank (its title, purpose and eight question
    rows: fifty controls whose template cost most of the page), as
    ``school/surveys_questionnaire_fields.html`` writes them for unbound forms."""
    language = translation.get_language()
    html = _BLANK_FIELDS.get(language)
    if html is None:
        html = _BLANK_FIELDS[language] = mark_safe(  # noqa: S308  # a template's output
            render_to_string(
                "school/surveys_questionnaire_fields.html",
                {"form": LocalQuestionnaireForm(), "rows": QuestionRows(prefix="q")},
            )
        )
    return html


@require_POST
@page(COORDINATOR_AND_CURATORS)
def campaign_create(request: HttpRequest) -> HttpResponse:
    form = _run_form(request, request.POST)
    if form.is_valid():
        data = form.cleaned_data
        questionnaire = selectors.questionnaire_list().filter(pk=data["questionnaire"]).first()
        programme = programme_selectors.programme_current()
        try:
            if questionnaire is None:
                raise ValidationError({"questionnaire": [_("No such questionnaire.")]})
            campaign = services.campaign_create(
                questionnaire=questionnaire,
                title=data["title"],
                target=services.Target(
                    kind=data["target_kind"],
                    form=data.get("target_form") or "",
                    pair_id=data.get("target_pair"),
                    study_group_id=data["target_study_group"],
                ),
                opens_on=data["opens_on"],
                closes_on=data["closes_on"],
                programme_id=programme.pk if programme else None,
                actor=actor_of(request),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("The campaign is created: check it and launch it."))
            return redirect("school:campaign", pk=campaign.pk)
    return _campaigns_page(request, campaign_form=form, status=400)


class _CampaignPage(ObjectPage):
    """A page of one campaign the user may see (``schools.monitoring.access``: a curator
    those of its classes and those it created; "missing" and "not yours" are one 404); a
    write (launch, remind, close) needs the right to manage it (403 otherwise)."""

    access_by_id = staticmethod(monitoring_access.access_campaign_by_id)

    def object_queryset(self) -> QuerySet[SurveyCampaign]:
        # not ``campaign_list_with_counts``: a campaign's pages count from its results
        return selectors.campaign_list()


def _charts(results: dict[str, Any]) -> list[dict[str, Any]]:
    """Per counted question: the chart's labels and counts (also its table and XLSX)."""
    return [
        {
            "id": f"chart-{index}",
            "data_id": f"chart-{index}-data",
            "code": q["code"],
            "labels": [item["label"] for item in q["distribution"]],
            "counts": [item["count"] for item in q["distribution"]],
        }
        for index, q in enumerate(results["questions"])
        if q["distribution"] is not None
    ]


def _growth(request: HttpRequest, campaign: SurveyCampaign) -> dict[str, Any] | None:
    """Growth between two waves, for a campaign of a questionnaire answered after the
    programme: the earlier campaigns to compare with and, once one is chosen, the result."""
    if campaign.questionnaire.growth_phase != templates.GrowthPhase.AFTER:
        return None
    befores = selectors.campaign_list().filter(
        questionnaire__growth_phase=templates.GrowthPhase.BEFORE
    )
    chosen = request.GET.get("before", "")
    out: dict[str, Any] = {"befores": befores, "chosen": chosen, "result": None, "errors": []}
    before = befores.filter(pk=int(chosen)).first() if chosen.isdigit() else None
    if before is not None:
        try:
            out["result"] = selectors.growth(before=before, after=campaign)
        except ValidationError as exc:
            out["errors"] = exc.messages
    elif chosen:
        out["errors"] = [_("Choose the campaign answered before.")]
    return out


def _region(campaign: SurveyCampaign) -> dict[str, Any]:
    """The other institutions' published numbers for the regional questions of an adopted
    questionnaire (aggregated and suppressed; never one institution alone), by question code."""
    institution = current_institution()
    if not campaign.questionnaire.is_adopted or institution is None:
        return {}
    return survey_results.peer_summary(
        template_code=campaign.questionnaire.template_code,
        academic_year=campaign.academic_year,
        exclude_institution_id=institution.id,
    )


class CampaignDetail(_CampaignPage):
    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _campaign_detail(request, self.object)


campaign_detail = CampaignDetail.as_view()


def _distribution_rows(distribution: list[dict[str, Any]] | None) -> SafeString:
    """A chart's table rows (answer, count), written here: a dozen questions of ten answers
    each were a hundred rows through the template."""
    return format_html_join(
        "",
        '<tr><td>{}</td><td class="text-end">{}</td></tr>',
        ((item["label"], item["count"]) for item in distribution or ()),
    )


def _campaign_detail(request: HttpRequest, campaign: SurveyCampaign) -> HttpResponse:
    coordinator = _is_coordinator(request)
    results = selectors.campaign_results(campaign, open_answers=coordinator)
    charts = _charts(results)
    by_code = {chart["code"]: chart for chart in charts}
    region = _region(campaign)
    return render(
        request,
        "school/surveys_campaign.html",
        {
            "campaign": campaign,
            "results": results,
            "questions": [
                {
                    **q,
                    "chart": by_code.get(q["code"]),
                    "region": region.get(q["code"]),
                    "table_rows": _distribution_rows(q["distribution"]),
                }
                for q in results["questions"]
            ],
            "compares_with_region": bool(campaign.questionnaire.is_adopted),
            "min_peers": survey_results.MIN_PEER_INSTITUTIONS,
            "charts": charts,
            "growth": _growth(request, campaign),
            "can_manage": monitoring_access.can_manage_campaign(actor_of(request), campaign),
            "accepts_answers": services.campaign_accepts_answers(campaign),
        },
    )


class CampaignOpen(_CampaignPage):
    """Launch (or launch again after a failure): a large group is prepared by the worker while
    the campaign's page shows the progress."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.object
        try:
            result = services.campaign_launch(campaign=campaign, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            if result.queued:
                text = _(
                    "The campaign is being launched: the invitations are prepared and sent in "
                    "the background."
                )
            else:
                text = _("The campaign is launched: %(invited)d people are invited by e-mail.") % {
                    "invited": result.invited
                }
            if result.without_consent:
                text += " " + _("Not invited for lack of valid consent: %(count)d.") % {
                    "count": result.without_consent
                }
            messages.success(request, text)
        return redirect("school:campaign", pk=campaign.pk)


class CampaignLaunchProgress(_CampaignPage):
    """The launch's progress bar, polled by HTMX while the worker prepares the invitations;
    when the launch ends (open, or failed with its reason) the page reloads."""

    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.object
        launching = campaign.status == CampaignStatus.LAUNCHING
        response = render(
            request,
            "school/surveys_launch_progress.html",
            {"campaign": campaign, "launching": launching},
        )
        if not launching:
            response["HX-Refresh"] = "true"
        return response


campaign_launch_progress = CampaignLaunchProgress.as_view()


class _CampaignAction(_CampaignPage):
    """Run ``action(campaign=..., actor=...)`` on a campaign the user manages; its refusal or
    ``success`` is shown as a message on the campaign's page."""

    roles = COORDINATOR_AND_CURATORS
    http_method_names = ["post"]
    action: ClassVar[Callable[..., Any]]
    success: ClassVar[Any]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        campaign = self.object
        try:
            type(self).action(campaign=campaign, actor=self.actor)
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, str(type(self).success))
        return redirect("school:campaign", pk=campaign.pk)


class CampaignClose(_CampaignAction):
    action = staticmethod(services.campaign_close)
    success = gettext_lazy("The campaign is closed: answers are no longer accepted.")


class CampaignRemind(_CampaignAction):
    action = staticmethod(services.campaign_remind)
    success = gettext_lazy("Reminders are being sent to those who have not answered.")


campaign_open = CampaignOpen.as_view()
campaign_close = CampaignClose.as_view()
campaign_remind = CampaignRemind.as_view()


class CampaignXlsx(_CampaignPage):
    """The results as XLSX: one chart's data (``?question=<code>``) or the whole campaign (for
    the coordinator with every response)."""

    roles = STAFF
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _campaign_xlsx(request, self.object)


campaign_xlsx = CampaignXlsx.as_view()


def _campaign_xlsx(request: HttpRequest, campaign: SurveyCampaign) -> HttpResponse:
    code = request.GET.get("question", "")
    if code:
        content = exports.question_xlsx(campaign, code=code)
        if content is None:
            raise Http404
        filename = f"survey-{campaign.pk}-{code}.xlsx"
    else:
        content = exports.campaign_xlsx(campaign, with_answers=_is_coordinator(request))
        filename = f"survey-{campaign.pk}.xlsx"
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- answering -----------------------------------------------------------------------------------


def _response_of(invitation: SurveyInvitation) -> SurveyResponse | None:
    """The invitation's response (read with it when the lookup selected it), or None."""
    try:
        return invitation.response
    except SurveyResponse.DoesNotExist:
        return None


def _status(invitation: SurveyInvitation, response: SurveyResponse | None) -> str:
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        return "answered"
    if not services.campaign_accepts_answers(invitation.campaign):
        return "closed"
    return "draft" if response is not None else "to_answer"


def _status_labels() -> dict[str, str]:
    return {
        "to_answer": _("to answer"),
        "draft": _("draft saved"),
        "answered": _("answered"),
        "closed": _("closed"),
    }


@require_safe
@page(ANSWERERS | STAFF_ANSWERERS)
def my_surveys(request: HttpRequest) -> HttpResponse:
    labels = _status_labels()
    rows = []
    for invitation in selectors.invitations_of_user(actor_of(request)):
        status = _status(invitation, getattr(invitation, "response", None))
        rows.append({"invitation": invitation, "status": status, "label": labels[status]})
    return render(request, "school/surveys_mine.html", {"rows": rows})


def _answer_page(
    request: HttpRequest,
    invitation: SurveyInvitation,
    *,
    channel: str,
    done_url: str | None,
) -> HttpResponse:
    """The questionnaire as a form: GET shows it with the saved draft; POST saves a draft
    (``action=draft``) or submits. Errors are shown next to the questions with status 400."""
    campaign = invitation.campaign
    questionnaire = campaign.questionnaire
    questions = services.questions_of(questionnaire, campaign=campaign)
    response = _response_of(invitation)
    status = _status(invitation, response)
    editable = status in ("to_answer", "draft")
    form: AnswerForm | None
    if request.method == "POST" and editable:
        form = AnswerForm(request.POST, questions=questions)
        submit = request.POST.get("action") != "draft"
        if form.is_valid():
            answers = services.answers_shown(questionnaire, form.answers())
            try:
                if submit:
                    services.response_submit(
                        invitation=invitation, answers=answers, channel=channel
                    )
                else:
                    services.response_save_draft(
                        invitation=invitation, answers=answers, channel=channel
                    )
            except ValidationError as exc:
                add_service_errors(form, exc)
            else:
                if not submit:
                    messages.success(request, _("The draft is saved: you may finish it later."))
                    return redirect(request.path)
                if done_url is None:  # a one-time link is used up: thank the person here
                    return render(request, "school/surveys_done.html", {"campaign": campaign})
                messages.success(request, _("Thank you! Your answers are submitted."))
                return redirect(done_url)
        http_status = 400
        questions_html = _questions_html(form, editable=editable)
    else:
        initial = initial_answers(questions, response.answers if response else {})
        # A new form's questions as written for the whole class (``_questions_html``): no form
        # is built to write them again; the page then shows no form errors (there are none).
        cached = None if initial else _NEW_FORMS.get(_new_form_key(questions, editable))
        if cached is not None:
            form, questions_html = None, cached
        else:
            form = AnswerForm(questions=questions, initial=initial)
            questions_html = _questions_html(form, editable=editable)
        http_status = 200 if request.method != "POST" else 400
        if request.method == "POST":
            messages.error(request, _("This questionnaire no longer takes answers."))
    return render(
        request,
        "school/surveys_answer.html",
        {
            "campaign": campaign,
            "questionnaire": questionnaire,
            "form": form,  # None: a new form's questions written before, no errors
            "questions_html": questions_html,
            "status": status,
            "status_label": _status_labels()[status],
            "editable": editable,
            "response": response,
            "signed_in": channel == ResponseChannel.SIGNED_IN,
        },
        status=http_status,
    )


# The questions of a new form, as written for everyone answering the questionnaire (see
# _questions_html); a few questionnaires are answered at a time, so a small table suffices.
_NEW_FORMS: dict[tuple[Any, ...], SafeString] = {}
_NEW_FORMS_MAX = 64


def _questions_html(form: AnswerForm, *, editable: bool) -> SafeString:
    """The questions' fieldsets (``school/surveys_questions.html``). Those of a new form (not
    bound, no draft: nothing checked, no errors) are the same for every pupil of a class
    answering the questionnaire at once: written once per process, keyed by all they show
    (every question's shown fields, the language, whether the form is editable), so a
    changed question is another key, never a stale page."""
    key: tuple[Any, ...] | None = None
    if not form.is_bound and not form.initial:
        key = _new_form_key(form.questions, editable)
        cached = _NEW_FORMS.get(key)
        if cached is not None:
            return cached
    html = render_to_string(
        "school/surveys_questions.html", {"items": form.items(), "editable": editable}
    )
    if key is not None:
        if len(_NEW_FORMS) >= _NEW_FORMS_MAX:
            _NEW_FORMS.clear()
        _NEW_FORMS[key] = html
    return html


def _new_form_key(questions: list[Question], editable: bool) -> tuple[Any, ...]:
    """The key of a new form's questions in ``_NEW_FORMS``: all they show."""
    return (translation.get_language(), editable, *(_shown(q) for q in questions))


def _shown(question: Question) -> tuple[Any, ...]:
    """What the form and the template show of a question (its field, labels and condition)."""
    return (
        question.code,
        question.text,
        question.help_text,
        question.kind,
        question.required,
        question.min_value,
        question.max_value,
        question.min_label,
        question.max_label,
        json.dumps(question.options, sort_keys=True, ensure_ascii=False),
        question.condition_question,
        question.condition_value,
    )


class MySurvey(ObjectPage):
    """Answer one's own invitation, signed in (anyone else's is a 404)."""

    roles = EVERYONE
    access_by_id = staticmethod(monitoring_access.access_invitation_by_id)

    def object_queryset(self) -> QuerySet[SurveyInvitation]:
        return selectors.invitations_of_user(self.actor)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _answer_page(
            request,
            self.object,
            channel=ResponseChannel.SIGNED_IN,
            done_url=reverse("school:my-surveys"),
        )


my_survey = MySurvey.as_view()


@require_http_methods(["GET", "HEAD", "POST"])
def survey_link(request: HttpRequest, token: str) -> HttpResponse:
    """Answering through a personal one-time link, without signing in. The token is looked up
    by its hash in this institution's schema only: another institution's token is not found
    here (404). Once the answers are submitted the link is used up (410)."""
    if is_public(request):
        raise Http404
    invitation = services.invitation_by_token(token)
    if invitation is None:
        raise Http404
    response = _response_of(invitation)
    if response is not None and response.status == ResponseStatus.SUBMITTED:
        return render(
            request,
            "school/surveys_done.html",
            {"campaign": invitation.campaign, "used": True},
            status=410,
        )
    return _answer_page(request, invitation, channel=ResponseChannel.LINK, done_url=None)
