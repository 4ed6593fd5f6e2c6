from django.apps import AppConfig


class BenchTenantAppConfig(AppConfig):
    name = "bench_tenant_app"
    label = "bench_tenant_app"
    default_auto_field = "django.db.models.BigAutoField"
