"""Pages of the regional layer: the questionnaire template editor, the anonymous regional
survey results (charts, each with its table and its XLSX download) and the library of best
practices. Thin: reads through selectors, writes through ``regional.questionnaires.services``;
the rules (and their error messages) are the services' and the validation module's."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_safe

from accounts.actor import actor_of
from accounts.models import Role
from config.pages import REGIONAL, ObjectPage, add_service_errors, is_htmx, role_required
from regional.practices import access as practice_access
from regional.practices import selectors as practice_selectors
from regional.practices.models import PracticeCase
from regional.questionnaires import access as template_access
from regional.questionnaires import selectors, services
from regional.questionnaires.models import (
    CONDITION_SOURCE_KINDS,
    Question,
    QuestionKind,
    QuestionnaireTemplate,
    TargetRole,
    TemplateVersion,
    VersionStatus,
)
from regional.survey_results import selectors as result_selectors
from regional.survey_results.models import RegionalQuestionResult
from regional.web.forms_questionnaires import (
    FORM_LABELS,
    PracticeFilterForm,
    QuestionForm,
    ResultsFilterForm,
    TemplateCreateForm,
    TemplateUpdateForm,
    VersionForm,
    options_text,
)
from tenants.selectors import municipality_list

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PRACTICE_READERS = practice_access.READERS
REGIONAL_ADMIN = frozenset({Role.REGIONAL_ADMIN})


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="public")


# --- templates ------------------------------------------------------------------------------


@require_safe
@page(REGIONAL)
def templates(request: HttpRequest) -> HttpResponse:
    rows = []
    for template in selectors.template_list():
        versions: list[TemplateVersion] = getattr(template, "versions_desc", [])
        rows.append(
            {
                "template": template,
                "versions": versions,
                "draft": next((v for v in versions if v.is_draft), None),
                "published": selectors.latest_published(versions),
            }
        )
    return render(request, "regional/questionnaires_templates.html", {"rows": rows})


@require_http_methods(["GET", "HEAD", "POST"])
@page(REGIONAL)
def template_create(request: HttpRequest) -> HttpResponse:
    form = TemplateCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            template = services.template_create(**form.cleaned_data, actor=actor_of(request))
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            version = template.versions.get()
            return redirect("regional:template-version", pk=version.pk)
    return render(
        request,
        "regional/questionnaires_template_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


class TemplatePage(ObjectPage):
    """A page about one shared template (``regional.questionnaires.access``)."""

    roles = REGIONAL
    host_scope = "public"
    access_by_id = staticmethod(template_access.access_template_by_id)

    def object_queryset(self) -> QuerySet[QuestionnaireTemplate]:
        return selectors.template_list()


class VersionPage(ObjectPage):
    """A page about one version of a shared template (the editor of a draft)."""

    roles = REGIONAL
    host_scope = "public"
    http_method_names = ["post"]
    access_by_id = staticmethod(template_access.access_version_by_id)

    def object_queryset(self) -> QuerySet[TemplateVersion]:
        return selectors.version_list_with_questions()


class QuestionPage(ObjectPage):
    """A page about one question of a draft; ``self.version`` is its version."""

    roles = REGIONAL
    host_scope = "public"
    http_method_names = ["post"]
    access_by_id = staticmethod(template_access.access_question_by_id)
    version: TemplateVersion

    def object_queryset(self) -> QuerySet[Question]:
        return selectors.question_list()

    def check_object(self, obj: Question) -> None:
        self.version = template_access.access_version_by_id(
            self.actor, obj.version_id, queryset=selectors.version_list_with_questions()
        )


class TemplateUpdate(TemplatePage):
    """The template's catalogue data; its versions are untouched."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return self.post(request, pk)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _template_update(request, self.object)


def _template_update(request: HttpRequest, template: QuestionnaireTemplate) -> HttpResponse:
    form = TemplateUpdateForm(
        request.POST or None,
        initial={
            "title": template.title,
            "description": template.description,
            "target_roles": template.target_roles,
            "target_forms": template.target_forms,
        },
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.template_update(
                template=template, actor=actor_of(request), **form.cleaned_data
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            latest = template.versions.order_by("-number").first()
            if latest is None:
                return redirect("regional:templates")
            return redirect("regional:template-version", pk=latest.pk)
    return render(
        request,
        "regional/questionnaires_template_edit.html",
        {"form": form, "template": template},
        status=400 if form.errors else 200,
    )


# --- one version: the editor (draft) or the read-only page (published, retired) --------------


def _version_errors(exc: ValidationError) -> dict[str, list[str]]:
    """A service's refusal as errors by field; one without fields is about the version."""
    return exc.message_dict if hasattr(exc, "error_dict") else {"version": exc.messages}


def _sources(questions: list[Question], exclude: Question | None = None) -> list[tuple[str, str]]:
    """The questions a condition may refer to (yes/no and single choice)."""
    return [
        (q.code, f"{q.order}. {q.text[:60]}")
        for q in questions
        if q.kind in CONDITION_SOURCE_KINDS and (exclude is None or q.pk != exclude.pk)
    ]


def _question_initial(question: Question) -> dict[str, Any]:
    initial = {name: getattr(question, name) for name in services.QUESTION_FIELDS}
    initial["options"] = options_text(question.options)
    return initial


@dataclass
class Editor:
    """What the editor of a draft shows: the questions, the add form, the question being
    edited, and the problems that kept the version from being published (per question)."""

    version: TemplateVersion
    add_form: QuestionForm | None = None
    editing: int | None = None
    edit_form: QuestionForm | None = None
    publish_errors: dict[str, list[str]] = field(default_factory=dict)

    def context(self) -> dict[str, Any]:
        questions = list(self.version.questions.all())
        if self.add_form is None:
            self.add_form = QuestionForm(
                prefix="new", sources=_sources(questions), initial={"required": True}
            )
        rows = [
            {
                "question": q,
                "problems": self.publish_errors.get(q.code, []),
                "edit_form": self.edit_form if q.pk == self.editing else None,
                "kind_label": QuestionKind(q.kind).label if q.kind in QuestionKind.values else "",
            }
            for q in questions
        ]
        known = {q.code for q in questions}
        general = [m for key, ms in self.publish_errors.items() if key not in known for m in ms]
        if self.add_form.is_bound and not self.version.is_draft:
            general.extend(str(e) for e in self.add_form.non_field_errors())
        every = [m for ms in self.publish_errors.values() for m in ms]
        return {
            "version": self.version,
            "template": self.version.template,
            "rows": rows,
            "add_form": self.add_form,
            "general_errors": general,
            "all_errors": every if self.version.is_draft else [*every, *general],
            "question_count": len(questions),
        }


def _render_version(
    request: HttpRequest, editor: Editor, *, status: int = 200, version_form: Any = None
) -> HttpResponse:
    """The editor fragment for HTMX, else the whole page."""
    if is_htmx(request) and version_form is None:
        return render(
            request, "regional/questionnaires_editor.html", editor.context(), status=status
        )
    version = editor.version
    template = version.template
    context = editor.context()
    context.update(
        versions=template.versions.order_by("-number"),
        version_form=version_form
        or VersionForm(initial={"intro": version.intro, "change_note": version.change_note}),
        draft=template.versions.filter(status=VersionStatus.DRAFT).first(),
        can_retire=version.status == VersionStatus.PUBLISHED
        and template_access.may_retire_versions(actor_of(request)),
        form_labels=[str(FORM_LABELS.get(code, code)) for code in template.target_forms],
        role_labels=[
            str(TargetRole(r).label) if r in TargetRole.values else r for r in template.target_roles
        ],
    )
    return render(request, "regional/questionnaires_version.html", context, status=status)


def _fresh(version: TemplateVersion) -> TemplateVersion:
    """The version as stored now, with its questions (after a write)."""
    return selectors.version_list_with_questions().get(pk=version.pk)


def _done(request: HttpRequest, version: TemplateVersion) -> HttpResponse:
    """After a successful write: the fresh editor for HTMX, else back to the page."""
    if is_htmx(request):
        return _render_version(request, Editor(_fresh(version)))
    return redirect("regional:template-version", pk=version.pk)


class TemplateVersionPage(VersionPage):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _render_version(request, Editor(self.object))


class VersionUpdate(VersionPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _version_update(request, self.object)


def _version_update(request: HttpRequest, version: TemplateVersion) -> HttpResponse:
    form = VersionForm(request.POST)
    if form.is_valid():
        try:
            services.version_update(version=version, actor=actor_of(request), **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("regional:template-version", pk=version.pk)
    return _render_version(request, Editor(version), status=400, version_form=form)


def _version_action(
    request: HttpRequest, version: Any, action: Callable[..., Any]
) -> HttpResponse | None:
    """Run ``action(version=..., actor=...)``; its refusal is the editor again with the errors
    (400)."""
    try:
        action(version=version, actor=actor_of(request))
    except ValidationError as exc:
        errors = _version_errors(exc)
        return _render_version(request, Editor(version, publish_errors=errors), status=400)
    return None


class VersionPublish(VersionPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = _version_action(request, self.object, services.version_publish)
        if refused is not None:
            return refused
        return redirect("regional:template-version", pk=self.object.pk)


class VersionNew(TemplatePage):
    """A new draft of the template: a copy of its latest version."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _version_new(request, self.object)


def _version_new(request: HttpRequest, template: QuestionnaireTemplate) -> HttpResponse:
    existing = template.versions.filter(status=VersionStatus.DRAFT).first()
    if existing is not None:
        return redirect("regional:template-version", pk=existing.pk)
    try:
        draft = services.version_create_draft(template=template, actor=actor_of(request))
    except ValidationError:
        existing = template.versions.filter(status=VersionStatus.DRAFT).first()
        if existing is None:
            raise
        draft = existing
    return redirect("regional:template-version", pk=draft.pk)


class VersionRetire(VersionPage):
    """No longer offered to institutions (those that use it keep it): the regional
    administrator's decision, as in the API."""

    roles = REGIONAL_ADMIN

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = _version_action(request, self.object, services.version_retire)
        if refused is not None:
            return refused
        return redirect("regional:template-version", pk=self.object.pk)


class VersionDelete(VersionPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        refused = _version_action(request, self.object, services.version_delete_draft)
        if refused is not None:
            return refused
        return redirect("regional:templates")


class VersionPreview(VersionPage):
    http_method_names = ["get", "head"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _version_preview(request, self.object)


def _version_preview(request: HttpRequest, version: TemplateVersion) -> HttpResponse:
    questions = []
    for q in version.questions.all():
        scale: list[int] = []
        if q.kind == QuestionKind.SCALE and q.min_value is not None and q.max_value is not None:
            scale = list(range(q.min_value, q.max_value + 1))[:101]
        questions.append({"question": q, "scale": scale})
    return render(
        request,
        "regional/questionnaires_preview.html",
        {"version": version, "template": version.template, "questions": questions},
    )


# --- questions of a draft -------------------------------------------------------------------


class QuestionAdd(VersionPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _question_add(request, self.object)


def _question_add(request: HttpRequest, version: TemplateVersion) -> HttpResponse:
    questions = list(version.questions.all())
    form = QuestionForm(request.POST, prefix="new", sources=_sources(questions))
    if form.is_valid():
        try:
            services.question_add(
                version=version,
                actor=actor_of(request),
                position=form.cleaned_data.get("position"),
                **form.question_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, version)
    return _render_question_errors(request, version, add_form=form)


def _render_question_errors(
    request: HttpRequest,
    version: TemplateVersion,
    *,
    add_form: QuestionForm | None = None,
    edit_form: QuestionForm | None = None,
    question: Question | None = None,
) -> HttpResponse:
    editor = Editor(
        _fresh(version),
        add_form=add_form,
        editing=question.pk if question else None,
        edit_form=edit_form,
    )
    if question is not None and not is_htmx(request):
        return render(
            request,
            "regional/questionnaires_question_page.html",
            {"form": edit_form, "question": question, "version": version},
            status=400,
        )
    return _render_version(request, editor, status=400)


class QuestionEdit(QuestionPage):
    http_method_names = ["get", "head", "post"]

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _question_edit(request, self.object, self.version)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _question_edit(request, self.object, self.version)


def _question_edit(
    request: HttpRequest, question: Question, version: TemplateVersion
) -> HttpResponse:
    if not version.is_draft:
        return redirect("regional:template-version", pk=version.pk)
    sources = _sources(list(version.questions.all()), exclude=question)
    prefix = f"q{question.pk}"
    if request.method != "POST":
        form = QuestionForm(prefix=prefix, sources=sources, initial=_question_initial(question))
        context = {"form": form, "question": question, "version": version}
        if is_htmx(request):
            return render(request, "regional/questionnaires_question_form.html", context)
        return render(request, "regional/questionnaires_question_page.html", context)
    form = QuestionForm(request.POST, prefix=prefix, sources=sources)
    if form.is_valid():
        try:
            services.question_update(
                question=question,
                actor=actor_of(request),
                position=form.cleaned_data.get("position"),
                **form.question_fields(),
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return _done(request, version)
    return _render_question_errors(request, version, edit_form=form, question=question)


class QuestionMove(QuestionPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _question_move(request, self.object, self.version)


def _question_move(
    request: HttpRequest, question: Question, version: TemplateVersion
) -> HttpResponse:
    step = -1 if request.POST.get("direction") == "up" else 1
    position = max(1, question.order + step)
    try:
        services.question_update(question=question, position=position, actor=actor_of(request))
    except ValidationError as exc:
        errors = _version_errors(exc)
        keyed = {question.code: [m for ms in errors.values() for m in ms]}
        return _render_version(request, Editor(version, publish_errors=keyed), status=400)
    return _done(request, version)


class QuestionDelete(QuestionPage):
    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        return _question_delete(request, self.object, self.version)


def _question_delete(
    request: HttpRequest, question: Question, version: TemplateVersion
) -> HttpResponse:
    try:
        services.question_remove(question=question, actor=actor_of(request))
    except ValidationError as exc:
        errors = _version_errors(exc)
        keyed = {question.code: [m for ms in errors.values() for m in ms]}
        return _render_version(request, Editor(version, publish_errors=keyed), status=400)
    return _done(request, version)


# --- anonymous regional survey results ------------------------------------------------------


@dataclass
class ResultChart:
    """One question's results: the chart's data, its table (the same numbers, hidden cells
    named as such) and the institutions' cells."""

    key: str
    code: str
    text: str
    kind: str
    chart_kind: str  # "distribution" or "means"
    summary: dict[str, Any]
    table: list[dict[str, Any]]
    institutions: list[dict[str, Any]]

    @property
    def drawable(self) -> bool:
        """Anything to draw: a published number (else every cell is hidden)."""
        return any(row["value"] is not None for row in self.table)

    @property
    def data_id(self) -> str:
        return f"{self.key}-data"

    @property
    def data(self) -> dict[str, list[Any]]:
        """What the chart draws (read by questionnaires.js from a JSON script element)."""
        return {
            "labels": [row["label"] for row in self.table],
            "values": [row["value"] for row in self.table],
            "hidden": [row["hidden"] for row in self.table],
        }


def _value_label(value: str, kind: str, options: dict[str, Any]) -> str:
    if kind == QuestionKind.YES_NO:
        return {"yes": _("Yes"), "no": _("No")}.get(value, value)
    return str(options.get(value) or value)


def _question_texts(template_code: str) -> dict[str, Question]:
    """The questions of the template's newest version that has each code (codes are stable)."""
    found: dict[str, Question] = {}
    for version in selectors.version_list_with_questions().filter(
        template__code=template_code
    ):  # newest first
        for question in version.questions.all():
            found.setdefault(question.code, question)
    return found


def _result_charts(template_code: str, year: int) -> list[ResultChart]:
    rows = list(
        result_selectors.result_list().filter(template_code=template_code, academic_year=year)
    )
    summaries = {
        s["question_code"]: s
        for s in result_selectors.regional_summary(template_code=template_code, academic_year=year)
    }
    by_question: dict[str, list[RegionalQuestionResult]] = defaultdict(list)
    for row in rows:
        by_question[row.question_code].append(row)
    questions = _question_texts(template_code)
    order = {code: q.order for code, q in questions.items()}
    charts = []
    for code in sorted(by_question, key=lambda c: (order.get(c, 10**6), c)):
        cells = sorted(by_question[code], key=lambda r: r.institution.short_name)
        question = questions.get(code)
        kind = cells[0].question_kind
        options = {
            o["code"]: o.get("text", o["code"])
            for o in (question.options if question else [])
            if isinstance(o, dict) and "code" in o
        }
        institutions = [
            {
                "name": cell.institution.short_name,
                "respondents": cell.respondents,
                "mean": cell.mean,
                "suppressed": cell.suppressed,
                "distribution_hidden": not cell.suppressed
                and kind != QuestionKind.NUMBER
                and cell.distribution is None,
            }
            for cell in cells
        ]
        distributed = [c for c in cells if not c.suppressed and c.distribution]
        if kind == QuestionKind.NUMBER or (kind == QuestionKind.SCALE and not distributed):
            # numbers, and scales whose distributions are all hidden: each institution's mean
            chart_kind = "means"
            table = [
                {
                    "label": i["name"],
                    "value": i["mean"],
                    "hidden": 1 if i["suppressed"] else 0,
                    "at_least": None,
                }
                for i in institutions
            ]
        else:
            chart_kind = "distribution"
            totals: dict[str, int] = {}
            hidden: dict[str, int] = {}
            if question is not None and kind == QuestionKind.SCALE:
                low, high = question.min_value or 0, question.max_value or 0
                for value in range(low, high + 1):
                    totals[str(value)] = 0
            elif kind == QuestionKind.YES_NO:
                totals = {"yes": 0, "no": 0}
            else:
                totals = dict.fromkeys(options, 0)
            for cell in distributed:
                assert cell.distribution is not None
                for value, count in cell.distribution.items():
                    totals.setdefault(value, 0)
                    if count is None:
                        hidden[value] = hidden.get(value, 0) + 1
                    else:
                        totals[value] += int(count)
            # A value hidden anywhere has no known total: "hidden" (or "at least" the published
            # part), never a number that pretends to be the total, never 0.
            table = [
                {
                    "label": _value_label(value, kind, options),
                    "value": count if distributed and not hidden.get(value) else None,
                    "hidden": hidden.get(value, 0),
                    "at_least": count if hidden.get(value) and count else None,
                }
                for value, count in totals.items()
            ]
        charts.append(
            ResultChart(
                key=f"q-{code}",
                code=code,
                text=question.text if question else code,
                kind=kind,
                chart_kind=chart_kind,
                summary=summaries.get(code, {}),
                table=table,
                institutions=institutions,
            )
        )
    return charts


def _applied_k(template_code: str, year: int | None) -> int:
    """The minimum group size the shown rows were suppressed with (the current one if none)."""
    sizes = result_selectors.result_list().filter(
        template_code=template_code, academic_year=year or 0
    )
    applied = max(sizes.values_list("min_group_size", flat=True), default=None)
    return applied or result_selectors.min_group_size()


def _result_filters(request: HttpRequest) -> tuple[ResultsFilterForm, str, int | None]:
    codes = sorted(
        set(result_selectors.result_list().values_list("template_code", flat=True).distinct())
    )
    titles = dict(QuestionnaireTemplate.objects.filter(code__in=codes).values_list("code", "title"))
    years = sorted(
        set(result_selectors.result_list().values_list("academic_year", flat=True).distinct()),
        reverse=True,
    )
    form = ResultsFilterForm(
        request.GET or None,
        templates=[(c, titles.get(c, c)) for c in codes],
        years=years,
    )
    template_code, year = (codes[0] if codes else ""), (years[0] if years else None)
    if request.GET and form.is_valid():
        template_code = form.cleaned_data["template_code"] or template_code
        year = form.cleaned_data["academic_year"] or year
    elif not request.GET:
        form = ResultsFilterForm(
            initial={"template_code": template_code, "academic_year": year},
            templates=[(c, titles.get(c, c)) for c in codes],
            years=years,
        )
    return form, template_code, year


@require_safe
@page(REGIONAL)
def survey_results(request: HttpRequest) -> HttpResponse:
    form, template_code, year = _result_filters(request)
    if request.GET and form.errors:
        return render(
            request,
            "regional/questionnaires_results.html",
            {"form": form, "charts": [], "k": result_selectors.min_group_size()},
            status=400,
        )
    charts = _result_charts(template_code, year) if template_code and year else []
    template = QuestionnaireTemplate.objects.filter(code=template_code).first()
    return render(
        request,
        "regional/questionnaires_results.html",
        {
            "form": form,
            "charts": charts,
            "template_code": template_code,
            "template": template,
            "year": year,
            "k": _applied_k(template_code, year),
        },
    )


def _xlsx_bytes(chart: ResultChart, *, title: str, year: int, k: int) -> bytes:
    from openpyxl.styles import Font

    from config import spreadsheets

    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spreadsheets.sheet_title(chart.code)
    bold = Font(bold=True)
    # texts typed by people (questions, options, names) stay text, never a formula
    append = spreadsheets.append
    append(sheet, [title], font=bold)
    append(sheet, [chart.text])
    append(sheet, [f"{_('Academic year')}: {year}/{year + 1}"])
    append(sheet, [_("Cells from fewer than %(k)d answers are hidden.") % {"k": k}])
    append(sheet, [])
    if chart.chart_kind == "means":
        append(sheet, [_("Institution"), _("Answers"), _("Mean")], font=bold)
        for row in chart.institutions:
            if row["suppressed"]:
                append(sheet, [row["name"], _("hidden: small group"), _("hidden: small group")])
            else:
                append(sheet, [row["name"], row["respondents"], row["mean"]])
    else:
        append(sheet, [_("Answer"), _("Answers"), _("Institutions where hidden")], font=bold)
        for row in chart.table:
            if row["value"] is not None:
                value = row["value"]
            elif row["at_least"]:
                value = _("at least %(n)d (partly hidden)") % {"n": row["at_least"]}
            else:
                value = _("hidden: small group")
            append(sheet, [row["label"], value, row["hidden"]])
    sheet.column_dimensions["A"].width = 40
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 24
    return spreadsheets.workbook_bytes(workbook)


@require_safe
@page(REGIONAL)
def survey_results_xlsx(request: HttpRequest) -> HttpResponse:
    """The data of one chart (one question of the chosen template and year; by default the
    first) as XLSX."""
    form, template_code, year = _result_filters(request)
    if form.errors or year is None:
        raise Http404
    charts = _result_charts(template_code, year)
    code = request.GET.get("question", "")
    chart = next((c for c in charts if c.code == code), None) if code else next(iter(charts), None)
    if chart is None:
        raise Http404
    template = selectors.template_list().filter(code=template_code).first()
    content = _xlsx_bytes(
        chart,
        title=template.title if template else template_code,
        year=year,
        k=_applied_k(template_code, year),
    )
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="survey-{template_code}-{year}-{chart.code}.xlsx"'
    )
    return response


# --- best practices -------------------------------------------------------------------------


@require_safe
@page(PRACTICE_READERS)
def practices(request: HttpRequest) -> HttpResponse:
    municipalities = [(m.pk, m.name) for m in municipality_list()]
    form = PracticeFilterForm(request.GET or None, municipalities=municipalities)
    cases = PracticeCase.objects.none()
    status = 200
    if not request.GET:
        cases = practice_selectors.case_list()
    elif form.is_valid():
        cases = practice_selectors.case_list(
            query=form.cleaned_data["q"],
            form=form.cleaned_data["form"],
            municipality_id=form.cleaned_data["municipality"],
        )
    else:
        status = 400
    return render(
        request,
        "regional/practices_list.html",
        {
            "form": form,
            "cases": [
                {"case": case, "form_label": str(FORM_LABELS.get(case.form, case.form))}
                for case in cases[:100]
            ],
            "show_institution": getattr(request.user, "role", None) in REGIONAL,
        },
        status=status,
    )


class PracticePage(ObjectPage):
    """A published success story of the region's library (``regional.practices.access``)."""

    roles = PRACTICE_READERS
    host_scope = "public"
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(practice_access.access_practice_case_by_id)

    def object_queryset(self) -> QuerySet[PracticeCase]:
        return practice_selectors.case_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        case = self.object
        return render(
            request,
            "regional/practices_detail.html",
            {
                "case": case,
                "form_label": str(FORM_LABELS.get(case.form, case.form)),
                "show_institution": self.actor.has_role(REGIONAL),
            },
        )
