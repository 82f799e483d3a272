"""Writing a manual through its pages: the list, a new manual, the overview with what blocks publishing, steps,
screenshots (upload, annotate, remove), reordering, environments and the project's settings."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from manuals import services
from manuals.models import Manual, ManualSettings, ManualStatus, Screenshot, ScreenshotVersion, Step, VersionState
from pmo_portal.models import AuditEvent

from ..conftest import client_for
from ..dictionary_factories import approved
from ..manual_factories import START_CALLOUT, START_CENTRE, desktop, published, replace, upload

pytestmark = pytest.mark.django_db

SMALL = (320, 180)  # small synthetic screens keep these tests fast; the diff itself is tested elsewhere
PDF_AS_PNG = b"%PDF-1.7\n1 0 obj <</Type /Catalog>> endobj\ntrailer <<>>\n%%EOF\n"


def url(manual, name="manuals:detail", **kwargs):
    return reverse(name, kwargs={"code": manual.project.code, "pk": manual.pk, **kwargs})


def project_url(project, name="manuals:list"):
    return reverse(name, kwargs={"code": project.code})


def small_screen(seed: int = 0) -> bytes:
    return desktop((4, SMALL[1] - 24), size=SMALL, seed_text=seed)


def small_manual(project, pmo, *, steps: int = 2, title="経費精算の手順", instruction="**スタート**を押します。") -> Manual:
    """A draft manual with ``steps`` steps, each with a small screenshot for all environments and one for Windows 11."""
    manual = services.manual_create(actor=pmo, project=project, title=title, language="ja", variants=["Windows 10", "Windows 11"])  # fmt: skip
    windows11 = manual.variants.get(name="Windows 11")
    for n in range(1, steps + 1):
        step = services.step_add(actor=pmo, manual=manual, title=f"手順{n}", instruction=instruction, expected="メニューが開きます。")  # fmt: skip
        services.screenshot_upload(actor=pmo, step=step, variant=None, file=upload(small_screen(n)))
        services.screenshot_upload(actor=pmo, step=step, variant=windows11, file=upload(small_screen(n + 100)))
    return manual


def stored_files(name: str) -> list[Path]:
    folder = Path(settings.MEDIA_ROOT) / name
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def page_of(response) -> str:
    return response.content.decode()


def messages_in(response) -> list[str]:
    return [str(m) for m in response.context["messages"]] if response.context else []


# --- who gets in ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "status"),
    [("pmo", 200), ("client_pm", 200), ("security", 200), ("reader", 403), ("vendor_a", 404), ("vendor_b", 404), ("outsider", 404)],  # noqa: E501
)
def test_it_shows_the_working_copy_to_insiders_only(personas, project, persona, status):
    manual = small_manual(project, personas["pmo"], steps=1)
    services.manual_publish(actor=personas["pmo"], manual=manual)  # the reader may read it: still not the working copy
    assert client_for(personas[persona]).get(url(manual)).status_code == status


@pytest.mark.parametrize(("persona", "status"), [("pmo", 200), ("client_pm", 403), ("security", 403), ("reader", 403), ("vendor_a", 404), ("outsider", 404)])  # fmt: skip
def test_only_pmo_staff_open_the_writing_pages(personas, project, persona, status):
    manual = small_manual(project, personas["pmo"], steps=1)
    step = manual.steps.get()
    if persona == "reader":
        services.manual_publish(actor=personas["pmo"], manual=manual)
    client = client_for(personas[persona])
    for page in (url(manual, "manuals:edit"), url(manual, "manuals:step_add"), url(manual, "manuals:step_edit", step_pk=step.pk)):  # fmt: skip
        assert client.get(page).status_code == status, page
    expected_project = {"pmo": 200, "vendor_a": 404, "outsider": 404}.get(persona, 403)
    for page in (project_url(project, "manuals:create"), project_url(project, "manuals:settings")):
        assert client.get(page).status_code == expected_project, page


def test_the_client_pm_reads_the_overview_but_changes_nothing(project, pmo, client_pm):
    manual = small_manual(project, pmo, steps=2)
    first = manual.steps.order_by("position").first()
    page = page_of(client_for(client_pm).get(url(manual)))
    assert "手順1" in page and "手順2" in page
    assert 'data-sortable="' not in page and url(manual, "manuals:step_delete", step_pk=first.pk) not in page
    client = client_for(client_pm)
    for name in ("manuals:step_delete", "manuals:step_duplicate", "manuals:step_down"):
        assert client.post(url(manual, name, step_pk=first.pk)).status_code == 403
    assert client.post(url(manual, "manuals:steps_reorder"), {"order": [first.pk]}, HTTP_HX_REQUEST="true").status_code == 403  # fmt: skip
    assert manual.steps.count() == 2 and manual.steps.order_by("position").first() == first


@pytest.mark.parametrize(
    "name",
    ["manuals:variant_add", "manuals:steps_reorder", "manuals:step_duplicate", "manuals:step_delete", "manuals:step_up",
     "manuals:step_down", "manuals:step_preview", "manuals:screenshot_upload", "manuals:screenshot_annotate",
     "manuals:screenshot_delete", "manuals:variant_delete"],
)  # fmt: skip
def test_actions_refuse_a_get(project, pmo, name):
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    kwargs = {
        "manuals:variant_delete": {"variant_pk": manual.variants.first().pk},
        "manuals:screenshot_annotate": {"shot_pk": step.screenshots.first().pk},
        "manuals:screenshot_delete": {"shot_pk": step.screenshots.first().pk},
    }.get(name, {} if name in ("manuals:variant_add", "manuals:steps_reorder") else {"step_pk": step.pk})
    assert client_for(pmo).get(url(manual, name, **kwargs)).status_code == 405


def test_a_vendor_cannot_reach_another_projects_step_by_changing_the_url(project, hidden_project, pmo, outsider):
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    # the outsider is in the hidden project, not in this one: everything about this manual is a 404
    client = client_for(outsider)
    assert client.get(url(manual, "manuals:step_edit", step_pk=step.pk)).status_code == 404
    assert client.post(url(manual, "manuals:step_delete", step_pk=step.pk)).status_code == 404
    assert Step.objects.filter(pk=step.pk).exists()


# --- the list --------------------------------------------------------------------------------------------------------


def test_the_list_shows_insiders_every_manual_and_readers_the_published_ones(project, pmo, client_pm, reader, vendor_a):
    draft = small_manual(project, pmo, steps=1, title="下書きの手順書")
    shared = small_manual(project, pmo, steps=2, title="公開済みの手順書")
    services.manual_publish(actor=pmo, manual=shared)

    page = page_of(client_for(pmo).get(project_url(project)))
    assert url(draft) in page and url(shared) in page
    assert project_url(project, "manuals:create") in page and project_url(project, "manuals:settings") in page

    page = page_of(client_for(client_pm).get(project_url(project)))
    assert url(draft) in page and project_url(project, "manuals:create") not in page

    response = client_for(reader).get(project_url(project))
    page = page_of(response)
    assert response.status_code == 200
    assert "下書きの手順書" not in page and "公開済みの手順書" in page
    assert url(shared, "manuals:read") in page and url(shared) + '"' not in page

    assert client_for(vendor_a).get(project_url(project)).status_code == 404


def test_the_list_counts_steps_and_screenshots_waiting(project, pmo):
    manual = small_manual(project, pmo, steps=3)
    services.manual_publish(actor=pmo, manual=manual)
    step = manual.steps.order_by("position").first()
    replace(step, None, desktop((200, SMALL[1] - 24), size=SMALL, seed_text=1))
    response = client_for(pmo).get(project_url(project))
    row = response.context["page"].object_list[0]
    assert (row.step_count, row.waiting) == (3, 1)
    assert "1 screenshot waits" in page_of(response)


def _list_queries(client, project) -> int:
    client.get(project_url(project))  # the first visit also checks the sign-in (OTP device) and saves the session
    with CaptureQueriesContext(connection) as queries:
        assert client.get(project_url(project)).status_code == 200
    return len(queries)


def test_the_list_runs_the_same_queries_for_2_and_8_manuals(project, pmo):
    client = client_for(pmo)
    for n in range(2):
        small_manual(project, pmo, steps=1, title=f"手順書{n}")
    few = _list_queries(client, project)
    for n in range(2, 8):
        manual = small_manual(project, pmo, steps=n % 3, title=f"手順書{n}")
        if n % 2:
            services.manual_update(actor=pmo, manual=manual, title=manual.title, audience="", language="ja", reviewer=pmo)
    many = _list_queries(client, project)
    # session, user, project, its membership (role), manuals' page count, the page (reviewer joined, counts as
    # subqueries), messages: whatever the number of manuals
    assert few == many


# --- a new manual, its settings ------------------------------------------------------------------------------------


def test_the_pmo_starts_a_manual_with_its_environments(project, pmo):
    client = client_for(pmo)
    form_page = page_of(client.get(project_url(project, "manuals:create")))
    assert "Windows 10\nWindows 11" in form_page
    data = {"title": "勤怠の入力", "audience": "本社の社員", "language": "ja", "environments": "Windows 11\n\n  Chrome on Mac  \nWindows 11"}  # fmt: skip
    response = client.post(project_url(project, "manuals:create"), data)
    manual = Manual.objects.get(title="勤怠の入力")
    assert response.status_code == 302 and response["Location"] == url(manual)
    assert list(manual.variants.values_list("name", flat=True)) == ["Windows 11", "Chrome on Mac"]
    assert (manual.status, manual.created_by, manual.audience) == (ManualStatus.DRAFT, pmo, "本社の社員")


def test_a_new_manual_needs_a_title_and_an_environment_and_keeps_what_was_typed(project, pmo):
    response = client_for(pmo).post(project_url(project, "manuals:create"), {"title": "", "audience": "支店の事務担当者", "language": "ja", "environments": " \n "})  # fmt: skip
    page = page_of(response)
    assert response.status_code == 200 and not Manual.objects.exists()
    assert "Name at least one environment, e.g. Windows 11." in page and 'value="支店の事務担当者"' in page


def test_the_manual_names_its_reviewer_and_its_readers(project, pmo, client_pm, reader, vendor_a, security):
    manual = small_manual(project, pmo, steps=1)
    client = client_for(pmo)
    form = client.get(url(manual, "manuals:edit")).context["form"]
    assert set(form.fields["reviewer"].queryset) == {pmo, client_pm}
    assert set(form.fields["shared_with"].queryset) == {reader}
    assert "approval inbox" in str(form.fields["reviewer"].help_text)
    data = {"title": "新しい題名", "audience": "", "language": "ja", "reviewer": client_pm.pk, "shared_with": [reader.pk]}
    assert client.post(url(manual, "manuals:edit"), data).status_code == 302
    manual.refresh_from_db()
    assert (manual.title, manual.reviewer, manual.share_with_all_readers) == ("新しい題名", client_pm, False)
    assert list(manual.shared_with.all()) == [reader]
    # a vendor can be neither the reviewer nor a reader of it
    response = client.post(url(manual, "manuals:edit"), data | {"reviewer": vendor_a.pk, "shared_with": [security.pk]})
    assert response.status_code == 200 and response.context["form"].errors.keys() == {"reviewer", "shared_with"}
    manual.refresh_from_db()
    assert manual.reviewer == client_pm


def test_the_project_settings_keep_the_bands_in_order(project, pmo):
    client = client_for(pmo)
    page = page_of(client.get(project_url(project, "manuals:settings")))
    assert 'value="0.10"' in page and 'value="30.00"' in page
    response = client.post(project_url(project, "manuals:settings"), {"unchanged_max_percent": "2", "layout_min_percent": "1.5", "review_months": "6"})  # fmt: skip
    assert response.status_code == 200 and not ManualSettings.objects.filter(project=project).exists()
    assert "A new layout must start above the share that counts as unchanged." in page_of(response)
    assert 'value="1.5"' in page_of(response)
    response = client.post(project_url(project, "manuals:settings"), {"unchanged_max_percent": "0.5", "layout_min_percent": "25", "review_months": "3"})  # fmt: skip
    assert response.status_code == 302
    saved = ManualSettings.objects.get(project=project)
    assert (str(saved.unchanged_max_percent), str(saved.layout_min_percent), saved.review_months) == ("0.50", "25.00", 3)


# --- the overview ----------------------------------------------------------------------------------------------------


def test_the_overview_lists_the_steps_in_order_with_their_pictures_and_linked_terms(project, pmo):
    term = approved(project, "保険金")
    manual = small_manual(project, pmo, steps=2, instruction="**保険金**の請求を開きます。\n\n- 次へ\n- `保険金` はコード")
    response = client_for(pmo).get(url(manual))
    page = page_of(response)
    steps = list(manual.steps.order_by("position"))
    assert page.index(f'data-step-id="{steps[0].pk}"') < page.index(f'data-step-id="{steps[1].pk}"')
    assert f'data-sortable="{url(manual, "manuals:steps_reorder")}"' in page and "data-drag-handle" in page
    term_url = reverse("dictionary:term_detail", kwargs={"code": project.code, "pk": term.pk})
    assert page.count(f'href="{term_url}"') == 2  # linked in the text of both steps, never inside code
    assert "<code>保険金</code>" in page
    shot = steps[0].screenshots.get(variant=None)
    assert url(manual, "manuals:version_image", version=shot.current_id) in page
    assert f'{url(manual, "manuals:step_add")}?after={steps[0].pk}' in page
    assert "data-confirm=" in page and "publish-blocked" not in page


def test_the_banner_lists_the_step_waiting_and_warns_the_callout_may_have_moved(project, pmo):
    manual = published(project, steps=2)
    step = manual.steps.order_by("position").first()
    windows10 = manual.variants.get(name="Windows 10")
    version = replace(step, windows10, desktop(START_CENTRE, seed_text=1))
    assert version.state == VersionState.AWAITING and version.touched
    response = client_for(pmo).get(url(manual))
    page = page_of(response)
    assert 'data-testid="publish-blocked"' in page
    banner = page[page.index('data-testid="waiting-steps"') : page.index("</ul>", page.index('data-testid="waiting-steps"'))]
    assert f"Step 1 “{step.title}”" in banner and "Windows 10" in banner
    assert url(manual, "manuals:version", version=version.pk) in banner
    assert "The element this callout points at may have moved" in page
    assert page.count('data-testid="callout-moved"') == 1
    publish = page[page.index('data-testid="publish-manual"') :][:200]
    export = page[page.index('data-testid="export-draft"') :][:200]
    assert " disabled" in publish and " disabled" in export


def test_the_overview_counts_open_reports_per_step(project, pmo, reader):
    manual = small_manual(project, pmo, steps=2)
    edition = services.manual_publish(actor=pmo, manual=manual)
    second = manual.steps.order_by("position").last()
    services.report_create(actor=reader, edition=edition, step_id=second.pk, variant_id=None, comment="ボタンがありません")
    page = page_of(client_for(pmo).get(url(manual)))
    assert page.count('data-testid="step-reports"') == 1 and "1 reader says the screen looks different" in page
    assert url(manual, "manuals:reports") in page


def _detail_queries(client, manual) -> int:
    client.get(url(manual))  # the first visit also checks the sign-in and builds the dictionary's phrase index
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url(manual)).status_code == 200
    return len(queries)


def test_the_overview_runs_the_same_queries_for_2_and_12_steps(project, pmo, reader):
    approved(project, "保険金", avoid=["払戻金"])
    text = "**保険金**を確認します。\n\n1. 払戻金ではなく保険金\n2. [リンク](https://example.com)"
    manual = small_manual(project, pmo, steps=2, instruction=text)
    edition = services.manual_publish(actor=pmo, manual=manual)
    services.report_create(actor=reader, edition=edition, step_id=manual.steps.first().pk, variant_id=None)
    client = client_for(pmo)
    few = _detail_queries(client, manual)
    windows11 = manual.variants.get(name="Windows 11")
    for n in range(3, 13):
        step = services.step_add(actor=pmo, manual=manual, title=f"手順{n}", instruction=text)
        services.screenshot_upload(actor=pmo, step=step, variant=windows11, file=upload(small_screen(n)))
    replace(manual.steps.order_by("position").first(), windows11, desktop((200, SMALL[1] - 24), size=SMALL))
    many = _detail_queries(client, manual)
    # session, user, manual with project, role, steps with report counts, their screenshots with current
    # version and variant, dictionary (stamp, terms), variants, waiting versions, publish blockers (3), reviewer,
    # open reports: whatever the number of steps, paragraphs and linked terms
    assert few == many


def _without_tokens(page: str) -> str:
    """The page without what changes on every answer: CSRF tokens and script nonces."""
    return re.sub(r'(name="csrfmiddlewaretoken" value|nonce)="[^"]+"', "", page)


def test_the_overview_shows_every_change_at_once_though_each_worker_keeps_what_it_rendered(project, pmo):
    from django.db.models import F

    from projects.models import Project, Term

    term = approved(project, "保険金")
    manual = small_manual(project, pmo, steps=2, instruction="保険金を確認します。")
    client = client_for(pmo)
    page = page_of(client.get(url(manual)))
    assert _without_tokens(page_of(client.get(url(manual)))) == _without_tokens(page)
    assert page.count("保険金: the standard definition.") == 2
    # Another worker changes the dictionary: here only its version number says so (no save in this process).
    Term.objects.filter(pk=term.pk).update(standard_definition="Changed in another worker.")
    Project.objects.filter(pk=project.pk).update(dictionary_version=F("dictionary_version") + 1)
    page = page_of(client.get(url(manual)))
    assert page.count("Changed in another worker.") == 2 and "the standard definition" not in page
    first, second = manual.steps.order_by("position")
    services.step_update(actor=pmo, step=second, title="新しい手順", instruction="払戻金を確認します。", expected="")
    shot = first.screenshots.get(variant=None)
    services.screenshot_annotate(actor=pmo, screenshot=shot, shapes=[{"type": "rect", "x": 0.1, "y": 0.1, "w": 0.2, "h": 0.2}])  # fmt: skip
    page = page_of(client.get(url(manual)))
    assert "新しい手順" in page and "手順2" not in page and page.count("メニューが開きます。") == 1
    card = page[page.index(f'id="step-{first.pk}"') :]
    assert "<rect " in card[: card.index("</figure>")]


def test_the_step_cards_forms_carry_a_token_of_the_answers_own_session(project, pmo):
    manual = small_manual(project, pmo, steps=2)
    for _visit in range(2):  # the second answer's cards are the kept ones
        top = manual.steps.order_by("position").first()
        client = client_for(pmo, enforce_csrf_checks=True)
        page = page_of(client.get(url(manual)))
        assert "<!--csrf_input-->" not in page
        form = page[page.index('action="' + url(manual, "manuals:step_down", step_pk=top.pk)) :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
        assert client.post(url(manual, "manuals:step_down", step_pk=top.pk), {"csrfmiddlewaretoken": token}).status_code == 302  # fmt: skip
        assert manual.steps.order_by("position").last() == top


def test_step_links_are_built_as_reverse_builds_them():
    from manuals.views.common import url_maker

    for pk in (1, 9, 10, 123456789):
        for name in ("manuals:step_edit", "manuals:step_delete"):
            assert url_maker(name, "step_pk", code="AB-1", pk=7)(pk) == reverse(name, kwargs={"code": "AB-1", "pk": 7, "step_pk": pk})  # fmt: skip
        assert url_maker("manuals:version", "version", code="X", pk=11)(pk) == reverse("manuals:version", kwargs={"code": "X", "pk": 11, "version": pk})  # fmt: skip


# --- steps -----------------------------------------------------------------------------------------------------------


def test_a_step_is_added_at_the_end_or_after_another(project, pmo):
    manual = small_manual(project, pmo, steps=2)
    first, second = manual.steps.order_by("position")
    client = client_for(pmo)
    response = client.post(url(manual, "manuals:step_add"), {"title": "最後の手順", "instruction": "閉じます。", "expected": ""})
    last = manual.steps.get(title="最後の手順")
    assert response.status_code == 302 and response["Location"].startswith(url(manual, "manuals:step_edit", step_pk=last.pk))
    page = page_of(client.get(url(manual, "manuals:step_add") + f"?after={first.pk}"))
    assert f'name="after" value="{first.pk}"' in page
    client.post(url(manual, "manuals:step_add"), {"title": "間の手順", "instruction": "", "expected": "", "after": first.pk})
    titles = list(manual.steps.order_by("position").values_list("title", flat=True))
    assert titles == [first.title, "間の手順", second.title, "最後の手順"]
    for junk in ("²", "9" * 40, "abc"):  # a hand-made ?after= adds the step at the end, never a 500
        assert client.get(url(manual, "manuals:step_add") + f"?after={junk}").status_code == 200


def test_the_step_editor_keeps_what_was_typed_and_lists_dictionary_problems(project, pmo):
    approved(project, "保険金", avoid=["払戻金"])
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    response = client_for(pmo).post(url(manual, "manuals:step_edit", step_pk=step.pk), {"title": "", "instruction": "払戻金を入力します。", "expected": "画面が変わります。"})  # fmt: skip
    page = page_of(response)
    assert response.status_code == 200 and "払戻金を入力します。" in page and "画面が変わります。" in page
    assert "line 1, column 1: “払戻金” is a word to avoid: write “保険金”." in page
    step.refresh_from_db()
    assert step.instruction == "**スタート**を押します。"


def test_the_live_preview_links_terms_and_flags_words_to_avoid(project, pmo):
    term = approved(project, "保険金", avoid=["払戻金"])
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    response = client_for(pmo).post(url(manual, "manuals:step_preview", step_pk=step.pk), {"instruction": "**保険金**と払戻金\n<script>x</script>"}, HTTP_HX_REQUEST="true")  # fmt: skip
    page = page_of(response)
    assert reverse("dictionary:term_detail", kwargs={"code": project.code, "pk": term.pk}) in page
    assert "term-avoid" in page and "“払戻金” is a word to avoid" in page
    assert "<script>x" not in page and "&lt;script&gt;" in page


def test_saving_the_text_answers_the_reviewers_request_for_a_text_change(project, pmo, client_pm):
    manual = published(project, steps=1)
    step = manual.steps.get()
    windows10 = manual.variants.get(name="Windows 10")
    version = replace(step, windows10, desktop(START_CENTRE, seed_text=1))
    services.version_confirm(actor=client_pm, version=version, decision="text_needs_change")
    client = client_for(pmo)
    page = page_of(client.get(url(manual, "manuals:step_edit", step_pk=step.pk)))
    assert 'data-testid="needs-text-change"' in page and "saving clears this request" in page
    assert 'data-testid="needs-text-change"' in page_of(client.get(url(manual)))
    client.post(url(manual, "manuals:step_edit", step_pk=step.pk), {"title": step.title, "instruction": "画面下中央の **スタート** を押します。", "expected": ""})  # fmt: skip
    step.refresh_from_db()
    assert not step.needs_text_change and services.publish_blockers(manual) == []


def test_steps_are_duplicated_moved_and_deleted(project, pmo):
    manual = small_manual(project, pmo, steps=2)
    first, second = manual.steps.order_by("position")
    client = client_for(pmo)
    response = client.post(url(manual, "manuals:step_duplicate", step_pk=first.pk))
    copy = manual.steps.exclude(pk__in=[first.pk, second.pk]).get()
    assert response.status_code == 302 and response["Location"] == url(manual) + f"#step-{copy.pk}"
    assert list(manual.steps.order_by("position")) == [first, copy, second]
    assert copy.screenshots.count() == 2
    client.post(url(manual, "manuals:step_down", step_pk=first.pk))
    client.post(url(manual, "manuals:step_up", step_pk=second.pk))
    assert list(manual.steps.order_by("position")) == [copy, second, first]
    response = client.post(url(manual, "manuals:step_delete", step_pk=copy.pk), follow=True)
    assert f"The step “{copy.title}” is deleted. Published editions keep it." in messages_in(response)
    assert list(manual.steps.order_by("position")) == [second, first]


def test_drag_and_drop_saves_the_order_and_refuses_a_stale_one(project, pmo):
    manual = small_manual(project, pmo, steps=3)
    a, b, c = manual.steps.order_by("position")
    client = client_for(pmo)
    response = client.post(url(manual, "manuals:steps_reorder"), {"order": [c.pk, a.pk, b.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert list(manual.steps.order_by("position")) == [c, a, b]
    # someone deleted a step meanwhile: this page's order names a step that is gone
    response = client.post(url(manual, "manuals:steps_reorder"), {"order": [a.pk, b.pk]}, HTTP_HX_REQUEST="true")
    assert response.status_code == 409 and response["Content-Type"].startswith("text/plain")
    assert page_of(response) == "The steps changed while you were moving them. Reload the page and try again."
    for junk in (["x", "1"], ["²", "³"], ["9" * 40]):
        response = client.post(url(manual, "manuals:steps_reorder"), {"order": junk}, HTTP_HX_REQUEST="true")
        assert response.status_code == 409, junk
    assert list(manual.steps.order_by("position")) == [c, a, b]
    # without JavaScript's header: back to the overview with a message
    response = client.post(url(manual, "manuals:steps_reorder"), {"order": [a.pk, b.pk, c.pk]}, follow=True)
    assert response.redirect_chain[-1][0] == url(manual) + "#steps"
    assert list(manual.steps.order_by("position")) == [a, b, c]


def test_environments_are_added_and_the_last_one_stays(project, pmo):
    manual = services.manual_create(actor=pmo, project=project, title="手順書", language="ja", variants=["Windows 10"])
    client = client_for(pmo)
    client.post(url(manual, "manuals:variant_add"), {"name": "Windows 11"})
    response = client.post(url(manual, "manuals:variant_add"), {"name": "windows 11"}, follow=True)
    assert "This manual already has an environment called “windows 11”." in messages_in(response)
    assert list(manual.variants.values_list("name", flat=True)) == ["Windows 10", "Windows 11"]
    first, second = manual.variants.all()
    client.post(url(manual, "manuals:variant_delete", variant_pk=second.pk))
    response = client.post(url(manual, "manuals:variant_delete", variant_pk=first.pk), follow=True)
    assert "A manual needs at least one environment." in messages_in(response)
    assert list(manual.variants.all()) == [first]


# --- screenshots -----------------------------------------------------------------------------------------------------


def test_the_step_editor_shows_each_environment_with_its_upload_and_history(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    page = page_of(client_for(pmo).get(url(manual, "manuals:step_edit", step_pk=step.pk)))
    assert page.count('data-testid="shot-panel"') == 3  # all environments, Windows 10, Windows 11
    assert page.count("data-image-drop") == 3 and page.count("data-drop-zone") == 3
    assert page.count('accept="image/png,image/jpeg,image/webp"') == 3
    assert page.count("data-annotator>") == 2  # Windows 10 has no picture of its own
    assert "No screenshot of its own: readers in this environment see the one for all environments." in page
    shot = step.screenshots.get(variant=None)
    assert url(manual, "manuals:screenshot_annotate", shot_pk=shot.pk) in page
    assert url(manual, "manuals:version", version=shot.current_id) in page  # its version history


def test_a_png_is_uploaded_for_one_environment(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    windows10 = manual.variants.get(name="Windows 10")
    response = client_for(pmo).post(url(manual, "manuals:screenshot_upload", step_pk=step.pk), {"variant": windows10.pk, "image": upload(small_screen(7))}, follow=True)  # fmt: skip
    assert response.redirect_chain[-1][0] == url(manual, "manuals:step_edit", step_pk=step.pk) + f"#shot-{windows10.pk}"
    assert "Screenshot saved." in messages_in(response)
    version = ScreenshotVersion.objects.get(screenshot__step=step, screenshot__variant=windows10)
    assert (version.number, version.state, version.uploaded_by) == (1, VersionState.ACCEPTED, pmo)


def test_a_replaced_published_picture_is_said_to_be_compared(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    services.manual_publish(actor=pmo, manual=manual)
    step = manual.steps.get()
    response = client_for(pmo).post(url(manual, "manuals:screenshot_upload", step_pk=step.pk), {"variant": "", "image": upload(small_screen(9))}, follow=True)  # fmt: skip
    assert "Uploaded; it is being compared with the published picture." in messages_in(response)


def test_a_pdf_renamed_png_is_refused_next_to_the_upload_and_nothing_is_stored(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    windows11 = manual.variants.get(name="Windows 11")
    before = (ScreenshotVersion.objects.count(), len(stored_files("manuals")))
    fake = SimpleUploadedFile("screen.png", PDF_AS_PNG, content_type="image/png")
    response = client_for(pmo).post(url(manual, "manuals:screenshot_upload", step_pk=step.pk), {"variant": windows11.pk, "image": fake})  # fmt: skip
    page = page_of(response)
    assert response.status_code == 422
    panel = page[page.index(f'id="shot-{windows11.pk}"') :]
    upload_form = panel[panel.index('data-testid="upload-form"') : panel.index("</form>", panel.index('data-testid="upload-form"'))]  # fmt: skip
    assert "This file is not a PNG, JPEG or WebP image." in upload_form
    assert page.count('data-testid="upload-error"') == 1
    assert (ScreenshotVersion.objects.count(), len(stored_files("manuals"))) == before


def test_an_upload_without_a_file_or_for_another_manuals_environment_is_refused(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    other = small_manual(project, pmo, steps=1, title="別の手順書")
    step = manual.steps.get()
    client = client_for(pmo)
    response = client.post(url(manual, "manuals:screenshot_upload", step_pk=step.pk), {"variant": ""})
    assert response.status_code == 422 and "Choose a screenshot" in page_of(response)
    response = client.post(url(manual, "manuals:screenshot_upload", step_pk=step.pk), {"variant": other.variants.first().pk, "image": upload(small_screen())})  # fmt: skip
    assert response.status_code == 422 and "Select a valid choice" in page_of(response)
    assert not Screenshot.objects.filter(step=step, variant__manual=other).exists()


def test_annotations_are_saved_and_broken_ones_refused(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    shot = manual.steps.get().screenshots.get(variant=None)
    client = client_for(pmo)
    target = url(manual, "manuals:screenshot_annotate", shot_pk=shot.pk)
    response = client.post(target, {"annotations": json.dumps(START_CALLOUT)}, follow=True)
    assert "The annotations are saved." in messages_in(response)
    assert response.redirect_chain[-1][0].endswith("#shot-all")
    shot.refresh_from_db()
    assert shot.annotations == START_CALLOUT
    assert AuditEvent.objects.filter(verb="manual.annotate").count() == 1
    for broken, message in (('[{"type": "rect", "x": 0.1', "The annotations could not be read; draw them again."),
                            (json.dumps([{"type": "callout", "x": 0.5, "y": 0.5, "n": 100}]), "Callout numbers go from 1 to 99.")):  # fmt: skip
        response = client.post(target, {"annotations": broken}, follow=True)
        assert message in messages_in(response)
    shot.refresh_from_db()
    assert shot.annotations == START_CALLOUT


def test_a_screenshot_is_removed_from_one_environment(project, pmo):
    manual = small_manual(project, pmo, steps=1)
    step = manual.steps.get()
    shot = step.screenshots.get(variant__name="Windows 11")
    response = client_for(pmo).post(url(manual, "manuals:screenshot_delete", shot_pk=shot.pk), follow=True)
    assert "The screenshot for Windows 11 is removed." in messages_in(response)
    assert list(step.screenshots.values_list("variant", flat=True)) == [None]


def test_the_overview_links_every_instruction_as_if_each_were_rendered_alone(project, pmo):
    import re

    from rfp.markdown import render_linked_markdown_many

    approved(project, "保険金", avoid=["払戻金"], synonyms=["給付金"])
    texts = ["", "**保険金**と払戻金\n\n- 給付金 [保険金](https://example.com)\n- `保険金`", "<b>保険金</b> & 1 < 2\n\n```\n保険金\n```", "ただの文"]  # fmt: skip
    cards = re.compile(r"term-card-\d+")
    batch = [cards.sub("card", str(html)) for html in render_linked_markdown_many(texts, project, pmo)]
    alone = [cards.sub("card", str(render_linked_markdown_many([text], project, pmo)[0])) for text in texts]
    assert batch == alone
    assert "term-avoid" in batch[1] and batch[1].count("term-link") == 2  # not inside the link nor the code
    assert "&lt;b&gt;" in batch[2] and batch[2].count("term-link") == 1  # typed HTML stays text; code blocks unlinked
