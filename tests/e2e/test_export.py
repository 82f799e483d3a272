"""The PMO consultant exports the project brief from the project page and downloads the PDF."""

from playwright.sync_api import Page, expect

from .test_sign_in import sign_in


def test_export_pdf_shows_progress_then_a_download(page: Page, demo: str, tmp_path):
    url = demo
    sign_in(page, url, "pmo")
    page.goto(f"{url}/projects/SMI-CLAIMS/")
    page.locator("select[name=language]").select_option("ko")
    page.get_by_role("button", name="PDF出力").click()
    # htmx puts the job's status under the button and polls it until the PDF is ready.
    link = page.locator(".export-slot a.btn-success")
    expect(link).to_be_visible(timeout=60_000)
    with page.expect_download() as download_info:
        link.click()
    path = tmp_path / "brief.pdf"
    download_info.value.save_as(path)
    assert path.read_bytes().startswith(b"%PDF-")
    assert download_info.value.suggested_filename.endswith(".pdf")
    page.goto(f"{url}/exports/")
    expect(page.locator("main table")).to_contain_text("SMI-CLAIMS")
