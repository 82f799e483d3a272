"""Manual pages of a project: /projects/<code>/manuals/... Writing (authoring), confirming changed screenshots
(review), and reading published editions (reading) live in their own view modules."""

from django.urls import path

from .views import authoring, reading, review

app_name = "manuals"

urlpatterns = [
    path("", authoring.manual_list, name="list"),
    path("new/", authoring.manual_create, name="create"),
    path("settings/", authoring.project_settings, name="settings"),
    path("<int:pk>/", authoring.manual_detail, name="detail"),
    path("<int:pk>/edit/", authoring.manual_edit, name="edit"),
    path("<int:pk>/environments/add/", authoring.variant_add, name="variant_add"),
    path("<int:pk>/environments/<int:variant_pk>/delete/", authoring.variant_delete, name="variant_delete"),
    # steps: add (at the end or after one), edit, duplicate, delete, reorder (drag and drop, or up/down)
    path("<int:pk>/steps/add/", authoring.step_add, name="step_add"),
    path("<int:pk>/steps/reorder/", authoring.steps_reorder, name="steps_reorder"),
    path("<int:pk>/steps/<int:step_pk>/", authoring.step_edit, name="step_edit"),
    path("<int:pk>/steps/<int:step_pk>/duplicate/", authoring.step_duplicate, name="step_duplicate"),
    path("<int:pk>/steps/<int:step_pk>/delete/", authoring.step_delete, name="step_delete"),
    path("<int:pk>/steps/<int:step_pk>/up/", authoring.step_up, name="step_up"),
    path("<int:pk>/steps/<int:step_pk>/down/", authoring.step_down, name="step_down"),
    path("<int:pk>/steps/<int:step_pk>/preview/", authoring.step_preview, name="step_preview"),
    # screenshots: upload (paste or drop) per environment, annotate, remove
    path("<int:pk>/steps/<int:step_pk>/screenshots/upload/", authoring.screenshot_upload, name="screenshot_upload"),
    path("<int:pk>/screenshots/<int:shot_pk>/annotations/", authoring.screenshot_annotate, name="screenshot_annotate"),
    path("<int:pk>/screenshots/<int:shot_pk>/delete/", authoring.screenshot_delete, name="screenshot_delete"),
    # every version of a picture, its comparison and the decision on it
    path("<int:pk>/versions/<int:version>/", review.version_detail, name="version"),
    path("<int:pk>/versions/<int:version>/image/", review.version_image, name="version_image"),
    path("<int:pk>/versions/<int:version>/overlay/", review.version_overlay, name="version_overlay"),
    path("<int:pk>/versions/<int:version>/confirm/", review.version_confirm, name="version_confirm"),
    path("<int:pk>/versions/<int:version>/reject/", review.version_reject, name="version_reject"),
    # review, publishing, the draft's PDF, "still right"
    path("<int:pk>/submit/", review.manual_submit, name="submit"),
    path("<int:pk>/publish/", review.manual_publish, name="publish"),
    path("<int:pk>/export/", review.manual_export, name="export"),
    path("<int:pk>/reviewed/", review.manual_reviewed, name="reviewed"),
    # readers: the latest edition, any edition, its pictures and PDF; "my screen looks different"
    path("<int:pk>/read/", reading.read_latest, name="read"),
    path("<int:pk>/editions/", reading.edition_list, name="editions"),
    path("<int:pk>/editions/<int:number>/", reading.edition_detail, name="edition"),
    path("<int:pk>/editions/<int:number>/pdf/", reading.edition_pdf, name="edition_pdf"),
    path("<int:pk>/editions/<int:number>/images/<int:version>/", reading.edition_image, name="edition_image"),
    path("<int:pk>/editions/<int:number>/steps/<int:step_id>/report/", reading.report_create, name="report"),
    path("<int:pk>/reports/", reading.report_list, name="reports"),
    path("<int:pk>/reports/<int:report_pk>/image/", reading.report_image, name="report_image"),
    path("<int:pk>/reports/<int:report_pk>/resolve/", reading.report_resolve, name="report_resolve"),
]
