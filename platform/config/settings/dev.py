"""Local development and the demo."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
# The demo's people sign in with the passwords it prints, without a phone at hand; production
# (config.settings.prod, base) requires the second factor of administrators and coordinators.
OTP_REQUIRED_ROLES = env.list("OTP_REQUIRED_ROLES", default=[])
