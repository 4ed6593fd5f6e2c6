from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

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


# The second factor's devices: django-otp's own admin shows a device's key and QR code; ours
# never does. A person who lost the phone and the recovery codes gets their devices deleted
# here, and connects a new app at the next sign-in.
for _device_model in (TOTPDevice, StaticDevice):
    if admin.site.is_registered(_device_model):
        admin.site.unregister(_device_model)


@admin.register(TOTPDevice, StaticDevice)
class SecondFactorDeviceAdmin(admin.ModelAdmin[Any]):
    list_display = ["user", "name", "confirmed"]
    list_filter = ["confirmed"]
    search_fields = ["user__username", "user__email"]
    fields = ["user", "name", "confirmed"]
    readonly_fields = ["user", "name"]
