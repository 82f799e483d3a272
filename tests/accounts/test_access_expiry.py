"""Time passes (issue 4, "Done when" 1 at service level): reminders before the end, expiry by the beat job,
removal confirmed by the PMO, and access-review reminders until every access is decided.
"""

import zoneinfo
from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from accounts import services
from accounts.models import AccessEvent, EventVerb, Grant, GrantStatus, RequestKind, RequestStatus, ReviewDecision
from pmo_portal import reminders
from pmo_portal.models import AuditEvent, Notification
from projects.models import Role

from ..access_factories import delegation_for, draft_request, request_in
from ..factories import MembershipFactory, ProjectFactory, UserFactory

UTC = zoneinfo.ZoneInfo("UTC")


def at(day: date, hour: int = 0) -> datetime:
    """The hourly beat runs at five past each hour."""
    return datetime.combine(day, time(hour, 5), tzinfo=UTC)


def _message(excinfo) -> str:
    return " ".join(excinfo.value.messages)


@pytest.fixture
def granted(pmo, client_pm, security, vendor_a, vendor_b, reader, project):
    """Tanaka (vendor A) holds read access to the claims test DB for 90 days from today."""
    delegation = delegation_for(project, pmo)
    request_in(project, RequestStatus.PROVISIONED)
    grant = Grant.objects.get()
    assert grant.end_date == timezone.localdate() + timedelta(days=89)
    return grant, delegation


# --- expiry ----------------------------------------------------------------------------------------------


def test_it_expires_a_grant_once_the_day_after_its_end(granted, pmo):
    grant, _delegation = granted
    assert services.grants_expire_due(today=grant.end_date) == 0  # the last day still counts
    assert services.grants_expire_due(today=grant.end_date + timedelta(days=1)) == 1
    assert services.grants_expire_due(today=grant.end_date + timedelta(days=1)) == 0  # the beat runs every hour
    assert services.grants_expire_due(today=grant.end_date + timedelta(days=5)) == 0
    grant.refresh_from_db()
    assert grant.status == GrantStatus.EXPIRED and grant.expired_at is not None and grant.removed_at is None
    assert AuditEvent.objects.filter(verb="access.grant_expire").count() == 1
    assert AccessEvent.objects.filter(grant=grant, verb=EventVerb.EXPIRED, actor=None).count() == 1
    note = Notification.objects.get(kind="access.expired")
    assert note.recipient == pmo and "remove the account on the system and confirm it" in note.sentence


def test_an_expired_grant_waits_in_the_removal_list_until_the_pmo_confirms(granted, pmo):
    grant, delegation = granted
    assert not Grant.objects.to_remove().exists()
    services.grants_expire_due(today=grant.end_date + timedelta(days=1))
    assert list(Grant.objects.to_remove()) == [grant]
    services.grant_confirm_removal(actor=pmo, grant=grant, delegation=delegation, comment="Deleted in AD.")
    assert not Grant.objects.to_remove().exists()
    grant.refresh_from_db()
    assert (grant.status, grant.removed_by, grant.removal_delegation) == (GrantStatus.EXPIRED, pmo, delegation)
    step = AccessEvent.objects.get(grant=grant, verb=EventVerb.REMOVAL_CONFIRMED)
    assert (step.actor, step.delegation, step.comment) == (pmo, delegation, "Deleted in AD.")
    with pytest.raises(ValidationError) as excinfo:
        services.grant_confirm_removal(actor=pmo, grant=grant, delegation=delegation)
    assert _message(excinfo) == "This access is not an expired account waiting for removal."


def test_the_removal_of_an_expired_grant_cannot_cite_a_revoked_delegation(granted, pmo, security):
    grant, delegation = granted
    services.grants_expire_due(today=grant.end_date + timedelta(days=1))
    services.delegation_revoke(actor=security, delegation=delegation, reason="Audit finding.")
    with pytest.raises(ValidationError) as excinfo:
        services.grant_confirm_removal(actor=pmo, grant=grant, delegation=delegation)
    assert _message(excinfo) == "This delegation is revoked; it cannot be used. Ask the security officer for a new one."
    assert list(Grant.objects.to_remove()) == [grant]


def test_an_extended_grant_does_not_expire_at_its_old_end(granted, project, pmo, client_pm, vendor_a):
    grant, delegation = granted
    extension = draft_request(project, vendor_a, kind=RequestKind.EXTEND, grant=grant, days=30)
    services.access_request_submit(actor=vendor_a, request=extension)
    services.access_request_forward(actor=pmo, request=extension)
    services.access_request_approve(actor=client_pm, request=extension)
    services.access_request_provision(actor=pmo, request=extension, delegation=delegation, login_names={})
    assert services.grants_expire_due(today=grant.end_date + timedelta(days=1)) == 0
    assert services.grants_expire_due(today=grant.end_date + timedelta(days=31)) == 1


def test_the_beat_schedules_the_expiry_job():
    from pmo_portal.celery import app

    app.loader.import_default_modules()
    entry = settings.CELERY_BEAT_SCHEDULE["expire-grants"]
    assert entry["task"] == "accounts.tasks.expire_grants" and entry["task"] in app.tasks


# --- reminders before the end ----------------------------------------------------------------------------


def _expiring(user=None):
    notes = Notification.objects.filter(kind="access.expiring")
    return notes.filter(recipient=user) if user is not None else notes


def _beat(first: date, last: date | None = None, every: int = 1) -> int:
    """Run the hourly beat (or one beat in ``every`` hours) from the first to the last day; how many went out."""
    sent, day = 0, first
    while day <= (last or first):
        for hour in range(0, 24, every):
            sent += reminders.send_due_reminders(now=at(day, hour))
        day += timedelta(days=1)
    return sent


@pytest.fixture
def second_vendor_a_user(project, orgs):
    user = UserFactory(username="vendor-a2", organization=orgs.vendor_a)
    MembershipFactory(project=project, user=user, role=Role.VENDOR, organization=orgs.vendor_a)
    return user


def test_it_reminds_vendor_and_pmo_14_and_3_days_before_the_end_exactly_once(granted, pmo, vendor_a, second_vendor_a_user):  # fmt: skip
    grant, _delegation = granted
    end = grant.end_date
    assert _beat(end - timedelta(days=20), end - timedelta(days=16), every=6) == 0
    assert _beat(end - timedelta(days=15)) == 0
    assert _beat(end - timedelta(days=14)) == 3  # hour by hour: vendor-a, vendor-a2 and pmo, once
    assert reminders.send_due_reminders(now=at(end - timedelta(days=14), 23)) == 0  # twice the same hour
    assert _beat(end - timedelta(days=13)) == 0
    assert _beat(end - timedelta(days=12), end - timedelta(days=4), every=6) == 0
    assert _beat(end - timedelta(days=3)) == 3
    assert _beat(end - timedelta(days=2), end + timedelta(days=2), every=6) == 0
    assert sorted(_expiring().values_list("recipient__username", flat=True)) == sorted(["pmo", "vendor-a", "vendor-a2"] * 2)  # fmt: skip
    sentences = sorted(n.sentence for n in _expiring(vendor_a))
    login = grant.login_name
    assert (
        sentences
        == [
            f"The access of Tanaka to Claims test DB ({login}) expires on {end.isoformat()}, in 14 days. Ask for an extension if it is still needed.",  # fmt: skip
            f"The access of Tanaka to Claims test DB ({login}) expires on {end.isoformat()}, in 3 days. Ask for an extension if it is still needed.",  # fmt: skip
        ]
    )
    assert {n.url for n in _expiring()} == {grant.get_absolute_url()}


def test_expiry_reminders_reach_no_one_else(granted, project, orgs, client_pm, security, vendor_b, reader, pmo):
    """Not vendor B, not the client PM, security officer or readers; not someone who is PMO in another project only."""
    other = ProjectFactory(code="GAMMA", client=orgs.client, pmo_firm=orgs.pmo)
    reader_here_pmo_there = UserFactory(username="pmo-elsewhere", organization=orgs.pmo)
    MembershipFactory(project=project, user=reader_here_pmo_there, role=Role.READER, organization=orgs.client)
    MembershipFactory(project=other, user=reader_here_pmo_there, role=Role.PMO, organization=orgs.pmo)
    vendor_a_elsewhere = UserFactory(username="kaito-elsewhere", organization=orgs.vendor_a)
    MembershipFactory(project=project, user=vendor_a_elsewhere, role=Role.READER, organization=orgs.client)
    MembershipFactory(project=other, user=vendor_a_elsewhere, role=Role.VENDOR, organization=orgs.vendor_a)
    grant, _delegation = granted
    reminders.send_due_reminders(now=at(grant.end_date - timedelta(days=14), 9))
    assert set(_expiring().values_list("recipient__username", flat=True)) == {"pmo", "vendor-a"}


def test_it_catches_up_after_a_beat_outage_and_still_sends_each_reminder_once(granted, vendor_a):
    grant, _delegation = granted
    end = grant.end_date
    assert reminders.send_due_reminders(now=at(end - timedelta(days=10), 6)) == 2  # the 14-day one, late
    assert _beat(end - timedelta(days=10), end - timedelta(days=4), every=6) == 0
    assert reminders.send_due_reminders(now=at(end - timedelta(days=1), 6)) == 2  # the 3-day one, late
    assert _expiring(vendor_a).count() == 2


def test_an_extension_brings_the_reminders_back_for_the_new_end(granted, project, pmo, client_pm, vendor_a):
    grant, delegation = granted
    old_end = grant.end_date
    reminders.send_due_reminders(now=at(old_end - timedelta(days=14), 9))
    extension = draft_request(project, vendor_a, kind=RequestKind.EXTEND, grant=grant, days=60)
    services.access_request_submit(actor=vendor_a, request=extension)
    services.access_request_forward(actor=pmo, request=extension)
    services.access_request_approve(actor=client_pm, request=extension)
    services.access_request_provision(actor=pmo, request=extension, delegation=delegation, login_names={})
    assert _beat(old_end - timedelta(days=13), old_end + timedelta(days=45), every=12) == 0
    new_end = old_end + timedelta(days=60)
    assert reminders.send_due_reminders(now=at(new_end - timedelta(days=14), 9)) == 2
    assert f"expires on {new_end.isoformat()}, in 14 days" in _expiring(vendor_a).order_by("pk").last().sentence


def test_no_reminder_for_access_already_revoked(granted, pmo):
    grant, _delegation = granted
    services.grant_request_revocation(actor=pmo, grant=grant, reason="Changed teams.")
    assert _beat(grant.end_date - timedelta(days=14), grant.end_date, every=6) == 0


# --- access review reminders -----------------------------------------------------------------------------


def _review_reminders(campaign, user=None):
    """The reminders of an access review (not the notice its start sent)."""
    notes = Notification.objects.filter(kind="access.review", pk__gt=campaign.started_notice)
    return notes.filter(recipient=user) if user is not None else notes


@pytest.fixture
def review(granted, project, pmo, client_pm, vendor_a):
    """An access review of two active grants; the client PMs were told when it started."""
    request_in(project, RequestStatus.PROVISIONED, person_name="Sato")
    second_pm = UserFactory(username="pm2", organization=project.client)
    MembershipFactory(project=project, user=second_pm, role=Role.CLIENT_PM)
    campaign = services.review_start(actor=pmo, project=project, title="Q3 access review", due_date=timezone.localdate() + timedelta(days=7))  # fmt: skip
    started = Notification.objects.filter(kind="access.review")
    assert sorted(started.values_list("recipient__username", flat=True)) == ["pm", "pm2"]
    campaign.started_notice = max(started.values_list("pk", flat=True))
    return campaign, second_pm


def _next_working_day(day):
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


def test_review_reminders_go_to_each_client_pm_once_a_working_day_until_everything_is_decided(review, client_pm, pmo, security, vendor_a):  # fmt: skip
    campaign, second_pm = review
    today = timezone.localdate()
    assert _beat(today) == 0, "not on the day it starts: the start notice just went out"
    saturday = today + timedelta(days=(5 - today.weekday()) % 7 or 7)
    assert _beat(saturday, saturday + timedelta(days=1)) == 0, "not at weekends"
    day1 = _next_working_day(today)
    day2 = _next_working_day(day1)
    assert _beat(day1) == 2
    assert reminders.send_due_reminders(now=at(day1, 23)) == 0
    assert sorted(_review_reminders(campaign).values_list("recipient__username", flat=True)) == ["pm", "pm2"]
    first, second = campaign.items.order_by("pk")
    services.review_decide(actor=client_pm, item=first, decision=ReviewDecision.KEEP)
    assert _beat(day2, every=2) == 2  # one still undecided
    assert "keep or revoke 1 access by" in _review_reminders(campaign, second_pm).order_by("pk").last().sentence
    services.review_decide(actor=second_pm, item=second, decision=ReviewDecision.REVOKE, comment="Sato left.")
    campaign.refresh_from_db()
    assert campaign.closed_at is not None
    assert _beat(day2 + timedelta(days=1), day2 + timedelta(days=5), every=6) == 0
    assert _review_reminders(campaign, client_pm).count() == 2 and _review_reminders(campaign, second_pm).count() == 2
    assert not _review_reminders(campaign).exclude(recipient__in=[client_pm, second_pm]).exists()
