from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from accounts.models import ExternalIdentity, Invitation, User


@admin.register(User)
class NastavnikUserAdmin(UserAdmin):
    list_display = ["username", "last_name", "first_name", "email", "role", "is_active"]
    list_filter = ["role", "is_active"]
    fieldsets = (*(UserAdmin.fieldsets or ()), ("Nastavnik", {"fields": ("middle_name", "role")}))


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin[Invitation]):
    list_display = ["email", "role", "sent_at", "expires_at", "accepted_at"]
    readonly_fields = ["token_hash", "sent_at", "accepted_at", "user"]


@admin.register(ExternalIdentity)
class ExternalIdentityAdmin(admin.ModelAdmin[ExternalIdentity]):
    """Who signs in through the region's provider; deleting a row unlinks the account (the
    next single sign-on links it again by a verified e-mail)."""

    list_display = ["user", "issuer", "subject", "linked_at", "last_sign_in_at"]
    search_fields = ["user__username", "user__email", "subject"]
    readonly_fields = ["user", "issuer", "subject", "linked_at", "last_sign_in_at"]
