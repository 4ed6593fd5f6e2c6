"""Account endpoints: who am I, token login, invitations, the invitation acceptance page."""

from __future__ import annotations

from typing import Any, cast

from django.conf import settings
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.authtoken.views import ObtainAuthToken
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import AnonRateThrottle
from rest_framework.views import APIView

from accounts import services
from accounts.actor import actor_of
from accounts.authentication import token_expires_at
from accounts.forms import LoginForm, QueuedPasswordResetForm
from accounts.models import Invitation, User
from accounts.roles import INVITABLE_CHOICES
from config.api.base import INSTITUTION_MANAGERS, TenantViewSet


class MeOutput(serializers.ModelSerializer[User]):
    full_name = serializers.CharField(read_only=True)

    class Meta:
        model = User
        fields = [
            "id",
            "username",
            "email",
            "first_name",
            "last_name",
            "middle_name",
            "full_name",
            "role",
        ]


class MeView(APIView):
    """The signed-in user."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses=MeOutput)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        user = cast(User, request.user)  # IsAuthenticated: never AnonymousUser here
        return Response(MeOutput(user).data)


class TokenOutput(serializers.Serializer[Any]):
    token = serializers.CharField()
    expires_at = serializers.DateTimeField()


class TokenInput(AuthTokenSerializer):
    otp = serializers.CharField(
        required=False,
        allow_blank=True,
        write_only=True,
        help_text="The second factor's code (from the app, or a recovery code): required of "
        "the roles that must have it and of everyone who turned it on.",
    )


class TokenView(ObtainAuthToken):
    """Exchange login and password for an API token (per institution: a token works only on
    the host that issued it). Each call issues a new token and the previous one stops working;
    a token expires after ``API_TOKEN_TTL`` (``expires_at``) and is revoked when the password
    changes. Failed attempts count towards the same lockout as the login page (django-axes:
    by login and address together); a locked login answers 429. A person whose sign-in takes
    a second factor sends its code too (``otp``)."""

    throttle_classes = [AnonRateThrottle]
    serializer_class = TokenInput

    @extend_schema(responses=TokenOutput)
    def post(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        try:
            serializer = self.get_serializer(data=request.data)
            serializer.is_valid(raise_exception=True)
            user = serializer.validated_data["user"]
            _second_factor_check(request, user)
            token = services.api_token_issue(user=user)
            return Response(
                TokenOutput(
                    {"token": token.key, "expires_at": token_expires_at(token.created)}
                ).data
            )
        except serializers.ValidationError:
            # axes marks the request it was given (this DRF request) when the login is locked
            if getattr(request, "axes_locked_out", False):
                return Response(
                    {"detail": _("Too many failed sign-in attempts. Try again later.")},
                    status=status.HTTP_429_TOO_MANY_REQUESTS,
                )
            raise


def _second_factor_check(request: Request, user: User) -> None:
    """A person whose sign-in takes a second factor gets a token only with a code (``otp``:
    from the app, or a recovery code); a wrong code counts towards the lockout."""
    from django.contrib.auth.signals import user_login_failed

    from accounts.twofactor.services import code_check, second_factor_needed

    if not second_factor_needed(user):
        return
    code = str(request.data.get("otp") or "")
    if code and code_check(user=user, code=code) is not None:
        return
    if code:
        user_login_failed.send(
            sender=__name__, credentials={"username": user.username}, request=request._request
        )
    message = _("Wrong code.") if code else _("Enter the code of the second factor.")
    raise serializers.ValidationError({"otp": [message]})


class InvitationOutput(serializers.ModelSerializer[Invitation]):
    class Meta:
        model = Invitation
        fields = [
            "id",
            "email",
            "role",
            "first_name",
            "last_name",
            "middle_name",
            "created_at",
            "sent_at",
            "expires_at",
            "accepted_at",
        ]


class InvitationInput(serializers.Serializer[Any]):
    email = serializers.EmailField()
    role = serializers.ChoiceField(choices=INVITABLE_CHOICES)
    first_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    last_name = serializers.CharField(max_length=150, required=False, allow_blank=True)
    middle_name = serializers.CharField(max_length=150, required=False, allow_blank=True)


class InvitationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, TenantViewSet):
    """One-time invitations to join the institution's workspace; the coordinator sends them."""

    read_roles = INSTITUTION_MANAGERS
    write_roles = INSTITUTION_MANAGERS
    serializer_class = InvitationOutput

    def scoped_queryset(self) -> QuerySet[Invitation]:
        return Invitation.objects.order_by("-created_at")

    @extend_schema(request=InvitationInput, responses={201: InvitationOutput})
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = InvitationInput(data=request.data)
        data.is_valid(raise_exception=True)
        invitation = services.invitation_create(**data.validated_data, actor=actor_of(request))
        return Response(InvitationOutput(invitation).data, status=status.HTTP_201_CREATED)


class LoginView(auth_views.LoginView):
    """Sign-in. Without "remember me" the session ends with the browser and after
    ``SESSION_COOKIE_AGE`` at most (shared school computers); with it, it lasts
    ``SESSION_REMEMBER_AGE``."""

    form_class = LoginForm

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        from accounts.sso import sso_enabled

        context = super().get_context_data(**kwargs)
        context["sso_enabled"] = sso_enabled()
        context["sso_provider_name"] = settings.OIDC_PROVIDER_NAME
        return context

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        if form.cleaned_data.get("remember"):
            self.request.session.set_expiry(settings.SESSION_REMEMBER_AGE)
        return response


def _over_limit(key: str, limit: int, window: int) -> bool:
    """Count one more attempt under ``key`` (per schema: the cache keys carry it); True when
    the count is over ``limit`` in the ``window`` seconds since the first."""
    from django.core.cache import cache

    cache.add(key, 0, timeout=window)
    try:
        return cache.incr(key) > limit
    except ValueError:  # expired between add and incr
        cache.set(key, 1, timeout=window)
        return False


class PasswordResetView(auth_views.PasswordResetView):
    """Password reset, rate-limited: from one address at most ``PASSWORD_RESET_PER_ADDRESS``
    requests an hour (more get a 429 with the error next to the field); to one e-mail address
    at most ``PASSWORD_RESET_PER_EMAIL`` letters an hour (more are silently not sent: the
    answer never tells whether an address is known). The letters are sent by the worker."""

    form_class = QueuedPasswordResetForm

    def form_valid(self, form: Any) -> HttpResponse:
        import hashlib

        from accounts.security import client_ip

        hour = 3600
        address = client_ip(self.request) or "unknown"
        if _over_limit(
            f"password-reset:address:{address}", settings.PASSWORD_RESET_PER_ADDRESS, hour
        ):
            form.add_error(
                "email", _("Too many password reset requests from here. Try again in an hour.")
            )
            return self.render_to_response(self.get_context_data(form=form), status=429)
        email = form.cleaned_data["email"].strip().lower()
        digest = hashlib.sha256(email.encode()).hexdigest()
        if _over_limit(f"password-reset:email:{digest}", settings.PASSWORD_RESET_PER_EMAIL, hour):
            return HttpResponseRedirect(self.get_success_url())
        return super().form_valid(form)


@csrf_protect
def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The page an invitation link opens: choose a login and password, then you are in."""
    invitation = services.invitation_get_valid(token=token)
    if invitation is None:
        return render(request, "accounts/invitation_invalid.html", status=404)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            user = services.invitation_accept(
                token=token,
                username=request.POST.get("username", ""),
                password=request.POST.get("password", ""),
            )
        except ValidationError as exc:
            errors = exc.message_dict
        else:
            login(request, user, backend="accounts.backends.InstitutionAwareBackend")
            return redirect("/")
    return render(
        request,
        "accounts/invitation_accept.html",
        {"invitation": invitation, "errors": errors, "username": request.POST.get("username", "")},
        status=400 if errors else 200,
    )
