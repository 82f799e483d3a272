"""RFP pages of a project: /projects/<code>/rfps/... (the vendors', evaluation and library pages in their own
modules, under the same "rfp" namespace)."""

from django.urls import path

from .evaluation_urls import urlpatterns as evaluation_urlpatterns
from .library_urls import urlpatterns as library_urlpatterns
from .vendor_urls import urlpatterns as vendor_urlpatterns
from .views import catalogue, document, lifecycle

app_name = "rfp"

urlpatterns = [
    path("", document.rfp_list, name="list"),
    path("new/", document.rfp_create, name="create"),
    path("<int:pk>/", document.rfp_detail, name="detail"),
    path("<int:pk>/edit/", document.rfp_edit, name="edit"),
    # sections, with a live preview that renders as the PDF does
    path("<int:pk>/sections/new/", document.section_add, name="section_add"),
    path("<int:pk>/sections/<int:section_pk>/edit/", document.section_edit, name="section_edit"),
    path("<int:pk>/sections/<int:section_pk>/up/", document.section_up, name="section_up"),
    path("<int:pk>/sections/<int:section_pk>/down/", document.section_down, name="section_down"),
    path("<int:pk>/sections/<int:section_pk>/delete/", document.section_delete, name="section_delete"),
    path("<int:pk>/preview/", document.preview, name="preview"),
    # the client PM's review: understood, or a question
    path("<int:pk>/review/", document.review, name="review"),
    path("<int:pk>/sections/<int:section_pk>/understood/", document.section_understood, name="section_understood"),
    path("<int:pk>/sections/<int:section_pk>/ask/", document.section_ask, name="section_ask"),
    path("<int:pk>/pm-questions/<int:question_pk>/answer/", document.pm_question_answer, name="pm_question_answer"),
    # requirements and evaluation criteria
    path("<int:pk>/requirements/", catalogue.requirement_list, name="requirements"),
    path("<int:pk>/requirements/new/", catalogue.requirement_create, name="requirement_create"),
    path("<int:pk>/requirements/<int:req_pk>/edit/", catalogue.requirement_edit, name="requirement_edit"),
    path("<int:pk>/requirements/<int:req_pk>/up/", catalogue.requirement_up, name="requirement_up"),
    path("<int:pk>/requirements/<int:req_pk>/down/", catalogue.requirement_down, name="requirement_down"),
    path("<int:pk>/requirements/<int:req_pk>/delete/", catalogue.requirement_delete, name="requirement_delete"),
    path("<int:pk>/criteria/", catalogue.criteria, name="criteria"),
    # status: review, approval (the inbox's URLs), issue, close; versions
    path("<int:pk>/submit/", lifecycle.submit, name="submit"),
    path("<int:pk>/recall/", lifecycle.recall, name="recall"),
    path("<int:pk>/issue/", lifecycle.issue, name="issue"),
    path("<int:pk>/close/", lifecycle.close, name="close"),
    path("<int:pk>/versions/", lifecycle.versions, name="versions"),
    path("<int:pk>/versions/compare/", lifecycle.compare, name="compare"),
    path("<int:pk>/versions/<int:number>/", lifecycle.version_detail, name="version_detail"),
    *vendor_urlpatterns,
    *evaluation_urlpatterns,
    *library_urlpatterns,
]
