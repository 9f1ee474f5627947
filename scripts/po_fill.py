"""Fill translations into the .po files and compile them to .mo, in pure Python.

    python scripts/po_fill.py translations.py   # a module defining NL = {...} and/or
                                                # TRANSLATIONS = {"ar": {...}, "fa": {...}}
    python scripts/po_fill.py                   # only compile, and list what is untranslated
    python scripts/po_fill.py --remember FILE   # keep every translation in FILE (JSON)
    python scripts/po_fill.py --recall FILE     # fill untranslated entries from FILE, compile

A table maps a msgid to its translation; a plural entry maps (singular, plural) to a
tuple with one form per plural form of the language (2 for Dutch, 6 for Arabic). A
msgid with a context is written "context\x04msgid", as gettext stores it. Existing
translations are kept unless the table gives a new one.

Catalogues are every `locale/<language>/LC_MESSAGES/{django,djangojs}.po`. Code moves
between apps (and so between their catalogues): `make messages` remembers every
translation before `makemessages` collects the strings again, and recalls them after,
so a string that moved keeps its translation. Collecting needs GNU gettext.

Translations not yet checked by a native speaker carry the translator comment
REVIEW_NOTE; a reviewer deletes it from each entry they checked (README, "Translating").
"""

import json
import runpy
import sys
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent

# The plural rule of each language (gettext's Plural-Forms, as Django's own catalogues
# have them). A new language needs a line here if Django has no catalogue for it.
PLURAL_FORMS = {
    "nl": "nplurals=2; plural=(n != 1);",
    "ar": "nplurals=6; plural=n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : "
    "n%100>=11 && n%100<=99 ? 4 : 5;",
    "fa": "nplurals=2; plural=(n > 1);",
    "ti": "nplurals=2; plural=(n > 1);",
}
# Languages whose translations were drafted without a native speaker: every entry the
# script fills gets REVIEW_NOTE, until a reviewer removes it.
DRAFTED = {"ar", "fa", "ti"}
REVIEW_NOTE = "needs review by a native speaker"


def catalogues(language: str | None = None):
    pattern = f"**/locale/{language or '*'}/LC_MESSAGES/*.po"
    for po_path in sorted(ROOT.glob(pattern)):
        if ".venv" not in po_path.parts and po_path.stem in ("django", "djangojs"):
            yield po_path


def language_of(po_path: Path) -> str:
    return po_path.parent.parent.name


def _key(entry, language: str) -> str:
    return json.dumps([language, entry.msgctxt, entry.msgid, entry.msgid_plural])


def _forms(entry) -> list[str]:
    return [entry.msgstr_plural[i] for i in sorted(entry.msgstr_plural)]


def remember(path: Path) -> None:
    memory = {}
    for po_path in catalogues():
        language = language_of(po_path)
        for entry in polib.pofile(str(po_path)):
            if entry.translated() and "fuzzy" not in entry.flags:
                value = _forms(entry) if entry.msgid_plural else entry.msgstr
                memory[_key(entry, language)] = [value, REVIEW_NOTE in entry.tcomment]
    path.write_text(json.dumps(memory, ensure_ascii=False, indent=0), encoding="utf-8")
    print(f"remembered {len(memory)} translations in {path}")


def _lookup(table: dict, entry):
    msgid = f"{entry.msgctxt}\x04{entry.msgid}" if entry.msgctxt else entry.msgid
    if entry.msgid_plural:
        return table.get((msgid, entry.msgid_plural))
    return table.get(msgid)


def _mark(entry, drafted: bool) -> None:
    lines = [line for line in entry.tcomment.splitlines() if line != REVIEW_NOTE]
    if drafted:
        lines.append(REVIEW_NOTE)
    entry.tcomment = "\n".join(lines)


def fill(tables: dict, memory: dict) -> int:
    missing = 0
    for po_path in catalogues():
        language = language_of(po_path)
        table = tables.get(language, {})
        plural_forms = PLURAL_FORMS.get(language) or polib.pofile(str(po_path)).metadata.get(
            "Plural-Forms", ""
        )
        nplurals = int(plural_forms.split("nplurals=")[1].split(";")[0])
        po = polib.pofile(str(po_path))
        for entry in po:
            if entry.obsolete:
                continue
            # msgmerge guesses a "fuzzy" translation from a similar string; the string's
            # own translation, remembered from another catalogue, is better.
            open_ = "fuzzy" in entry.flags or not (
                entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            )
            found = _lookup(table, entry)
            drafted = language in DRAFTED
            if not found and open_:
                remembered = memory.get(_key(entry, language))
                if remembered:
                    found, drafted = remembered
            if found:
                if entry.msgid_plural:
                    if len(found) != nplurals:
                        raise SystemExit(
                            f"{po_path}: {entry.msgid!r} needs {nplurals} plural forms"
                        )
                    entry.msgstr_plural = dict(enumerate(found))
                else:
                    entry.msgstr = found
                _mark(entry, drafted)
                if "fuzzy" in entry.flags:
                    entry.flags.remove("fuzzy")
            translated = entry.msgstr_plural.get(0) if entry.msgid_plural else entry.msgstr
            if not translated or "fuzzy" in entry.flags:
                missing += 1
                print(f"untranslated in {po_path.relative_to(ROOT)}: {entry.msgid!r}")
        drafted_entries = sum(1 for entry in po if REVIEW_NOTE in entry.tcomment)
        if drafted_entries:
            po.metadata["X-Review"] = (
                f"{drafted_entries} entries drafted without a native speaker carry the "
                f"comment '{REVIEW_NOTE}'"
            )
        else:
            po.metadata.pop("X-Review", None)
        po.metadata["Language"] = language
        po.metadata["Plural-Forms"] = plural_forms
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
    tables = {}
    if args:
        module = runpy.run_path(args[0])
        tables = dict(module.get("TRANSLATIONS", {}))
        if "NL" in module:
            tables["nl"] = {**tables.get("nl", {}), **module["NL"]}
    return 1 if fill(tables, memory) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
