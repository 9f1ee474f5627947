"""Read a CSV file the ways Excel may: split on `,` (English Excel) or on `;` (Dutch Excel),
and ending a row at a line break when it does not see the cell's quotes (a cell quoted for
`,` is not quoted for `;`). A piece of the file that starts after any of these may be a
cell of its own in some reading, so each must be safe."""

import re

# What makes a spreadsheet run a cell as a formula (perhaps after spaces or quotes).
FORMULA_START = re.compile(r"[ \"]*[=+\-@\t\r]")


def formulas(text: str) -> list[str]:
    """The pieces of `text` (a CSV file) that some reading may take for a cell and that a
    spreadsheet would run as a formula."""
    pieces = re.split(r"\r\n|[\r\n,;]", text.removeprefix("\ufeff"))
    return [piece for piece in pieces if FORMULA_START.match(piece)]
