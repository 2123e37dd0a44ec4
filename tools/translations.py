"""Message catalogs: one per part of the app, so parts are translated side by side.

Each catalog lives in `<part>/translations/<lang>/LC_MESSAGES/messages.po` and holds the
messages of that part's Python files and templates; `interacta/translations` holds the
shared ones (core, pages, base templates, the app factory). Flask-Babel reads them all.

    python tools/translations.py update [PART]   # extract, merge new messages into fr/de/sl
    python tools/translations.py compile         # .po -> .mo (make install does this)
    python tools/translations.py check [PART]    # what is missing, fuzzy or malformed
    python tools/translations.py scan [PART]     # template text outside _() / trans
PART is `shared` (interacta/translations) or a blueprint's name; a blueprint gets its own
catalog once `interacta/<blueprint>/translations/` exists.
"""

from __future__ import annotations

import io
import re
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from jinja2 import Environment

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "interacta"
LANGUAGES = ("fr", "de", "sl")
KEYWORDS = {
    "_": None,
    "gettext": None,
    "ngettext": (1, 2),
    "_n": (1, 2),
    "lazy_gettext": None,
    "_l": None,
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
METHODS = [
    ("**/translations/**", "ignore"),
    ("**.py", "python"),
    ("**/templates/**.html", "jinja2"),
    ("**/templates/**.txt", "jinja2"),
    ("**/templates/**.xml", "jinja2"),
]
OPTIONS = {"**/templates/**": {"trimmed": "true"}}


def parts() -> list[Path]:
    """Every part with a catalog: the shared one first, then each blueprint's."""
    own = sorted(p.parent for p in PACKAGE.glob("*/translations") if p.parent != PACKAGE)
    return [PACKAGE, *own]


def _owned_by_shared(relative: str) -> bool:
    """The shared catalog holds the package's files that belong to no other part."""
    first = relative.split("/", 1)[0]
    owners = {p.name for p in parts() if p != PACKAGE}
    return first not in owners


def extract(part: Path) -> Catalog:
    """The messages `part` uses, as a template catalog."""
    catalog = Catalog(project="Interacta", fuzzy=False)
    shared = part == PACKAGE

    def keep(path: str) -> bool:
        relative = Path(path).relative_to(part).as_posix() if Path(path).is_absolute() else path
        return not shared or _owned_by_shared(relative)

    for filename, lineno, message, comments, context in extract_from_dir(
        part,
        METHODS,
        OPTIONS,
        keywords=KEYWORDS,
        directory_filter=lambda d: keep(d) and "__pycache__" not in d,
    ):
        if shared and not _owned_by_shared(filename):
            continue
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(part: Path, lang: str) -> Path:
    return part / "translations" / lang / "LC_MESSAGES" / "messages.po"


def read(path: Path, lang: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=lang, project="Interacta")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang)


def _selected(only: str | None) -> list[Path]:
    chosen = [
        p for p in parts() if only is None or p.name == only or (only == "shared" and p == PACKAGE)
    ]
    if not chosen:
        raise SystemExit(
            f"no part named {only!r} (parts: shared, "
            + ", ".join(p.name for p in parts()[1:])
            + ")"
        )
    return chosen


def update(only: str | None = None) -> None:
    for part in _selected(only):
        template = extract(part)
        for lang in LANGUAGES:
            path = po_path(part, lang)
            catalog = read(path, lang)
            catalog.update(template, no_fuzzy_matching=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(
                    fh,
                    catalog,
                    omit_header=False,
                    sort_output=True,
                    ignore_obsolete=True,
                    include_lineno=False,
                    width=100,
                )
            print(f"updated {path.relative_to(ROOT)} ({len(catalog)} messages)")


def compile_all(quiet: bool = True) -> None:
    for part in parts():
        for lang in LANGUAGES:
            path = po_path(part, lang)
            if not path.exists():
                continue
            catalog = read(path, lang)
            buffer = io.BytesIO()
            write_mo(buffer, catalog, use_fuzzy=False)
            target = path.with_suffix(".mo")
            if not target.exists() or target.read_bytes() != buffer.getvalue():
                target.write_bytes(buffer.getvalue())
            if not quiet:
                print(f"compiled {target.relative_to(ROOT)}")


def problems(only: str | None = None) -> list[str]:
    """Every message a part uses that a language lacks, has fuzzy, or breaks."""
    found = []
    for part in _selected(only) if only else parts():
        template = extract(part)
        for lang in LANGUAGES:
            path = po_path(part, lang)
            catalog = read(path, lang)
            where = path.relative_to(ROOT)
            for message in template:
                if not message.id:
                    continue
                key = message.id if message.context is None else (message.id, message.context)
                own = catalog.get(message.id, message.context)
                if own is None:
                    found.append(f"{where}: missing {message.id!r}")
                    continue
                strings = own.string if isinstance(own.string, (list, tuple)) else [own.string]
                if own.fuzzy:
                    found.append(f"{where}: fuzzy {key!r}")
                elif not all(strings):
                    found.append(f"{where}: untranslated {key!r}")
            for message, errors in catalog.check():
                for error in errors:
                    found.append(f"{where}: {message.id!r}: {error}")
    return found


_TAG = re.compile(r"<[^>]*>", re.S)
_ENTITY = re.compile(r"&#?\w+;")
_WORD = re.compile(r"[^\W\d_]{2,}")
_RAW = re.compile(r"<(script|style)\b.*?</\1>", re.S | re.I)


#: Names and formats that read the same in every language.
UNTRANSLATED_WORDS = {
    "ORCID",
    "DOI",
    "BibTeX",
    "RIS",
    "CSV",
    "PDF",
    "JSON",
    "ICS",
    "iCal",
    "Atom",
    "URL",
    "GPC",
    "NATO",
    "CIMIC",
    "CMI",
    "OAI",
    "PMH",
    "RSS",
    "ID",
}


def untranslated_text(only: str | None = None) -> list[str]:
    """Text nodes in templates that a person reads but no `{% trans %}`/`_()` covers."""
    env = Environment(extensions=["jinja2.ext.i18n"], autoescape=True)
    found = []
    for path in sorted(PACKAGE.glob("**/templates/**/*")):
        if only is not None:
            first = path.relative_to(PACKAGE).parts[0]
            owner = first if first in {p.name for p in parts()[1:]} else "shared"
            if owner != only:
                continue
        if path.suffix not in (".html", ".txt") or not path.is_file():
            continue
        source = path.read_text()
        tokens = [t for t in env.lex(source) if t[1] != "whitespace"]
        depth, pieces, in_code = 0, [], False
        for i, (_lineno, kind, value) in enumerate(tokens):
            if kind == "name" and i and tokens[i - 1][1] == "block_begin":
                if value == "trans":
                    depth += 1
                elif value == "endtrans":
                    depth -= 1
            if kind == "data" and depth == 0:
                pieces.append(value)
                in_code = False
            elif not in_code:
                pieces.append("\x00")  # an expression or tag: not text of ours
                in_code = True
        text = _RAW.sub("\x00", "".join(pieces))
        text = _ENTITY.sub(" ", _TAG.sub("\x00", text))
        for segment in re.split(r"[\x00\n]+", text):
            words = [w for w in _WORD.findall(segment) if w not in UNTRANSLATED_WORDS]
            if words:
                snippet = " ".join(segment.split())[:70]
                found.append(f"{path.relative_to(ROOT)}: {snippet}")
    return found


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    only = argv[2] if len(argv) > 2 else None  # a part: shared, members, events, ...
    if command == "update":
        update(only)
    elif command == "compile":
        compile_all(quiet=False)
    elif command == "check":
        issues = problems(only)
        print("\n".join(issues) or "every catalog is complete")
        return 1 if issues else 0
    elif command == "scan":
        loose = untranslated_text(only)
        print("\n".join(loose) or "no template text outside _() / {% trans %}")
        return 1 if loose else 0
    else:
        print(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
