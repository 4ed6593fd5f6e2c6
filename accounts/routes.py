from rest_framework.routers import BaseRouter

from accounts.views import InvitationViewSet


def register(router: BaseRouter) -> None:
    router.register("invitations", InvitationViewSet, basename="invitation")
