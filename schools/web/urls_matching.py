"""Page routes of matching beyond the run page: an unmatched mentee explained (and paired by
hand), a proposal re-assigned, some proposals approved."""

from django.urls import URLPattern, path

from schools.web import views_matching as views

urlpatterns: list[URLPattern] = [
    path("matching/unmatched/<int:pk>/", views.matching_unmatched, name="matching-unmatched"),
    path("matching/proposals/<int:pk>/", views.matching_proposal, name="matching-proposal"),
    path(
        "matching/runs/<int:pk>/approve-selected/",
        views.matching_approve_selected,
        name="matching-approve-selected",
    ),
]
