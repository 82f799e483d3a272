"""Small helpers shared by the forms and views of every app."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field when the form has one, else at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, error)


def error_sentences(form) -> str:
    """Every error of a small POST-only form, as one line for a message shown after the redirect."""
    return " ".join(str(error) for errors in form.errors.values() for error in errors)
