"""The firm's library: RFP templates and reusable clauses (views/library.py), under /projects/<code>/rfps/."""

from django.urls import path

from .views import library

urlpatterns = [
    path("clauses/", library.clauses, name="clauses"),
    path("clauses/new/", library.clause_create, name="clause_create"),
    path("clauses/<int:clause_pk>/edit/", library.clause_edit, name="clause_edit"),
    path("templates/<int:template_pk>/delete/", library.template_delete, name="template_delete"),
    path("<int:pk>/save-as-template/", library.template_save, name="template_save"),
    path("<int:pk>/sections/<int:section_pk>/insert-clause/", library.clause_insert, name="clause_insert"),
]
