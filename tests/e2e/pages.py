"""Small helpers the browser tests share."""

from playwright.sync_api import Page


def console_errors(page: Page) -> list:
    """Console errors (a CSP violation blocking a script, a failed request) collected while the page is driven."""
    errors = []
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    return errors


def form_with(page: Page, field: str):
    """The POST form of the page's main content that holds ``field`` (a CSS selector)."""
    return page.locator("main form[method=post]", has=page.locator(field))
