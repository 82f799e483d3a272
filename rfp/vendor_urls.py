"""Vendors and an issued RFP: invitations, questions and answers, proposals (views/vendors.py)."""

from django.urls import path

from .views import vendors

urlpatterns = [
    path("<int:pk>/vendors/", vendors.invitations, name="invitations"),
    path("<int:pk>/vendors/invite/", vendors.invite, name="invite"),
    path("<int:pk>/questions/", vendors.questions, name="questions"),
    path("<int:pk>/questions/ask/", vendors.question_ask, name="question_ask"),
    path("<int:pk>/answers/new/", vendors.answer_create, name="answer_create"),
    path("<int:pk>/answers/<int:answer_pk>/publish/", vendors.answer_publish, name="answer_publish"),
    path("<int:pk>/answers/<int:answer_pk>/delete/", vendors.answer_delete, name="answer_delete"),
    path("<int:pk>/proposals/", vendors.proposals, name="proposals"),
    path("<int:pk>/proposals/upload/", vendors.proposal_upload, name="proposal_upload"),
    path("<int:pk>/proposals/open/", vendors.proposals_open, name="proposals_open"),
    path("<int:pk>/proposals/<int:proposal_pk>/file/", vendors.proposal_download, name="proposal_download"),
]
