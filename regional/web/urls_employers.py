"""Page routes of the regional layer: the employer's portal and the supply and demand board."""

from django.urls import URLPattern, path

from regional.web import views_employers as views

urlpatterns: list[URLPattern] = [
    path("employer/summary/", views.employer_summary, name="employer-summary"),
    path("employer/offers/", views.offers, name="employer-offers"),
    path("employer/offers/new/", views.offer_create, name="employer-offer-create"),
    path("employer/offers/<int:pk>/", views.offer_edit, name="employer-offer"),
    path("employer/requests/", views.requests_page, name="employer-requests"),
    path(
        "employer/requests/<int:pk>/approve/",
        views.request_approve,
        name="employer-request-approve",
    ),
    path(
        "employer/requests/<int:pk>/decline/",
        views.request_decline,
        name="employer-request-decline",
    ),
    path("employer/placements/", views.placements_page, name="employer-placements"),
    path("employer/placements/<int:pk>/end/", views.placement_end, name="employer-placement-end"),
    path(
        "employer/placements/<int:pk>/cancel/",
        views.placement_cancel,
        name="employer-placement-cancel",
    ),
    path("board/", views.board, name="board"),
    path("board/export.xlsx", views.board_export, name="board-export"),
]
