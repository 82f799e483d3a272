from django.urls import path

from .views import projects as views

app_name = "projects"

urlpatterns = [
    path("", views.project_list, name="list"),
    path("new/", views.project_create, name="create"),
    path("<str:code>/", views.project_detail, name="detail"),
    path("<str:code>/edit/", views.project_edit, name="edit"),
    path("<str:code>/members/", views.member_list, name="members"),
    path("<str:code>/members/invite/", views.member_invite, name="member_invite"),
    path("<str:code>/members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("<str:code>/members/<int:pk>/remove/", views.member_remove, name="member_remove"),
    path("<str:code>/audit/", views.audit_log, name="audit"),
    path("<str:code>/signoffs/", views.signoff_list, name="signoffs"),
    path("<str:code>/signoffs/new/", views.signoff_create, name="signoff_create"),
    path("<str:code>/signoffs/<int:pk>/", views.signoff_detail, name="signoff_detail"),
]
