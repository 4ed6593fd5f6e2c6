"""Objects of institution B for the login-protection models (django-axes keeps its attempts,
lockouts and access log in each schema; the admin lists them)."""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from tests.isolation.objects_of_b import MARKER, bump_sequence, factory


@factory("axes.accessattempt")
def _access_attempt(user: User) -> str:
    from axes.models import AccessAttempt

    bump_sequence("axes_accessattempt")
    attempt = AccessAttempt.objects.create(
        username=MARKER,
        ip_address="10.0.0.1",
        user_agent=MARKER,
        http_accept="*/*",
        path_info="/accounts/login/",
        attempt_time=timezone.now(),
        get_data="",
        post_data=MARKER,
        failures_since_start=1,
    )
    return str(attempt.pk)


@factory("axes.accesslog")
def _access_log(user: User) -> str:
    from axes.models import AccessLog

    bump_sequence("axes_accesslog")
    log = AccessLog.objects.create(
        username=MARKER,
        ip_address="10.0.0.1",
        user_agent=MARKER,
        http_accept="*/*",
        path_info="/accounts/login/",
        attempt_time=timezone.now(),
    )
    return str(log.pk)


@factory("axes.accessfailurelog")
def _access_failure_log(user: User) -> str:
    from axes.models import AccessFailureLog

    bump_sequence("axes_accessfailurelog")
    log = AccessFailureLog.objects.create(
        username=MARKER,
        ip_address="10.0.0.1",
        user_agent=MARKER,
        http_accept="*/*",
        path_info="/accounts/login/",
        attempt_time=timezone.now(),
        locked_out=False,
    )
    return str(log.pk)
