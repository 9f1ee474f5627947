"""Fill Dutch translations into the .po files and compile them to .mo, in pure Python.

    python scripts/po_fill.py translations.py   # a module defining NL = {msgid: msgstr}
    python scripts/po_fill.py                   # only compile, and list what is untranslated
    python scripts/po_fill.py --remember FILE   # keep every translation in FILE (JSON)
    python scripts/po_fill.py --recall FILE     # fill untranslated entries from FILE, compile

`NL` maps a msgid to its translation; a plural entry maps (singular, plural) to a
(singular, plural) pair. Existing translations are kept unless the file gives a new one.
Code moves between apps (and so between their catalogues): `make messages` remembers
every translation before `makemessages` collects the strings again, and recalls them
after, so a string that moved keeps its translation. Collecting needs GNU gettext.
"""

import json
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent


def catalogues():
    for po_path in sorted(ROOT.glob("**/locale/nl/LC_MESSAGES/django.po")):
        if ".venv" not in po_path.parts:
            yield po_path


def _key(entry) -> str:
    return json.dumps([entry.msgctxt, entry.msgid, entry.msgid_plural])


def remember(path: Path) -> None:
    memory = {}
    for po_path in catalogues():
        for entry in polib.pofile(str(po_path)):
            if entry.translated() and "fuzzy" not in entry.flags:
                if entry.msgid_plural:
                    memory[_key(entry)] = [entry.msgstr_plural[0], entry.msgstr_plural[1]]
                else:
                    memory[_key(entry)] = entry.msgstr
    path.write_text(json.dumps(memory, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"remembered {len(memory)} translations in {path}")


def fill(table: dict, memory: dict) -> int:
    missing = 0
    for po_path in catalogues():
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            # msgmerge guesses a "fuzzy" translation from a similar string; the string's
            # own translation, remembered from another catalogue, is better.
            open_ = "fuzzy" in entry.flags
            if entry.msgid_plural:
                found = table.get((entry.msgid, entry.msgid_plural))
                if not found and (open_ or not entry.msgstr_plural.get(0)):
                    found = memory.get(_key(entry))
                if found:
                    entry.msgstr_plural = {0: found[0], 1: found[1]}
            else:
                found = table.get(entry.msgid)
                if not found and (open_ or not entry.msgstr):
                    found = memory.get(_key(entry))
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
    return missing


def main(args: list[str]) -> int:
    if args[:1] == ["--remember"]:
        remember(Path(args[1]))
        return 0
    memory = {}
    if args[:1] == ["--recall"]:
        memory = json.loads(Path(args[1]).read_text(encoding="utf-8"))
        args = args[2:]
    table = runpy.run_path(args[0])["NL"] if args else {}
    return 1 if fill(table, memory) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
