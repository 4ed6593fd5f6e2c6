"""Routes served on every host (regional and institution)."""

from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularSwaggerSplitView

from accounts.sso import views as sso_views
from accounts.twofactor import views as two_factor
from accounts.views import (
    LoginView,
    MeView,
    PasswordResetView,
    TokenView,
    accept_invitation,
)
from config import views

common_urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/login/", LoginView.as_view(), name="login"),
    # Signing out ends the provider's session too when the session came from it (accounts.sso).
    path("accounts/logout/", sso_views.LogoutView.as_view(), name="logout"),
    # Single sign-on through the region's provider; its one redirect URI is the regional
    # host's callback, which relays an institution's answer to the institution's host.
    path("oidc/start/", sso_views.start, name="sso-start"),
    path("oidc/callback/", sso_views.callback, name="sso-callback"),
    path("oidc/signed-out/", sso_views.signed_out, name="sso-signed-out"),
    # The second factor (accounts.twofactor): a signed-in person's own, in the host's schema.
    path("accounts/two-factor/", two_factor.verify, name="two-factor"),
    path("accounts/two-factor/setup/", two_factor.setup, name="two-factor-setup"),
    path("accounts/two-factor/manage/", two_factor.manage, name="two-factor-manage"),
    path(
        "accounts/two-factor/recovery-codes/",
        two_factor.recovery_codes,
        name="two-factor-recovery-codes",
    ),
    path("accounts/two-factor/disable/", two_factor.disable, name="two-factor-disable"),
    # Password reset by e-mail, in the schema of the host asked (a school's people are there).
    path(
        "accounts/password-reset/",
        PasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/invite/<str:token>/", accept_invitation, name="invitation-accept"),
    path("api/schema/", views.HostSchemaView.as_view(), name="api-schema"),
    # the split view serves its start-up script as a file: no inline script (CSP)
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/v1/auth/token/", TokenView.as_view(), name="api-token"),
    path("api/v1/me/", MeView.as_view(), name="api-me"),
]
