"""`common.text`: one rule for text people type and others read."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from common.text import MaxLengthValidator, PlainTextValidator, plain_text_problem

BIDI = [chr(code) for code in (*range(0x202A, 0x202F), *range(0x2066, 0x206A))]
LINE_BREAKS = ["\n", "\r", "\x0b", "\x0c", "\x85", "\u2028", "\u2029"]
OTHER_CONTROLS = ["\x00", "\x01", "\x1b", "\x1f", "\x7f", "\x80", "\x9f"]


@pytest.mark.parametrize("character", [*BIDI, *LINE_BREAKS, *OTHER_CONTROLS, "\t"], ids=ascii)
def test_one_line_refuses_controls_and_bidi_overrides_naming_the_field(character):
    # The message is translated when it is read, in the language of that moment.
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            PlainTextValidator("first name")(f"Ve{character}ra")
        (message,) = caught.value.messages
    assert message.startswith("First name may not contain")
    assert message.endswith(f"(found U+{ord(character):04X}).")
    assert caught.value.error_list[0].code == "control_characters"


@pytest.mark.parametrize("character", [*BIDI, *OTHER_CONTROLS, "\x0b", "\u2028"], ids=ascii)
def test_several_lines_refuse_the_same_but_line_feeds_and_tabs(character):
    validator = PlainTextValidator("notes", multiline=True)
    validator("Regel één\r\nregel twee\n\tmet een tab")
    with pytest.raises(ValidationError):
        validator(f"Regel{character}")


@pytest.mark.parametrize(
    "text",
    [
        "Café ’s-Hertogenbosch",
        "Koffie bij مسجد السلام",
        "עברית\u200f (Hebrew, RLM)",
        "\u200eLRM and ALM\u061c",
        "Fryslân 🌷",
        "",
    ],
)
def test_text_in_any_script_passes(text):
    PlainTextValidator("name")(text)
    assert plain_text_problem(text, "name") is None


def test_the_length_limit_names_the_field():
    validator = MaxLengthValidator(10, "public description")
    validator("x" * 10)
    with translation.override("en"):
        with pytest.raises(ValidationError) as caught:
            validator("x" * 11)
        assert caught.value.messages == [
            "Public description may be at most 10 characters long (it has 11)."
        ]
