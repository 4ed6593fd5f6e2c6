from rest_framework.routers import BaseRouter

from schools.audit.views import AuditEntryViewSet
from schools.participants import views


def register(router: BaseRouter) -> None:
    router.register("participants", views.ParticipantViewSet, basename="participant")
    router.register("study-groups", views.StudyGroupViewSet, basename="study-group")
    router.register("guardianships", views.GuardianshipViewSet, basename="guardianship")
    router.register("consents", views.ConsentViewSet, basename="consent")
    router.register("mentee-profiles", views.MenteeProfileViewSet, basename="mentee-profile")
    router.register("mentor-profiles", views.MentorProfileViewSet, basename="mentor-profile")
    router.register("topics", views.TopicViewSet, basename="topic")
    # The audit app has no route module of its own in the tenant URLconf; its read-only log
    # is registered here (it records mostly this app's changes).
    router.register("audit-log", AuditEntryViewSet, basename="audit-entry")
