from django.contrib import admin
from django.urls import include, path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("account/", include("accounts.urls")),
    path("projects/", include("projects.urls")),
    path("projects/<str:code>/access/", include("accounts.access_urls")),
    path("projects/<str:code>/dictionary/", include("projects.dictionary_urls")),
    path("projects/<str:code>/rfps/", include("rfp.urls")),
    path("projects/<str:code>/manuals/", include("manuals.urls")),
    path("inbox/", include("pmo_portal.inbox_urls")),
    path("notifications/", include("pmo_portal.notification_urls")),
    path("exports/", include("pmo_portal.export_urls")),
    path("admin/", admin.site.urls),
]
