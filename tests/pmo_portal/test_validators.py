"""Text validators: real names in any script pass; hidden characters never do."""

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from pmo_portal.validators import validate_multi_line, validate_single_line

HIDDEN = ["\u202e", "\u200b", "\u200d", "\u2066", "\x00", "\x1b", "\ufeff"]
visible_text = st.text(st.characters(categories=["L", "M", "N", "P", "S", "Zs"]), max_size=50)


@given(visible_text)
def test_visible_text_in_any_script_passes(text):
    validate_single_line(text)
    validate_multi_line(text)


@given(visible_text, st.sampled_from(HIDDEN), visible_text)
def test_a_hidden_character_anywhere_is_refused(before, hidden, after):
    for validate in (validate_single_line, validate_multi_line):
        with pytest.raises(ValidationError) as error:
            validate(before + hidden + after)
        assert error.value.messages == [f"Remove the invisible or control character (U+{ord(hidden):04X}) from this text."]


@pytest.mark.parametrize("text", ["山田 花子", "김민준", "Ken Sato", "ＡＢＣ１２３", "O'Brien-Smith"])
def test_real_names_pass(text):
    validate_single_line(text)


def test_line_breaks_only_in_multi_line_text():
    validate_multi_line("一行目\n二行目\r\n\tインデント")
    with pytest.raises(ValidationError):
        validate_single_line("one\ntwo")
