"""Fill Dutch translations into the .po files and compile them to .mo, in pure Python.

    python scripts/po_fill.py translations.py   # a module defining NL = {msgid: msgstr}
    python scripts/po_fill.py                   # only compile, and list what is untranslated

`NL` maps a msgid to its translation; a plural entry maps (singular, plural) to a
(singular, plural) pair. Existing translations are kept unless the file gives a new one.
Run `python manage.py makemessages -l nl` first to collect new strings (needs GNU gettext).
"""

import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def main() -> int:
    table = runpy.run_path(sys.argv[1])["NL"] if len(sys.argv) > 1 else {}
    missing = 0
    for po_path in sorted(ROOT.glob("**/locale/nl/LC_MESSAGES/django.po")):
        if ".venv" in po_path.parts:
            continue
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            if entry.msgid_plural:
                found = table.get((entry.msgid, entry.msgid_plural))
                if found:
                    entry.msgstr_plural = {0: found[0], 1: found[1]}
            else:
                found = table.get(entry.msgid)
                if found:
                    entry.msgstr = found
            if found and "fuzzy" in entry.flags:
                entry.flags.remove("fuzzy")
            translated = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if not translated or "fuzzy" in entry.flags:
                missing += 1
                print(f"untranslated in {po_path.relative_to(ROOT)}: {entry.msgid!r}")
        po.metadata["Language"] = "nl"
        po.metadata["Plural-Forms"] = "nplurals=2; plural=(n != 1);"
        po.metadata["Content-Type"] = "text/plain; charset=UTF-8"
        po.save()
        po.save_as_mofile(str(po_path.with_suffix(".mo")))
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
