"""Evaluating the proposals of an RFP (views/evaluation.py)."""

from django.urls import path

from .views import evaluation

urlpatterns = [
    path("<int:pk>/evaluation/", evaluation.evaluation, name="evaluation"),
    path("<int:pk>/evaluation/declare/", evaluation.evaluator_declare, name="evaluator_declare"),
    path("<int:pk>/evaluation/proposals/<int:proposal_pk>/", evaluation.score, name="score"),
    path("<int:pk>/evaluation/recommendation/", evaluation.recommendation, name="recommendation"),
]
