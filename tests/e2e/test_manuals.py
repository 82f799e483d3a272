"""A screenshot manual end to end (issue 7, done-when 1): the PMO builds a 3-step manual for Windows 10 and
Windows 11 with annotated screenshots and publishes it; a new Windows 10 picture of step 1 whose Start button
moved flags the step with the callout warning and holds both the draft's PDF and publishing; the client PM
confirms it from the approval inbox; the second edition lists the step in its change log; a reader reads it in
both environments and reports a screen that looks different, which reaches the PMO.

Selectors are ids, names and test ids, not words: the demo people read Japanese and Korean.
"""

import re

from playwright.sync_api import Page, expect

from tests.manual_factories import START_CENTRE, START_LEFT, desktop

from .pages import console_errors, form_with
from .test_sign_in import sign_in

PROJECT = "SMI-CLAIMS"
TITLE = "保険金請求の入力手順（E2E）"
AUDIENCE = "代理店の事務担当者"
ENVIRONMENTS = ("Windows 10", "Windows 11")
# (title, instruction, what you should see now): step 1 names a term of the demo dictionary (保険金, not followed
# by 請求, which would be the longer term 保険金請求).
STEPS = [
    (
        "スタートメニューを開く",
        "画面の左下にある**スタート**ボタンを押します。保険金の画面はここから開きます。",
        "メニューが開きます。",
    ),
    ("請求画面を選ぶ", "メニューの中から「請求入力」を押します。", "請求入力の画面が開きます。"),
    ("入力を送る", "金額と日付を入れて、「送信」を押します。", "「送信しました」と表示されます。"),
]
LINKED_TERM = "保険金"
FIRST_NOTE = "初版"
SECOND_NOTE = "Windows 10 のスタートボタンの位置を更新"
REPORT = "スタートボタンが画面の真ん中にあります。"

# Where the Start button of desktop() is, relative to the picture (48×40 px at START_LEFT of 1920×1080).
SIZE = (1920, 1080)
START = ((START_LEFT[0] + 24) / SIZE[0], (START_LEFT[1] + 20) / SIZE[1])
ARROW_FROM = (0.2, 0.8)


def _panel(page: Page, variant):
    return page.locator(f'[data-testid="shot-panel"][data-variant="{variant.pk}"]')


def _upload(page: Page, step_url: str, variant, path) -> None:
    """Choose the file in the environment's upload form and send it (editor.js submits by itself only on drop or
    paste)."""
    form = _panel(page, variant).get_by_test_id("upload-form")
    form.locator("input[type=file][name=image]").set_input_files(path)
    form.get_by_test_id("upload-submit").click()
    expect(page).to_have_url(f"{step_url}#shot-{variant.pk}")
    expect(page.locator(".messages .alert-success")).to_be_visible()
    expect(_panel(page, variant).get_by_test_id("annotate-form").locator("svg[data-annotator-canvas]")).to_be_visible()


def _at(box: dict, x: float, y: float) -> tuple[float, float]:
    """The screen point at (x, y) of the picture (relative) under the canvas ``box``."""
    return box["x"] + box["width"] * x, box["y"] + box["height"] * y


def test_a_manual_is_built_published_flagged_confirmed_republished_and_read(page: Page, browser, demo: str, tmp_path):
    from manuals.models import Edition, Manual, ScreenReport, ScreenshotVersion, VersionState
    from pmo_portal.models import ExportJob, Notification

    url = demo
    manuals_url = f"{url}/projects/{PROJECT}/manuals"
    shots = {}
    for name, start, seed in [(f"{e}-{n}", s, n) for n in (1, 2, 3) for e, s in (("w10", START_LEFT), ("w11", START_CENTRE))]:  # fmt: skip
        shots[name] = tmp_path / f"{name}.png"
        shots[name].write_bytes(desktop(start, size=SIZE, seed_text=seed))
    moved = tmp_path / "w10-1-moved.png"
    moved.write_bytes(desktop(START_CENTRE, size=SIZE, seed_text=1))
    mine = tmp_path / "my-screen.png"
    mine.write_bytes(desktop(START_CENTRE, size=(1280, 720), window=False))

    # 1. The PMO consultant opens the project's manuals and starts one for Windows 10 and Windows 11.
    pmo = page
    pmo.set_viewport_size({"width": 1280, "height": 1000})  # a screenshot fits in the window to draw on it
    pmo_errors = console_errors(pmo)
    sign_in(pmo, url, "pmo")
    pmo.goto(f"{url}/projects/{PROJECT}/")
    pmo.get_by_test_id("manuals-tab").click()
    expect(pmo).to_have_url(f"{manuals_url}/")
    pmo.get_by_test_id("new-manual").click()
    expect(pmo).to_have_url(f"{manuals_url}/new/")
    pmo.locator("#id_title").fill(TITLE)
    pmo.locator("#id_audience").fill(AUDIENCE)
    pmo.locator("#id_language").select_option("ja")
    pmo.locator("#id_environments").fill("\n".join(ENVIRONMENTS))
    form_with(pmo, "#id_title").locator("button[type=submit]").click()
    expect(pmo).to_have_url(re.compile(rf"{re.escape(manuals_url)}/\d+/$"))
    manual = Manual.objects.get(project__code=PROJECT, title=TITLE)
    manual_url = f"{manuals_url}/{manual.pk}"
    expect(pmo).to_have_url(f"{manual_url}/")
    expect(pmo.get_by_test_id("manual-status").first).to_have_attribute("data-status", "draft")
    expect(pmo.get_by_test_id("environments").locator("li")).to_have_count(2)
    windows10, windows11 = manual.variants.order_by("position")
    assert (windows10.name, windows11.name) == ENVIRONMENTS

    # The client PM confirms its changed screenshots (they wait in the approval inbox).
    pm_user = manual.project.memberships.get(user__username="pm").user
    pmo.get_by_test_id("edit-manual").click()
    expect(pmo).to_have_url(f"{manual_url}/edit/")
    pmo.locator("#id_reviewer").select_option(str(pm_user.pk))
    form_with(pmo, "#id_reviewer").locator("button[type=submit]").click()
    expect(pmo).to_have_url(f"{manual_url}/")
    manual.refresh_from_db()
    assert manual.reviewer == pm_user
    expect(pmo.get_by_test_id("reviewer")).to_contain_text(str(pm_user))

    # Three steps, each with a Windows 10 and a Windows 11 screenshot.
    steps = []
    for number, (title, instruction, expected) in enumerate(STEPS, start=1):
        pmo.goto(f"{manual_url}/")
        pmo.get_by_test_id("add-step").click()
        expect(pmo).to_have_url(f"{manual_url}/steps/add/")
        pmo.locator("#id_title").fill(title)
        pmo.locator("#id_instruction").fill(instruction)
        pmo.locator("#id_expected").fill(expected)
        pmo.get_by_test_id("save-step").click()
        expect(pmo).to_have_url(re.compile(rf"{re.escape(manual_url)}/steps/\d+/#screenshots$"))
        step = manual.steps.get(title=title)
        steps.append(step)
        step_url = f"{manual_url}/steps/{step.pk}/"
        expect(pmo).to_have_url(f"{step_url}#screenshots")
        expect(pmo.get_by_test_id("shot-panel")).to_have_count(3)  # all environments, Windows 10, Windows 11
        if LINKED_TERM in instruction:  # the preview renders the step as readers will see it, the term linked
            expect(pmo.get_by_test_id("preview").locator("a.term-link")).to_have_text(LINKED_TERM)
        _upload(pmo, step_url, windows10, shots[f"w10-{number}"])
        _upload(pmo, step_url, windows11, shots[f"w11-{number}"])
        assert step.screenshots.filter(current__isnull=False).count() == 2

    # On step 1's Windows 10 picture: a numbered callout on the Start button, and an arrow pointing at it.
    first = steps[0]
    first_url = f"{manual_url}/steps/{first.pk}/"
    pmo.goto(first_url)
    annotate = _panel(pmo, windows10).get_by_test_id("annotate-form")
    editor = annotate.locator("[data-annotator]")
    canvas = editor.locator("svg[data-annotator-canvas]")
    expect(editor.locator("[data-annotator-toolbar]")).to_be_visible()  # editor.js runs (no CSP block)
    canvas.evaluate("el => el.scrollIntoView({block: 'center', behavior: 'instant'})")  # Bootstrap scrolls smoothly
    box = canvas.bounding_box()
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 1000, box  # all of it in the window

    editor.locator('[data-tool="callout"]').click()
    expect(editor.locator('[data-tool="callout"]')).to_have_attribute("aria-pressed", "true")
    pmo.mouse.click(*_at(box, *START))
    expect(canvas.locator("[data-shapes] circle")).to_have_count(1)

    editor.locator('[data-tool="arrow"]').click()
    pmo.mouse.move(*_at(box, *ARROW_FROM))
    pmo.mouse.down()
    pmo.mouse.move(*_at(box, START[0] + 0.01, START[1] - 0.03), steps=8)
    pmo.mouse.up()
    expect(canvas.locator("[data-shapes] line")).to_have_count(1)
    drawn = annotate.locator('input[name="annotations"]').input_value()
    assert '"callout"' in drawn and '"arrow"' in drawn, drawn

    annotate.get_by_test_id("save-annotations").click()
    expect(pmo).to_have_url(f"{first_url}#shot-{windows10.pk}")
    saved = _panel(pmo, windows10).locator("svg[data-annotator-canvas] [data-shapes]")
    expect(saved.locator("circle")).to_have_count(1)
    expect(saved.locator("text")).to_have_text("1")
    expect(saved.locator("line")).to_have_count(1)
    shot = first.screenshots.get(variant=windows10)
    callout, arrow = sorted(shot.annotations, key=lambda s: s["type"] != "callout")
    assert callout["type"] == "callout" and callout["n"] == 1
    assert abs(callout["x"] - START[0]) < 0.01 and abs(callout["y"] - START[1]) < 0.01, callout
    assert arrow["type"] == "arrow"

    # The overview: the three steps, the callout drawn on step 1's figure, the dictionary term linked.
    pmo.goto(f"{manual_url}/")
    rows = pmo.locator('[data-testid="steps"] > li[data-step-id]')
    expect(rows).to_have_count(3)
    row1 = pmo.locator(f"#step-{first.pk}")
    expect(row1.locator("figure.annotated svg circle")).to_have_count(1)
    expect(row1.locator("figure.annotated svg text")).to_have_text("1")
    expect(row1.locator(".linked-text a.term-link")).to_have_text(LINKED_TERM)
    expect(pmo.get_by_test_id("publish-blocked")).to_have_count(0)

    # 2. The PMO publishes the first edition; the reading view shows it.
    pmo.locator("#publish-note").fill(FIRST_NOTE)
    pmo.get_by_test_id("publish-manual").click()
    expect(pmo).to_have_url(f"{manual_url}/")
    expect(pmo.get_by_test_id("manual-status").first).to_have_attribute("data-status", "published")
    expect(pmo.get_by_test_id("manual-edition").first).to_contain_text("1")
    assert list(Edition.objects.filter(manual=manual).values_list("number", flat=True)) == [1]
    pmo.get_by_test_id("reading-view").click()
    expect(pmo).to_have_url(f"{manual_url}/editions/1/")
    expect(pmo.get_by_test_id("reader-step")).to_have_attribute("data-step", "1")

    # 3. A new Windows 10 picture of step 1: the Start button moved to the centre.
    pmo.goto(first_url)
    _upload(pmo, first_url, windows10, moved)
    version = ScreenshotVersion.objects.get(screenshot=shot, number=2)
    assert version.state == VersionState.AWAITING, version.state  # compared right after the upload's commit
    assert version.touched, version.regions
    panel = _panel(pmo, windows10)
    expect(panel.get_by_test_id("shot-waiting")).to_be_visible()
    expect(panel.get_by_test_id("callout-moved")).to_be_visible()

    # The overview: the banner names step 1, the callout warning is on its row; no PDF, no publishing.
    pmo.goto(f"{manual_url}/")
    expect(pmo.get_by_test_id("manual-status").first).to_have_attribute("data-status", "draft")
    blocked = pmo.get_by_test_id("publish-blocked")
    expect(blocked).to_be_visible()
    waiting = blocked.locator('[data-testid="waiting-steps"] > li')
    expect(waiting).to_have_count(1)
    expect(waiting).to_have_attribute("data-version", str(version.pk))
    expect(waiting).to_contain_text(STEPS[0][0])
    expect(waiting).to_contain_text(windows10.name)
    expect(row1.get_by_test_id("step-waiting")).to_be_visible()
    expect(row1.get_by_test_id("callout-moved")).to_be_visible()
    expect(pmo.get_by_test_id("callout-moved")).to_have_count(1)  # only step 1
    export, publish = pmo.get_by_test_id("export-draft"), pmo.get_by_test_id("publish-manual")
    expect(export).to_be_disabled()
    expect(publish).to_be_disabled()

    # Sent anyway (as an old page or a script would): both refused with the reason, nothing made.
    exports_before = ExportJob.objects.filter(kind="manual", object_id=str(manual.pk)).count()
    export.evaluate("button => button.form.submit()")
    expect(pmo).to_have_url(f"{manual_url}/")
    expect(pmo.locator(".messages .alert-danger")).to_have_count(2)  # "cannot be exported yet:" + step 1
    expect(pmo.locator(".messages")).to_contain_text(STEPS[0][0])
    assert ExportJob.objects.filter(kind="manual", object_id=str(manual.pk)).count() == exports_before
    publish.evaluate("button => button.form.submit()")
    expect(pmo).to_have_url(f"{manual_url}/")
    expect(pmo.locator(".messages .alert-danger")).to_have_count(2)  # "cannot be published yet:" + step 1
    expect(pmo.locator(".messages")).to_contain_text(STEPS[0][0])
    assert Edition.objects.filter(manual=manual).count() == 1

    # The version page shows the warning too, and the PMO (not the reviewer) cannot decide.
    pmo.goto(f"{manual_url}/versions/{version.pk}/")
    expect(pmo.get_by_test_id("callout-warning")).to_be_visible()
    expect(pmo.get_by_test_id("confirm-form")).to_have_count(0)

    # 4. The client PM confirms it from the approval inbox.
    pm = browser.new_context().new_page()
    pm_errors = console_errors(pm)
    sign_in(pm, url, "pm")
    pm.goto(f"{url}/inbox/")
    ours = pm.locator(f"#inbox-screenshot-{version.pk}")
    expect(ours).to_be_visible()
    expect(ours).to_contain_text(TITLE)
    ours.locator("form").first.locator("button[type=submit]").click()
    expect(pm.locator(f"#inbox-screenshot-{version.pk}[role=status]")).to_be_visible()
    expect(pm).to_have_url(f"{url}/inbox/")
    version.refresh_from_db()
    assert version.state == VersionState.CONFIRMED and version.decided_by == pm_user

    # 5. The PMO publishes edition 2; its change log lists step 1's new Windows 10 screenshot.
    pmo.goto(f"{manual_url}/")
    expect(pmo.get_by_test_id("publish-blocked")).to_have_count(0)
    expect(pmo.get_by_test_id("callout-moved")).to_have_count(0)
    # The draft's PDF is no longer refused.
    pmo.get_by_test_id("export-draft").click()
    expect(pmo).to_have_url(re.compile(rf"{re.escape(url)}/exports/[0-9a-f-]+/$"))
    assert ExportJob.objects.filter(kind="manual", object_id=str(manual.pk)).count() == exports_before + 1
    pmo.goto(f"{manual_url}/")
    pmo.locator("#publish-note").fill(SECOND_NOTE)
    pmo.get_by_test_id("publish-manual").click()
    expect(pmo).to_have_url(f"{manual_url}/")
    expect(pmo.get_by_test_id("manual-status").first).to_have_attribute("data-status", "published")
    expect(pmo.get_by_test_id("manual-edition").first).to_contain_text("2")
    edition = Edition.objects.get(manual=manual, number=2)
    assert edition.change_log == [{"step": 1, "title": STEPS[0][0], "what": [f"screenshot:{windows10.name}"]}]
    pmo.get_by_test_id("reading-view").click()
    expect(pmo).to_have_url(f"{manual_url}/editions/2/")
    log = pmo.get_by_test_id("change-log")
    expect(log).to_contain_text(SECOND_NOTE)
    entries = log.get_by_test_id("change-entry")
    expect(entries).to_have_count(1)
    expect(entries).to_have_attribute("data-step", "1")
    expect(entries).to_contain_text(STEPS[0][0])
    expect(entries).to_contain_text(windows10.name)
    # Its PDF was made by the export job right after publishing.
    pmo.reload()
    expect(pmo.get_by_test_id("pdf-link")).to_be_visible()

    # 6. The reader reads edition 2, in Windows 11 then Windows 10, one step at a time.
    reader = browser.new_context().new_page()
    reader_errors = console_errors(reader)
    sign_in(reader, url, "reader")
    reader.goto(f"{manuals_url}/")
    reader.locator(f'[data-testid="manual-table"] tr[data-manual="{manual.pk}"] a').click()
    expect(reader).to_have_url(re.compile(rf"{re.escape(manual_url)}/editions/2/(\?.*)?$"))
    working_copy = f'main a[href="/projects/{PROJECT}/manuals/{manual.pk}/"]'
    expect(reader.locator(working_copy)).to_have_count(0)  # the PMO sees a link to the working copy here
    picker = reader.get_by_test_id("variant-picker")
    step_figure = reader.locator('[data-testid="reader-step"] figure.annotated img')
    shot11 = first.screenshots.get(variant=windows11).current
    picker.locator(f'[data-variant="{windows11.pk}"]').click()
    expect(picker.locator(f'[data-variant="{windows11.pk}"]')).to_have_attribute("aria-current", "true")
    expect(step_figure).to_have_attribute("src", re.compile(rf"/editions/2/images/{shot11.pk}/$"))
    expect(reader.locator('[data-testid="reader-step"] figure.annotated svg circle')).to_have_count(0)
    picker.locator(f'[data-variant="{windows10.pk}"]').click()
    expect(picker.locator(f'[data-variant="{windows10.pk}"]')).to_have_attribute("aria-current", "true")
    expect(step_figure).to_have_attribute("src", re.compile(rf"/editions/2/images/{version.pk}/$"))
    expect(reader.locator('[data-testid="reader-step"] figure.annotated svg circle')).to_have_count(1)
    expect(reader.get_by_test_id("reader-step")).to_have_attribute("data-step", "1")
    reader.get_by_test_id("next-step").click()
    expect(reader.get_by_test_id("reader-step")).to_have_attribute("data-step", "2")
    expect(reader.get_by_test_id("reader-step")).to_contain_text(STEPS[1][0])

    # "My screen looks different" on step 2, with a comment and the reader's own screenshot.
    reader.get_by_test_id("report-link").click()
    expect(reader).to_have_url(re.compile(rf"/editions/2/steps/{steps[1].pk}/report/\?variant={windows10.pk}$"))
    form = reader.get_by_test_id("report-form")
    form.locator("#id_comment").fill(REPORT)
    form.locator("#id_image").set_input_files(mine)
    form.locator("button[type=submit]").click()
    expect(reader).to_have_url(re.compile(rf"{re.escape(manual_url)}/editions/2/\?step=2$"))
    expect(reader.locator(".messages .alert-success")).to_be_visible()
    expect(reader.get_by_test_id("reader-step")).to_have_attribute("data-step", "2")
    report = ScreenReport.objects.get(manual=manual)
    assert (report.step_number, report.variant, report.comment, bool(report.image)) == (2, windows10, REPORT, True)

    # The reader never reaches the working copy: its overview is refused, its pictures are not there.
    assert reader.goto(f"{manual_url}/").status == 403
    assert reader.goto(f"{manual_url}/steps/{first.pk}/").status == 403
    assert reader.goto(f"{manual_url}/versions/{version.pk}/image/").status == 404
    reader_errors.clear()  # the browser reports the refusals it was meant to get

    # The PMO finds the report in the manual's reports, with the picture, and under the bell.
    pmo.goto(f"{manual_url}/")
    expect(pmo.locator(f"#step-{steps[1].pk}").get_by_test_id("step-reports")).to_be_visible()
    pmo.get_by_test_id("reports-link").click()
    expect(pmo).to_have_url(f"{manual_url}/reports/")
    item = pmo.locator(f'[data-testid="report"][data-report="{report.pk}"]')
    expect(item).to_have_attribute("data-open", "yes")
    expect(item).to_contain_text(REPORT)
    expect(item).to_contain_text(STEPS[1][0])
    expect(item.get_by_test_id("report-image")).to_be_visible()
    picture = pmo.request.get(url + item.get_by_test_id("report-image").get_attribute("src"))
    assert picture.status == 200 and picture.headers["content-type"] == "image/png"
    notification = Notification.objects.get(recipient__username="pmo", kind="manual.screen_report")
    assert notification.read_at is None
    expect(pmo.get_by_test_id("unread-count")).to_be_visible()
    pmo.locator("#notification-bell").click()
    menu = pmo.locator("#notification-menu")
    bell_item = menu.locator("button.notification-item", has_text=REPORT)
    expect(bell_item).to_have_count(1)
    bell_item.click()
    expect(pmo).to_have_url(f"{manual_url}/reports/")

    errors = {"pmo": pmo_errors, "pm": pm_errors, "reader": reader_errors}
    assert not any(errors.values()), errors
