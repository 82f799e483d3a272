"""E-mail built from subject / text / HTML templates, in the recipient's language."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import translation


def render_email(template: str, context: dict, language: str) -> dict:
    """Render ``emails/<template>_subject.txt``, ``_body.txt`` and ``_body.html`` in ``language``."""
    context = {"base_url": settings.PORTAL_BASE_URL, **context}
    with translation.override(language):
        subject = render_to_string(f"emails/{template}_subject.txt", context)
        text = render_to_string(f"emails/{template}_body.txt", context)
        html = render_to_string(f"emails/{template}_body.html", context)
    return {"subject": " ".join(subject.split()), "text": text, "html": html}


def send_on_commit(*, template: str, to: str, context: dict, language: str) -> None:
    """Render now (the data is at hand), send from a worker once the transaction has committed."""
    from .tasks import send_email

    message = render_email(template, context, language)
    transaction.on_commit(lambda: send_email.delay(to=to, **message))


def send_now(*, to: str, subject: str, text: str, html: str, connection=None) -> None:
    """Send one rendered e-mail from a worker (as ``tasks.send_email`` does), over ``connection`` if given."""
    message = EmailMultiAlternatives(
        subject=settings.EMAIL_SUBJECT_PREFIX + subject, body=text, to=[to], from_email=settings.DEFAULT_FROM_EMAIL,
        connection=connection,
    )  # fmt: skip
    message.attach_alternative(html, "text/html")
    message.send()
