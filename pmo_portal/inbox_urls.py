from django.urls import path

from . import inbox_views as views

app_name = "inbox"

urlpatterns = [
    path("", views.inbox_list, name="list"),
    path("<slug:kind>/<str:pk>/approve/", views.inbox_approve, name="approve"),
    path("<slug:kind>/<str:pk>/reject/", views.inbox_reject, name="reject"),
]
