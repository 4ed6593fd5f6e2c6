from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import Invitation, User


@admin.register(User)
class NastavnikUserAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "email", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Nastavnik", {"fields": ("middle_name", "role")}))


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "role", "sent_at", "expires_at", "accepted_at"]
    readonly_fields = ["token_hash", "sent_at", "accepted_at", "user"]
