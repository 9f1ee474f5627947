"""A small iCalendar (RFC 5545) writer: content lines, TEXT and parameter values, dates and
durations, and line folding. `events.calendar` writes every feed with it.

It writes exactly the bytes the `icalendar` library (7.3.2) wrote for the same values, so
that moving to it changed no feed (`tests/events/test_feeds_bytes.py` proves it against
the library on generated data), at a fraction of the cost: the library builds an object per
property and folds by encoding every character on its own, which made it about 90 % of the
time of a 2,000-site feed.

How text is written (RFC 5545, 3.1 and 3.3.11):

- A feed is built as text with one unfolded content line per property, separated by CRLF;
  `serialise` encodes it as UTF-8 and folds every line longer than 74 octets, so that no
  physical line is longer than 75 (a continuation line: a space and 74 octets).
- TEXT escapes backslash, semicolon, comma and line breaks (`text`), after callers have
  passed it through `events.calendar.feed_text`, which removes control characters. Here
  alone we differ from the library: it took a stored backslash followed by `N` (say
  `C:\\Nieuw`) for an escaped line break and broke the text there; we escape that
  backslash like any other, so calendars show what was typed.
- A parameter value escapes `^`, `"` and line breaks as RFC 6868 asks and is quoted when it
  holds `,`, `;`, `:` or `’` (`param_value`).
- Values written as they are (URIs, the time zone's name) must not hold a line break, which
  would start a new content line: `raw` refuses one.
"""

import datetime
import re

CRLF = "\r\n"
# RFC 5545, 3.1: lines SHOULD NOT be longer than 75 octets, line break excluded. Like the
# library, a line holds at most 74 octets of the content line (a continuation line: the
# space and 74 octets).
FOLD_OCTETS = 74
_FOLD_JOIN = b"\r\n "
_CRLF_BYTES = b"\r\n"
# Characters a fold never leaves at the end of a line, so that a reader that unfolds badly
# still sees `\\,` or `^n` whole: the backslash of TEXT escapes and the caret of RFC 6868.
_KEEP_WITH_NEXT = frozenset(b"\\^")

_TEXT_SPECIAL = re.compile(r"[\\;,\r\n]")
_PARAM_SPECIAL = re.compile('[\\^"\r\n]')
_PARAM_QUOTED = re.compile("[,;:\u2019]")
_PARAM_ESCAPES = {"^": "^^", '"': "^'", "\n": "^n", "\r": "^n", "\r\n": "^n"}
_PARAM_ESCAPE = re.compile('\r\n|[\\^"\r\n]')


def text(value: str) -> str:
    """`value` as a TEXT value (RFC 5545, 3.3.11): `\\` `;` `,` escaped with a backslash, a
    line break (CRLF, LF or CR) as `\\n`."""
    if not _TEXT_SPECIAL.search(value):
        return value
    return (
        value.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
        .replace("\r", "\\n")
    )


def param_value(value: str) -> str:
    """A parameter value (RFC 5545, 3.2; RFC 6868 for `^`, `"` and line breaks), in double
    quotes when it holds a character that would end it (`,` `;` `:`; and `’`, as the
    library quotes it)."""
    if _PARAM_SPECIAL.search(value):
        value = _PARAM_ESCAPE.sub(lambda match: _PARAM_ESCAPES[match.group()], value)
    if _PARAM_QUOTED.search(value):
        return f'"{value}"'
    return value


def raw(value: str) -> str:
    """A value written as it is (a URI, a token): it must not hold a line break, which
    would end the content line and start another."""
    if "\n" in value or "\r" in value:
        raise ValueError(f"A line break cannot be part of this value: {value!r}")
    return value


def line(name: str, content: str, /, **parameters: str) -> str:
    """One unfolded content line: `NAME;PARAM=value:content`. `content` is written as given:
    escape it first (`text`, `raw`, or a formatter below). A parameter's name is its keyword
    in capitals, `_` written as `-` (`x_name=` gives `X-NAME=`)."""
    if parameters:
        params = "".join(
            f";{key.upper().replace('_', '-')}={param_value(value)}"
            for key, value in parameters.items()
        )
        return f"{name}{params}:{content}"
    return f"{name}:{content}"


def utc_datetime(moment: datetime.datetime) -> str:
    """A DATE-TIME in UTC (form 2, `19980119T070000Z`), to the second."""
    moment = moment.astimezone(datetime.UTC)
    return (
        f"{moment.year:04}{moment.month:02}{moment.day:02}"
        f"T{moment.hour:02}{moment.minute:02}{moment.second:02}Z"
    )


def local_datetime(moment: datetime.datetime) -> str:
    """The wall-clock time of `moment` as DATE-TIME without `Z` (forms 1 and 3: floating, or
    with a TZID parameter naming the zone `moment` is in), to the second."""
    return (
        f"{moment.year:04}{moment.month:02}{moment.day:02}"
        f"T{moment.hour:02}{moment.minute:02}{moment.second:02}"
    )


def duration(value: datetime.timedelta) -> str:
    """A DURATION (RFC 5545, 3.3.6): `PT1H`, `P1DT12H`, `PT1H0M5S` (a minute part is
    required between hours and seconds), `-P1D`."""
    sign = ""
    if value.days < 0:
        sign, value = "-", -value
    time_part = ""
    if value.seconds:
        hours, rest = divmod(value.seconds, 3600)
        minutes, seconds = divmod(rest, 60)
        time_part = "T"
        if hours:
            time_part += f"{hours}H"
        if minutes or (hours and seconds):
            time_part += f"{minutes}M"
        if seconds:
            time_part += f"{seconds}S"
    if value.days == 0 and time_part:
        return f"{sign}P{time_part}"
    return f"{sign}P{value.days}D{time_part}"


def fold(content_line: bytes) -> bytes:
    """Fold one encoded content line (RFC 5545, 3.1): every physical line holds at most
    `FOLD_OCTETS` octets of it, continuation lines start with a space, and a line is never
    cut inside a UTF-8 sequence or right after a `\\` or `^` (see `_KEEP_WITH_NEXT`)."""
    end = len(content_line)
    if end <= FOLD_OCTETS:
        return content_line
    parts = []
    start = 0
    while end - start > FOLD_OCTETS:
        cut = start + FOLD_OCTETS
        # Back to the first octet of the character the limit falls in (continuation octets
        # are 10xxxxxx).
        while content_line[cut] & 0xC0 == 0x80:
            cut -= 1
        if content_line[cut - 1] in _KEEP_WITH_NEXT:
            cut -= 1
        parts.append(content_line[start:cut])
        start = cut
    parts.append(content_line[start:])
    return _FOLD_JOIN.join(parts)


def serialise(lines: str) -> bytes:
    """Unfolded content lines, separated by CRLF, as the octets of an iCalendar stream:
    UTF-8 with every line longer than `FOLD_OCTETS` folded."""
    return _CRLF_BYTES.join(
        [
            fold(content_line) if len(content_line) > FOLD_OCTETS else content_line
            for content_line in lines.encode().split(_CRLF_BYTES)
        ]
    )
