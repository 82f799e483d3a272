"""Every persona signs in, sees their projects in their language, switches language, and signs out."""

import re

import pytest
from playwright.sync_api import Page, expect

from .conftest import PASSWORD

MAIN_PROJECT = "保険金請求システム刷新"
HIDDEN_PROJECT = "倉庫管理システム導入"

MY_PROJECTS = {"en": "My projects", "ja": "担当プロジェクト", "ko": "내 프로젝트"}
SIGN_OUT = {"en": "Sign out", "ja": "ログアウト", "ko": "로그아웃"}

# username: the language on the demo account
PERSONAS = {"pmo": "ja", "pm": "ja", "security": "ja", "vendor-a": "ja", "vendor-b": "ko", "reader": "ja"}


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(f"{url}/account/login/")
    main = page.locator("main")
    main.get_by_label("User name or e-mail").fill(username)
    main.get_by_label("Password").fill(PASSWORD)
    main.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(f"{url}/")


def choose_language(page: Page, code: str) -> None:
    page.locator("#language-menu").click()
    menu = page.locator('.dropdown-menu[aria-labelledby="language-menu"]')
    menu.locator(f'button[lang="{code}"]').click()


def projects_heading(page: Page, language: str):
    return page.locator("main").get_by_role("heading", name=MY_PROJECTS[language], exact=True)


@pytest.mark.parametrize("username", list(PERSONAS))
def test_sign_in_switch_language_and_sign_out(page: Page, demo: str, username: str):
    url = demo
    language = PERSONAS[username]
    main = page.locator("main")

    # 1-2. Sign in: home, in the account's language, with the projects this person belongs to.
    sign_in(page, url, username)
    expect(page.locator("html")).to_have_attribute("lang", language)
    expect(projects_heading(page, language)).to_be_visible()
    expect(main.get_by_role("link", name=re.compile(MAIN_PROJECT))).to_be_visible()
    if username == "pmo":
        expect(main.get_by_role("link", name=re.compile(HIDDEN_PROJECT))).to_be_visible()
    else:
        expect(page.get_by_text(HIDDEN_PROJECT)).to_have_count(0)

    # 3. The navbar's language menu.
    choose_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(projects_heading(page, "en")).to_be_visible()

    choose_language(page, "ja")
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    expect(projects_heading(page, "ja")).to_be_visible()
    last = "ja"

    if username == "vendor-b":
        choose_language(page, "ko")
        expect(page.locator("html")).to_have_attribute("lang", "ko")
        expect(projects_heading(page, "ko")).to_be_visible()
        last = "ko"

    # 4. The choice persists.
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", last)
    expect(projects_heading(page, last)).to_be_visible()
    expect(main.get_by_role("link", name=re.compile(MAIN_PROJECT))).to_be_visible()

    # 5. Sign out through the user menu.
    page.locator("#user-menu").click()
    page.locator('.dropdown-menu[aria-labelledby="user-menu"]').get_by_role("button", name=SIGN_OUT[last]).click()
    expect(page).to_have_url(re.compile(r"/account/login/(\?.*)?$"))
    expect(page.locator("#user-menu")).to_have_count(0)


def test_vendor_sees_neither_hidden_project_nor_other_vendor(page: Page, demo: str):
    url = demo
    sign_in(page, url, "vendor-a")

    response = page.goto(f"{url}/projects/HKL-WMS/")
    assert response is not None
    assert response.status == 404
    expect(page.get_by_text(HIDDEN_PROJECT)).to_have_count(0)

    response = page.goto(f"{url}/projects/SMI-CLAIMS/members/")
    assert response is not None
    assert response.status == 200
    members = page.locator("main table")
    expect(members.get_by_text("田中 翔")).to_be_visible()
    expect(page.get_by_text("김민준")).to_have_count(0)
