"""Template helpers for PDF templates (templates/pdf/)."""

from django import template

from pmo_portal.pdf import storage_url

register = template.Library()


@register.filter
def pdf_file_url(name: str) -> str:
    """``{{ screenshot.image.name|pdf_file_url }}``: the only kind of file URL the PDF fetcher serves."""
    return storage_url(str(name)) if name else ""
