"""Page routes of the programme's set-up and its orders."""

from django.urls import URLPattern, path

from schools.web import views_setup as views

urlpatterns: list[URLPattern] = [
    path("programme/setup/", views.programme_setup, name="programme-setup"),
    path("programme/orders/", views.orders, name="orders"),
    path("programme/orders/prepare/", views.order_prepare, name="order-prepare"),
    path("programme/orders/regulation/", views.regulation_docx, name="regulation-docx"),
    path("programme/orders/<int:pk>/approve/", views.order_approve, name="order-approve"),
    path("programme/orders/<int:pk>/discard/", views.order_discard, name="order-discard"),
    path("programme/orders/<int:pk>/docx/", views.order_docx, name="order-docx"),
]
