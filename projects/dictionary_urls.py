"""The project dictionary: /projects/<code>/dictionary/..."""

from django.urls import path

from .views import dictionary as terms
from .views import dictionary_io as io

app_name = "dictionary"

urlpatterns = [
    path("", terms.term_list, name="list"),
    path("new/", terms.term_create, name="term_create"),
    path("terms/<int:pk>/", terms.term_detail, name="term_detail"),
    path("terms/<int:pk>/edit/", terms.term_edit, name="term_edit"),
    path("terms/<int:pk>/deprecate/", terms.term_deprecate, name="term_deprecate"),
    path("terms/<int:pk>/delete/", terms.term_delete, name="term_delete"),
    path("terms/<int:pk>/history/", terms.term_history, name="term_history"),
    path("proposals/<int:pk>/withdraw/", terms.proposal_withdraw, name="proposal_withdraw"),
    # the client PM decides one proposal through the inbox's URLs, many at once here
    path("approvals/", terms.approvals, name="approvals"),
    path("approvals/approve/", terms.approve_selected, name="approve_selected"),
    path("approvals/reject/", terms.reject_selected, name="reject_selected"),
    path("categories/", terms.categories, name="categories"),
    path("categories/new/", terms.category_create, name="category_create"),
    # releases, import and export, the text check, other dictionaries
    path("releases/", io.baselines, name="baselines"),
    path("releases/new/", io.baseline_create, name="baseline_create"),
    path("releases/compare/", io.baseline_compare, name="baseline_compare"),
    path("releases/<int:number>/", io.baseline_detail, name="baseline_detail"),
    path("import/", io.import_upload, name="import"),
    path("import/<int:pk>/", io.import_preview, name="import_preview"),
    path("import/<int:pk>/apply/", io.import_apply, name="import_apply"),
    path("export.csv", io.export, {"fmt": "csv"}, name="export_csv"),
    path("export.xlsx", io.export, {"fmt": "xlsx"}, name="export_xlsx"),
    path("check/", io.check_text, name="check"),
    path("copy/", io.copy_from, name="copy"),
    path("share/", io.glossary_create, name="glossary_create"),
]
