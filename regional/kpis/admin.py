from django.contrib import admin

from regional.kpis.models import AggregationItem, AggregationRun, Indicator


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin[Indicator]):
    list_display = [
        "code",
        "name",
        "name_en",
        "kind",
        "numerator_key",
        "denominator_key",
        "target_value",
    ]
    list_filter = ["group", "kind", "is_active"]
    search_fields = ["code", "name", "name_en"]


class AggregationItemInline(admin.TabularInline[AggregationItem, AggregationRun]):
    model = AggregationItem
    extra = 0
    can_delete = False
    readonly_fields = ["institution", "status", "attempts", "error", "finished_at"]


@admin.register(AggregationRun)
class AggregationRunAdmin(admin.ModelAdmin[AggregationRun]):
    list_display = ["period", "status", "institutions_total", "ok_count", "failed_count"]
    readonly_fields = [
        "period",
        "status",
        "institutions_total",
        "ok_count",
        "failed_count",
        "requested_by_id",
        "started_at",
        "finished_at",
    ]
    inlines = [AggregationItemInline]
