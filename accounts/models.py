"""Users live in every schema: a school's people exist only inside its own schema,
regional staff and employer users only in the public schema."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    # public schema
    REGIONAL_ADMIN = "regional_admin", _("Regional administrator")
    REGIONAL_STAFF = "regional_staff", _("Regional centre staff")
    EMPLOYER = "employer", _("Employer")
    MUNICIPAL = "municipal", _("Municipal education department")
    # tenant schemas
    COORDINATOR = "coordinator", _("Coordinator")
    CURATOR = "curator", _("Curator")
    DIRECTOR = "director", _("Director")
    DEPUTY = "deputy", _("Deputy director")
    MENTOR = "mentor", _("Mentor")
    MENTEE = "mentee", _("Mentee")
    PARENT = "parent", _("Parent")


# The sets of roles (which schema, who is staff, ...) live in accounts/roles.py only.


class User(AbstractUser):
    email = models.EmailField(_("e-mail"), blank=True)
    middle_name = models.CharField(_("patronymic"), max_length=150, blank=True)
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.last_name, self.first_name, self.middle_name) if p)

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A new password revokes the user's API token (sessions are ended by Django itself:
        their hash no longer matches), whichever way it was set: the reset link, the admin,
        a service."""
        # set_password() keeps the new raw password in _password until the save
        password_changed = getattr(self, "_password", None) is not None and self.pk is not None
        super().save(*args, **kwargs)
        if password_changed:
            from rest_framework.authtoken.models import Token

            Token.objects.filter(user=self).delete()


class Invitation(models.Model):
    """A one-time link that lets a person set a password for a new account.

    Only a hash of the token is stored, so a leaked table cannot be replayed."""

    email = models.EmailField(_("e-mail"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    first_name = models.CharField(max_length=150, blank=True)
    last_name = models.CharField(max_length=150, blank=True)
    middle_name = models.CharField(max_length=150, blank=True)
    # Empty until the invitation is sent: the token is made and mailed by the sending task.
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    accepted_at = models.DateTimeField(null=True, blank=True)
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="invitations"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["token_hash"],
                condition=~models.Q(token_hash=""),
                name="invitation_token_unique",
            )
        ]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"


class ExternalIdentity(models.Model):
    """The person's account at the region's identity provider (``issuer``, ``subject``) that
    signs in to this schema's ``user``. Made at the first single sign-on (matched by a verified
    e-mail, or created for regional staff from a group); from then on the subject decides."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="external_identities")
    issuer = models.CharField(_("identity provider"), max_length=255)
    subject = models.CharField(_("subject at the provider"), max_length=255)
    linked_at = models.DateTimeField(_("linked"), auto_now_add=True)
    last_sign_in_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["issuer", "subject"], name="external_identity_subject_unique"
            ),
            models.UniqueConstraint(
                fields=["user", "issuer"], name="external_identity_user_unique"
            ),
        ]
        verbose_name = _("external identity")
        verbose_name_plural = _("external identities")

    def __str__(self) -> str:
        return f"{self.issuer} {self.subject}"
