"""The public interface of the accounts app for other apps."""

from accounts.services import invitation_create, invitation_url, site_url, user_create

__all__ = ["invitation_create", "invitation_url", "site_url", "user_create"]
