"""The regional KPI dashboard: totals against the targets for the region or a municipality,
the municipalities compared, the institutions' table, the time series and the stage laggards;
each chart with its table and its XLSX download. "Aggregate now" starts a run and shows its
progress. Numbers come from ``regional.kpis.selectors`` (already anonymised); this module only
lays them out as tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from accounts.actor import actor_of
from accounts.models import Role
from config import spreadsheets
from config.pages import REGIONAL, ObjectPage, add_service_errors, role_required
from regional.kpis import access as kpi_access
from regional.kpis import exports, selectors, services
from regional.kpis.models import (
    AggregationRun,
    Indicator,
    IndicatorGroup,
    ItemStatus,
    RunStatus,
)
from regional.privacy.api import REGION, Cell
from regional.web.forms_kpis import (
    AggregateForm,
    DashboardFilterForm,
    PeriodCloseForm,
    RatingForm,
)
from tenants.selectors import municipality_list, user_scope

DEFAULT_INDICATOR = "learner_mentees_share"
# Who reads the dashboard, its charts and reports: regional staff (the region) and municipal
# education departments (their municipality, forced); aggregating and closing stay regional.
READERS = REGIONAL | {Role.MUNICIPAL}
CHART_KEYS = ("region", "municipalities", "institutions", "series")
AGGREGATE_ID = "run_%s"  # the aggregation form's ids, distinct from the filter form's


def page(roles: frozenset[str]) -> Any:
    return role_required(roles, scope="public")


# --- cells and tables -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """One cell as the table shows it (``text``) and as the XLSX holds it (``value``)."""

    text: str
    value: Any
    suppressed: bool = False


@dataclass
class ChartTable:
    """A chart's data as a table (the accessible view and the XLSX) and as Chart.js data."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[Shown]]
    chart: dict[str, Any] | None = None
    note: str = ""
    export_url: str = ""
    has_suppressed: bool = field(default=False)
    # A long table on the page: {"number", "pages", "first", "last", "count", "previous",
    # "next"} (the query strings of the neighbouring pages); the XLSX holds every row.
    pager: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.has_suppressed = any(cell.suppressed for row in self.rows for cell in row)

    def body_html(self) -> SafeString:
        """The table's rows as ``kpis_chart.html`` wrote them cell by cell in two nested
        loops (the dashboard's four tables hold hundreds of cells: the loops were most of
        the page's time); the same markup (``tests/web/test_kpis.py``)."""
        if not self.rows:
            return format_html(
                '<tr><td colspan="{}">{}</td></tr>',
                len(self.columns),
                _("No data for this choice."),
            )
        parts: list[str] = []
        for row in self.rows:
            parts.append("<tr>")
            for index, cell in enumerate(row):
                text = conditional_escape(cell.text)
                if index == 0:
                    parts.append(f'<th scope="row">{text}</th>')
                elif cell.suppressed:
                    parts.append(
                        f'<td class="kpi-suppressed" data-suppressed>{text}'
                        '<sup aria-hidden="true">*</sup></td>'
                    )
                else:
                    parts.append(f"<td>{text}</td>")
            parts.append("</tr>\n        ")
        return mark_safe("".join(parts))  # noqa: S308  # every text escaped above


def _hidden() -> str:
    return _("hidden")


def _no_data() -> Shown:
    return Shown("—", "—")


def _number(value: float | int, kind: str) -> str:
    if kind == "share":
        if 0 < value < 0.05:
            return "<0.1 %"  # a share of a large total: never shown as 0 when it is not
        return f"{value:.1f} %"
    if kind == "average":
        return f"{value:.2f}"
    return str(value)


def _as_of(shown: Shown, cell: dict[str, Any]) -> Shown:
    """An institution's held numbers carry the period they are from (ADR 0005)."""
    if not cell.get("as_of") or shown.text == "—":
        return shown
    text = _("%(value)s (as of %(period)s)") % {"value": shown.text, "period": cell["as_of"]}
    return Shown(text, text, suppressed=shown.suppressed)


def shown_value(cell: dict[str, Any] | None, kind: str) -> Shown:
    """An indicator's published value: the number, the range of a small group's share, hidden,
    a share that cannot be published (the counted exceed the declared), or no data; held
    numbers with their period."""
    if cell is None:
        return _no_data()
    if cell.get("value") is not None:
        shown = Shown(_number(cell["value"], kind), cell["value"])
    elif cell.get("inconsistent"):
        text = _("check the headcount")
        shown = Shown(text, text)
    elif cell.get("suppressed"):
        label = cell.get("range") or _hidden()
        shown = Shown(label, label, suppressed=True)
    else:
        return _no_data()
    return _as_of(shown, cell)


def shown_count(cell: dict[str, Any] | None) -> Shown:
    if not cell:
        return _no_data()
    if cell.get("value") is not None:
        shown = Shown(str(cell["value"]), cell["value"])
    elif cell.get("suppressed"):
        shown = Shown(_hidden(), _hidden(), suppressed=True)
    else:
        return _no_data()
    return _as_of(shown, cell)


def shown_target(indicator: Indicator) -> Shown:
    if indicator.target_value is None:
        return _no_data()
    value = float(Decimal(indicator.target_value))
    return Shown(_number(value, indicator.kind), value)


def shown_met(cell: dict[str, Any]) -> Shown:
    met = cell.get("meets_target")
    if met is None:
        return _no_data()
    text = _("yes") if met else _("no")
    return Shown(text, text)


def chart_value(cell: dict[str, Any]) -> float | None:
    """A bar or a point: the published value only (hidden cells leave a gap)."""
    value = cell.get("value")
    return float(value) if value is not None else None


def _unit(indicator: Indicator) -> str:
    return "%" if indicator.kind == "share" else ""


# --- the dashboard's data -------------------------------------------------------------------


@dataclass
class Filters:
    period: str
    municipality_id: int | None
    municipality_name: str
    indicator: Indicator


def region_chart(
    data: selectors.Published, filters: Filters, *, indicators: list[Indicator] | None = None
) -> ChartTable:
    """Every indicator (``indicators``: the active ones) for the region (or the chosen
    municipality) against its target; the chart shows the shares with a target."""
    cell_of: Cell = REGION if filters.municipality_id is None else ("m", filters.municipality_id)
    rows, labels, values, targets = [], [], [], []
    if indicators is None:
        indicators = list(selectors.indicator_list())
    for indicator in indicators:
        cell = selectors.indicator_cell(indicator, data, cell_of)
        rows.append(
            [
                Shown(indicator.display_name, indicator.display_name),
                shown_count(cell.get("numerator")),
                shown_count(cell.get("denominator")),
                shown_value(cell, indicator.kind),
                shown_target(indicator),
                Shown(str(indicator.target_year or "—"), indicator.target_year or "—"),
                shown_met(cell),
            ]
        )
        if indicator.kind == "share" and indicator.target_value is not None:
            labels.append(indicator.display_name)
            values.append(chart_value(cell))
            targets.append(float(indicator.target_value))
    scope = filters.municipality_name or _("Region")
    return ChartTable(
        key="region",
        title=_("%(scope)s against the targets") % {"scope": scope},
        columns=[
            _("Indicator"),
            _("Numerator"),
            _("Denominator"),
            _("Value"),
            _("Target"),
            _("Target year"),
            _("Target met"),
        ],
        rows=rows,
        chart={
            "type": "bar",
            "horizontal": True,  # long indicator names read better beside the bars
            "unit": "%",
            "labels": labels,
            "datasets": [
                {"label": scope, "data": values},
                {"label": _("Target"), "data": targets, "target": True},
            ],
        },
    )


def municipalities_chart(data: selectors.Published, filters: Filters) -> ChartTable:
    indicator = filters.indicator
    rows, labels, values = [], [], []
    for m_id, name in data.municipalities:
        cell = selectors.indicator_cell(indicator, data, ("m", m_id))
        rows.append(
            [
                Shown(name, name),
                shown_count(cell.get("numerator")),
                shown_count(cell.get("denominator")),
                shown_value(cell, indicator.kind),
                shown_met(cell),
            ]
        )
        labels.append(name)
        values.append(chart_value(cell))
    datasets: list[dict[str, Any]] = [{"label": indicator.display_name, "data": values}]
    if indicator.target_value is not None:
        datasets.append(
            {
                "label": _("Target"),
                "data": [float(indicator.target_value)] * len(labels),
                "type": "line",
                "target": True,
            }
        )
    return ChartTable(
        key="municipalities",
        title=_("%(indicator)s by municipality") % {"indicator": indicator.display_name},
        columns=[
            _("Municipality"),
            _("Numerator"),
            _("Denominator"),
            _("Value"),
            _("Target met"),
        ],
        rows=rows,
        chart={"type": "bar", "unit": _unit(indicator), "labels": labels, "datasets": datasets},
    )


# Institutions per page of the dashboard's table (a region has up to 2,000; the XLSX has all).
INSTITUTIONS_PER_PAGE = 50
# Lagging institutions named per stage on the dashboard (the rest counted).
LAGGING_SHOWN = 20


def institutions_table(
    data: selectors.Published,
    filters: Filters,
    *,
    page: int | None = None,
    state: str | None = None,
    active: list[Indicator] | None = None,
) -> ChartTable:
    """The institutions (of the chosen municipality) and the federal indicators, plus the
    chosen indicator when it is not one of them: every institution, or, with ``page``, that
    page of ``INSTITUTIONS_PER_PAGE`` (only its cells are computed). ``active``: the active
    indicators, when already read."""
    if active is None:
        active = list(selectors.indicator_list())
    indicators = [i for i in active if i.group == IndicatorGroup.FEDERAL] or list(active)
    if filters.indicator.code not in {i.code for i in indicators}:
        indicators.append(filters.indicator)
    chosen = [
        institution
        for institution in data.institutions
        if filters.municipality_id in (None, institution.municipality_id)
    ]
    pager = None
    if page is not None and len(chosen) > INSTITUTIONS_PER_PAGE:
        pages = -(-len(chosen) // INSTITUTIONS_PER_PAGE)
        number = min(max(page, 1), pages)
        start = (number - 1) * INSTITUTIONS_PER_PAGE
        query = _query(filters)
        pager = {
            "number": number,
            "pages": pages,
            "first": start + 1,
            "last": min(start + INSTITUTIONS_PER_PAGE, len(chosen)),
            "count": len(chosen),
            "previous": f"{query}&page={number - 1}" if number > 1 else "",
            "next": f"{query}&page={number + 1}" if number < pages else "",
        }
        chosen = chosen[start : start + INSTITUTIONS_PER_PAGE]
    cells = selectors.published_institution_cells(
        data.period,
        institution_ids=[institution.id for institution in chosen],
        indicators=indicators,
        k=data.k,
        state=state,
    )
    rows = []
    for institution in chosen:
        row = [
            Shown(institution.name, institution.name),
            Shown(institution.municipality, institution.municipality),
        ]
        for indicator in indicators:
            row.append(shown_value(cells[institution.id][indicator.code], indicator.kind))
        rows.append(row)
    return ChartTable(
        key="institutions",
        title=_("Institutions"),
        columns=[_("Institution"), _("Municipality"), *[i.display_name for i in indicators]],
        rows=rows,
        pager=pager,
    )


def series_chart(filters: Filters, *, state: str | None = None, k: int | None = None) -> ChartTable:
    indicator = filters.indicator
    points = selectors.indicator_series(
        indicator=indicator, municipality_id=filters.municipality_id, k=k, state=state
    )
    rows = [
        [
            Shown(point["period"], point["period"]),
            shown_count(point.get("numerator")),
            shown_count(point.get("denominator")),
            shown_value(point, indicator.kind),
            shown_met(point),
        ]
        for point in points
    ]
    labels = [point["period"] for point in points]
    datasets: list[dict[str, Any]] = [
        {"label": indicator.display_name, "data": [chart_value(point) for point in points]}
    ]
    if indicator.target_value is not None:
        datasets.append(
            {
                "label": _("Target"),
                "data": [float(indicator.target_value)] * len(labels),
                "target": True,
            }
        )
    scope = filters.municipality_name or _("Region")
    return ChartTable(
        key="series",
        title=_("%(indicator)s over time: %(scope)s")
        % {"indicator": indicator.display_name, "scope": scope},
        columns=[_("Period"), _("Numerator"), _("Denominator"), _("Value"), _("Target met")],
        rows=rows,
        chart={"type": "line", "unit": _unit(indicator), "labels": labels, "datasets": datasets},
    )


def build_chart(key: str, filters: Filters) -> ChartTable:
    if key == "series":
        return series_chart(filters)
    data = selectors.published_period(filters.period)
    if key == "institutions":
        return institutions_table(data, filters)
    return region_chart(data, filters) if key == "region" else municipalities_chart(data, filters)


# --- the filter form ------------------------------------------------------------------------


def _filter_form(
    request: HttpRequest, periods: list[str], indicators: list[Indicator] | None = None
) -> DashboardFilterForm:
    """The filters; a municipal user's municipality is the only choice (and the default)."""
    if indicators is None:
        indicators = list(selectors.indicator_list())
    scope = user_scope(request.user)
    municipalities = [(m.pk, m.name) for m in scope.filter(municipality_list(), "pk")]
    return DashboardFilterForm(
        request.GET or None,
        periods=periods,
        municipalities=municipalities,
        indicators=[(i.code, i.display_name) for i in indicators],
        whole_region=scope.whole_region,
    )


def _filters(
    form: DashboardFilterForm, periods: list[str], active: list[Indicator] | None = None
) -> Filters | None:
    """The chosen filters (defaults: the latest period, the region, the first federal KPI), or
    None when there is nothing to show yet or the form is invalid."""
    if not periods:
        return None
    data = form.cleaned_data if form.is_bound else {}
    if active is None:
        active = list(selectors.indicator_list())
    indicators = {i.code: i for i in active}
    if not indicators:
        return None
    code = data.get("indicator") or (
        DEFAULT_INDICATOR if DEFAULT_INDICATOR in indicators else next(iter(indicators))
    )
    names = dict(form.fields["municipality"].choices)  # type: ignore[attr-defined]
    municipality_id = data.get("municipality")
    if municipality_id is None and not form.whole_region:
        # a municipal user: their municipality (none granted: an id no row has)
        municipality_id = next((m for m in names if m), 0)
    return Filters(
        period=data.get("period") or periods[-1],
        municipality_id=municipality_id,
        municipality_name=str(names.get(municipality_id, "")) if municipality_id else "",
        indicator=indicators[code],
    )


def _query(filters: Filters) -> str:
    params: dict[str, Any] = {"period": filters.period, "indicator": filters.indicator.code}
    if filters.municipality_id is not None:
        params["municipality"] = filters.municipality_id
    return urlencode(params)


def _page_number(request: HttpRequest) -> int:
    """The institutions table's page (``?page=``; anything else: the first)."""
    try:
        return max(int(request.GET.get("page", "1")), 1)
    except ValueError:
        return 1


def _latest_run() -> AggregationRun | None:
    return selectors.aggregation_run_list().first()


def _dashboard(
    request: HttpRequest,
    *,
    aggregate_form: AggregateForm | None = None,
    status: int = 200,
) -> HttpResponse:
    # the periods, k, the active indicators and the cache keys of this request's pieces,
    # read once for the whole page
    view = selectors.published_view()
    periods = view.periods
    form = _filter_form(request, periods, view.indicators)
    valid = form.is_valid() if form.is_bound else True
    context: dict[str, Any] = {
        "can_run": kpi_access.may_run_aggregation(actor_of(request)),
        "form": form,
        "aggregate_form": aggregate_form or AggregateForm(auto_id=AGGREGATE_ID),
        "periods": periods,
        "latest_run": _latest_run(),
        "charts": [],
        "k": view.k,
    }
    filters = _filters(form, periods, view.indicators) if valid else None
    if filters is not None:
        query = _query(filters)
        state = view.state
        data = selectors.published_summary(filters.period, k=view.k, state=state)
        charts = [
            region_chart(data, filters, indicators=view.indicators),
            municipalities_chart(data, filters),
            institutions_table(
                data,
                filters,
                page=_page_number(request),
                state=state,
                active=view.indicators,
            ),
            series_chart(filters, state=state, k=view.k),
        ]
        for chart in charts:
            url = reverse(f"regional:kpis-export-{chart.key}")
            chart.export_url = f"{url}?{query}"
        stages = []
        for stage in selectors.lagging_institutions(period=filters.period, state=state):
            lagging = [
                row
                for row in stage["lagging"]
                if filters.municipality_id in (None, row["municipality_id"])
            ]
            stages.append(
                {
                    **stage,
                    "lagging": lagging[:LAGGING_SHOWN],
                    "lagging_more": max(len(lagging) - LAGGING_SHOWN, 0),
                }
            )
        context.update(
            filters=filters,
            period_state=selectors.period_state(filters.period),
            close_form=PeriodCloseForm(initial={"period": filters.period}),
            k=data.k,
            institutions_count=len(data.institutions),
            charts=charts,
            lagging_available=any(stage["institutions_reporting"] for stage in stages),
            stages=stages,
            report_url=f"{reverse('regional:kpis-export-report')}?{query}",
        )
    latest = context["latest_run"]
    if latest is not None and latest.status == RunStatus.RUNNING and context["can_run"]:
        context["live_run"] = run_context(latest)  # its progress bar, polled here too
    context["note"] = suppression_note(context["k"])
    if not valid:
        status = 400
    return render(request, "regional/kpis.html", context, status=status)


@require_safe
@page(READERS)
def kpis(request: HttpRequest) -> HttpResponse:
    return _dashboard(request)


# --- XLSX downloads -------------------------------------------------------------------------


def chart_workbook(chart: ChartTable, *, period: str, k: int) -> bytes:
    """The chart's table as it is on the page, with a title and the suppression note."""
    workbook = spreadsheets.new_workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = spreadsheets.sheet_title(chart.key)
    put = spreadsheets.put
    put(sheet, row=1, column=1, value=chart.title, font=Font(bold=True, size=12))
    put(sheet, row=2, column=1, value=f"{settings.REGIONAL_CENTRE_NAME}; {_('Period')}: {period}")
    put(sheet, row=3, column=1, value=suppression_note(k))
    for column, title in enumerate(chart.columns, start=1):
        put(sheet, row=5, column=column, value=title, font=Font(bold=True), wrap=True)
        sheet.column_dimensions[get_column_letter(column)].width = 40 if column == 1 else 18
    for row in chart.rows:
        spreadsheets.append(sheet, [cell.value for cell in row])
    return spreadsheets.workbook_bytes(workbook)


def suppression_note(k: int) -> str:
    return _(
        "“hidden”: the number is not published because the group is smaller than %(k)s "
        "people, or so that it cannot be worked out from the totals. A share of a small group "
        "is shown as a range (“0–20 %%”). An institution whose numbers moved by fewer than "
        "%(k)s people since its last published ones shows those, with their period."
    ) % {"k": k}


def _xlsx(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=exports.XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _export_filters(request: HttpRequest) -> tuple[Filters | None, HttpResponse | None]:
    periods = selectors.snapshot_periods()
    form = _filter_form(request, periods)
    if form.is_bound and not form.is_valid():
        return None, _dashboard(request)
    filters = _filters(form, periods)
    if filters is None:
        raise Http404
    return filters, None


@require_safe
@page(READERS)
def export_chart(request: HttpRequest, chart: str) -> HttpResponse:
    if chart not in CHART_KEYS:
        raise Http404
    filters, refused = _export_filters(request)
    if refused is not None:
        return refused
    assert filters is not None
    table = build_chart(chart, filters)
    content = chart_workbook(table, period=filters.period, k=selectors.min_group_size())
    return _xlsx(content, f"kpi-{chart}-{filters.period}.xlsx")


@require_safe
@page(READERS)
def export_report(request: HttpRequest) -> HttpResponse:
    """The whole report in the ministry's shape (regional.kpis.exports); a municipal user's
    holds its municipality's institutions only."""
    filters, refused = _export_filters(request)
    if refused is not None:
        return refused
    assert filters is not None
    scope = user_scope(request.user)
    table = selectors.dashboard_institutions(filters.period)
    table["institutions"] = [
        row for row in table["institutions"] if scope.allows(row["municipality_id"])
    ]
    content = exports.regional_report(selectors.dashboard_summary(filters.period), table)
    return _xlsx(content, f"kpi-{filters.period}.xlsx")


# --- aggregation on demand ------------------------------------------------------------------


@require_POST
@page(REGIONAL)
def period_close(request: HttpRequest) -> HttpResponse:
    """Close the period shown (its numbers become final): back to the dashboard with the
    outcome; a refusal (a run still running, nothing to close) is shown there."""
    form = PeriodCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a period to close."))
        return redirect("regional:kpis")
    period = form.cleaned_data["period"]
    try:
        services.period_close(period=period, actor=actor_of(request))
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(
            request,
            _("The period %(period)s is closed: its numbers are final.") % {"period": period},
        )
    return redirect(f"{reverse('regional:kpis')}?{urlencode({'period': period})}")


@require_POST
@page(REGIONAL)
def run_start(request: HttpRequest) -> HttpResponse:
    form = AggregateForm(request.POST, auto_id=AGGREGATE_ID)
    if form.is_valid():
        try:
            run = services.aggregation_run_start(
                period=form.cleaned_data["period"] or None, actor=actor_of(request)
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            return redirect("regional:kpis-run", pk=run.pk)
    return _dashboard(request, aggregate_form=form, status=400)


def run_context(run: AggregationRun) -> dict[str, Any]:
    done = run.ok_count + run.failed_count
    progress = 100 if not run.institutions_total else round(100 * done / run.institutions_total)
    problems = (
        run.items.select_related("institution")
        .exclude(status=ItemStatus.OK)
        .exclude(status=ItemStatus.PENDING, error="")
        .order_by("institution__short_name", "institution_id")
    )
    return {
        "run": run,
        "running": run.status == RunStatus.RUNNING,
        "progress": progress,
        "done": done,
        "problems": list(problems),
    }


class RunDetail(ObjectPage):
    """An aggregation run (``regional.kpis.access``: the regional centre's)."""

    roles = REGIONAL
    host_scope = "public"
    http_method_names = ["get", "head"]
    access_by_id = staticmethod(kpi_access.access_run_by_id)
    template_name = "regional/kpis_run.html"

    def object_queryset(self) -> QuerySet[AggregationRun]:
        return selectors.aggregation_run_list()

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        return render(request, self.template_name, run_context(self.object))


class RunProgress(RunDetail):
    """The run's progress, polled by HTMX every second until it finishes."""

    template_name = "regional/kpis_run_progress.html"


# --- the rating -----------------------------------------------------------------------------


@require_safe
@page(READERS)
def rating(request: HttpRequest) -> HttpResponse:
    """Institutions (those the user oversees) and municipalities ranked by the federal
    indicators, with the method shown."""
    view = selectors.published_view()
    periods = view.periods
    form = RatingForm(request.GET or None, periods=periods)
    if form.is_bound and not form.is_valid():
        return render(request, "regional/kpis_rating.html", {"form": form}, status=400)
    period = (form.cleaned_data.get("period") if form.is_bound else "") or (
        periods[-1] if periods else ""
    )
    context: dict[str, Any] = {"form": form, "period": period}
    if period:
        scope = user_scope(request.user)
        data = selectors.rating(period, view=view)
        kinds = [i.kind for i in data["indicators"]]

        def shown(row: dict[str, Any]) -> dict[str, Any]:
            cells = [shown_value(c, kind) for c, kind in zip(row["cells"], kinds, strict=True)]
            return {**row, "shown": cells}

        context.update(
            indicators=data["indicators"],
            institutions=[
                shown(r) for r in data["institutions"] if scope.allows(r["municipality_id"])
            ],
            municipalities=[shown(r) for r in data["municipalities"]],
            k=view.k,
        )
    return render(request, "regional/kpis_rating.html", context)
