"""Validators for text people type: reject characters that hide or disguise what is written."""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that reorder or hide text: bidi overrides/isolates and zero-width marks.
_DISGUISING = {
    "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\u2060", "\ufeff",
    "\u202a", "\u202b", "\u202c", "\u202d", "\u202e",
    "\u2066", "\u2067", "\u2068", "\u2069",
}  # fmt: skip


def _bad_char(value: str, allow_newlines: bool) -> str | None:
    for ch in value:
        if ch in _DISGUISING:
            return ch
        if allow_newlines and ch in "\n\r\t":
            continue
        if unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co"}:
            return ch
    return None


def _refuse_hidden_characters(value: str, allow_newlines: bool) -> None:
    ch = _bad_char(value or "", allow_newlines=allow_newlines)
    if ch is not None:
        raise ValidationError(
            _("Remove the invisible or control character (U+%(code)04X) from this text."),
            code="invisible_character",
            params={"code": ord(ch)},
        )


def validate_single_line(value: str) -> None:
    """Names, codes, titles: no control, format or invisible characters."""
    _refuse_hidden_characters(value, allow_newlines=False)


def validate_multi_line(value: str) -> None:
    """Descriptions and comments: line breaks and tabs are fine, hidden characters are not."""
    _refuse_hidden_characters(value, allow_newlines=True)
