from django.contrib import admin

from regional.employers.models import Employer


@admin.register(Employer)
class EmployerAdmin(admin.ModelAdmin[Employer]):
    list_display = ["name", "inn", "sector"]
    search_fields = ["name", "inn"]
    filter_horizontal = ["members"]
