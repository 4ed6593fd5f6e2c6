from rest_framework.routers import BaseRouter


def register(router: BaseRouter) -> None:
    """This app's API routes (none yet)."""
