"""Rosters as spreadsheets export them (CSV or XLSX) → validated Persons, bad rows named by line."""

from __future__ import annotations

import codecs
import csv
import io
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from .data import EMAIL_RE
from .errors import RosterError
from .identifiers import ascii_fold, compute_identifier, is_valid_identifier
from .model import Person, Procedure

TEXT_SUFFIXES = (".csv", ".tsv", ".txt")
XLSX_SUFFIXES = (".xlsx", ".xlsm")
# Formats an office may try; each gets advice rather than "unknown extension".
_RESAVE = {".xls": "an old Excel workbook", ".ods": "a LibreOffice workbook", ".numbers": "a Numbers file"}
HEADER_SEARCH = 5  # a title row or two may sit above the header row
# Longest values that fit on the one-page personal sheet (the renderers are
# checked at these limits); an email address is at most 254 characters (RFC 5321).
MAX_FIRST_NAME = 40
MAX_FAMILY_NAME = 60  # the family name and the birth name alike
MAX_IDENTIFIER = 64
MAX_EMAIL = 254
_MAX_LENGTH = {
    "first": MAX_FIRST_NAME,
    "last": MAX_FAMILY_NAME,
    "birth": MAX_FAMILY_NAME,
    "identifier": MAX_IDENTIFIER,
    "email": MAX_EMAIL,
}
_NAME_FIELDS = ("first", "last", "birth")

# Field → what the cell should hold, for messages.
EXPECTED = {
    "first": "the person's first name",
    "last": "the person's family name",
    "birth": "the birth family name, when it differs",
    "identifier": "the login identifier, like mdupont",
    "email": "a personal address like prenom.nom@example.fr",
    "manager": "the managing office",
}
# The names person_from_fields uses in its messages (no column to quote there).
FIELD_LABELS = {
    "first": "first name",
    "last": "last name",
    "birth": "birth name",
    "identifier": "identifier",
    "email": "email",
    "manager": "manager",
}

# Header aliases, compared once folded (no case, accent, space or punctuation).
# Rank 2 beats rank 1 when a roster has both (Nom d'usage over Nom).
_HEADER_NAMES = (
    ("first", 1, "Prénom|Prénoms|Prénom usuel|First name|Firstname|Given name|Forename"),
    ("last", 1, "Nom|Last name|Lastname|Surname|Family name"),
    ("last", 2, "Nom d'usage|Nom usuel|Nom marital|Nom d'épouse|Usage name|Married name|Family name (usage)"),
    (
        "birth",
        1,
        "Nom de naissance|Nom de famille|Nom de jeune fille|Nom patronymique|Patronyme|Birth name|"
        "Maiden name",
    ),
    (
        "identifier",
        1,
        "Identifiant|Login|Identifier|Username|User name|Identifiant de connexion|Identifiant messagerie",
    ),
    (
        "email",
        1,
        "Courriel|Email|E-mail|Mail|Adresse électronique|Adresse mail|Adresse e-mail|"
        "Adresse courriel|Email address",
    ),
    (
        "email",
        2,
        "Courriel personnel|Courriel perso|Email personnel|Email perso|Mail personnel|Mail perso|"
        "Adresse personnelle|Adresse électronique personnelle|Adresse mail personnelle|Personal email",
    ),
    ("manager", 1, "Gestionnaire|Manager|Service gestionnaire|Établissement gestionnaire"),
)


def _key(text: str) -> str:
    return re.sub(r"[^a-z0-9]", "", ascii_fold(text))


_ALIASES = {_key(name): (field, rank) for field, rank, names in _HEADER_NAMES for name in names.split("|")}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x0c\x0e-\x1f\x7f]")
_LINE_BREAKS = frozenset("\n\r\x0b\x0c\x85\u2028\u2029")
_NEWLINE = re.compile(r"\r\n|\r|\n")
_UNCLOSED = 'a quote (") opens here and is never closed; the rest of the file was read as one cell'
# NUMEN: 13 letters and digits, usually 2 digits, a letter, 7 digits, 3 letters.
_ALNUM_RUN = re.compile(r"[A-Za-z0-9]+")
_ALNUM_GROUP = re.compile(r"[A-Za-z0-9]+(?:[\s./_-]+[A-Za-z0-9]+)*")  # "17E 0912345-ABC"
_NUMEN_SHAPE = re.compile(r"(?=([0-9]{2}[A-Za-z][A-Za-z0-9]{10}))")  # every window, overlapping
_NUMEN_START = re.compile(r"[0-9]{2}[A-Za-z]")


@dataclass(frozen=True)
class Roster:
    """Valid persons in file order, one message per bad row, and warnings about the file."""

    people: tuple[Person, ...]
    invalid: tuple[str, ...] = ()
    warnings: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Column:
    index: int
    header: str  # as written in the file, for messages


Row = tuple[int, list[str]]  # (line number in the file, cells)


def load_roster(path: str | Path, procedure: Procedure) -> Roster:
    """Read a roster; raises RosterError when the file as a whole cannot be used."""
    path = Path(path)
    rows, separator = _read_rows(path)
    nonempty = [(line, cells) for line, cells in rows if any(c.strip() for c in cells)]
    if not nonempty:
        raise RosterError(
            f"{path}: the file is empty (expected a header row such as "
            "Prénom;Nom;Courriel, then one row per person)"
        )
    warns: list[str] = []
    header_line, columns = _header(path, nonempty[:HEADER_SEARCH], warns)
    people: list[Person] = []
    invalid: list[str] = []
    skipped: list[int] = []
    for line, cells in rows:
        if line <= header_line or not any(c.strip() for c in cells):
            continue
        values = {f: cells[c.index] if c.index < len(cells) else "" for f, c in columns.items()}
        if not any(_clean(v) for v in values.values()):
            skipped.append(line)  # content only in ignored columns
            continue
        labels = {f: c.header for f, c in columns.items()}
        person, problems, notes = _person(procedure, values, labels, line, separator)
        warns.extend(f"{path}: line {line}: {note}" for note in notes)
        if person is None:
            invalid.append(f"{path}: line {line}: " + "; ".join(problems))
        else:
            people.append(person)
    if not people and not invalid:
        warns.append(f"{path}: no person below the header row (line {header_line})")
    if skipped:
        warns.append(
            f"{path}: {_lines(skipped)} skipped: nothing in the name, identifier, email or manager columns"
        )
    return Roster(people=_flag_homonyms(path, people, warns), invalid=tuple(invalid), warnings=tuple(warns))


def person_from_fields(
    procedure: Procedure,
    first_name: str,
    last_name: str,
    birth_name: str = "",
    identifier: str = "",
    email: str = "",
    manager: str = "",
) -> Person:
    """One person typed at the desk, checked as a roster row; raises RosterError listing the problems."""
    values = {
        "first": first_name,
        "last": last_name,
        "birth": birth_name,
        "identifier": identifier,
        "email": email,
        "manager": manager,
    }
    person, problems, _notes = _person(procedure, values, FIELD_LABELS, None, None)
    if person is None:
        raise RosterError(problems)
    return person


# --- reading the file -------------------------------------------------------


def _read_rows(path: Path) -> tuple[list[Row], str | None]:
    """The rows, and the CSV separator (None for a workbook)."""
    if not path.exists():
        raise RosterError(f"{path}: file not found (expected a roster .csv or .xlsx file)")
    if path.is_dir():
        raise RosterError(f"{path}: is a folder (expected a roster .csv or .xlsx file)")
    suffix = path.suffix.lower()
    if suffix in _RESAVE:
        raise RosterError(f"{path}: {_RESAVE[suffix]} cannot be read; save it as .xlsx or as CSV")
    if suffix in XLSX_SUFFIXES:
        return _xlsx_rows(path), None
    if suffix in TEXT_SUFFIXES:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise RosterError(f"{path}: cannot read the file ({exc.strerror})") from None
        return _csv_rows(path, _decode(path, raw))
    raise RosterError(
        f"{path}: unknown extension {path.suffix or '(none)'!r} "
        "(expected .csv or .xlsx, as a spreadsheet saves them)"
    )


def _decode(path: Path, raw: bytes) -> str:
    """UTF-8 (with or without BOM), Windows-1252 as French Excel saves, or UTF-16 with a BOM."""
    if raw.startswith(b"PK\x03\x04"):
        raise RosterError(f"{path}: this is a workbook (zipped), not CSV text; rename it to .xlsx")
    if raw.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterError(
            f"{path}: this is an old Excel (.xls) or password-protected workbook, not CSV "
            "text; save it as .xlsx without password, or as CSV"
        )
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):  # Excel's "Unicode text"
        try:
            text = raw.decode("utf-16")
        except UnicodeDecodeError:
            raise RosterError(f"{path}: not valid UTF-16 text (save the roster as CSV UTF-8)") from None
    elif b"\x00" in raw:
        raise RosterError(f"{path}: not a text file (expected CSV text exported from a spreadsheet)")
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                text = raw.decode("cp1252")
            except UnicodeDecodeError:
                raise RosterError(
                    f"{path}: neither UTF-8 nor Windows-1252 text (save the roster as CSV UTF-8)"
                ) from None
    text = text.rstrip("\x1a")  # the end-of-file mark some old tools add
    if _CONTROL.search(text):
        raise RosterError(
            f"{path}: not a text file: it holds control characters "
            "(expected CSV text exported from a spreadsheet)"
        )
    return text


def _csv_rows(path: Path, text: str) -> tuple[list[Row], str | None]:
    lines = text.splitlines()
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return [], None
    hint = re.fullmatch(r'\s*"?sep=(.)"?\s*', lines[first])  # Excel's "sep=;" first line
    delimiter = hint.group(1) if hint else _sniff(lines[first])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True)
    rows: list[Row] = []
    start = 1
    try:
        for cells in reader:
            if not (hint and start == first + 1):
                rows.append((start, cells))
            start = reader.line_num + 1
    except csv.Error as exc:
        raise RosterError(f"{path}: line {start}: cannot read the CSV ({exc})") from None
    _check_quotes(path, text, delimiter, rows)
    return rows, delimiter


def _check_quotes(path: Path, text: str, delimiter: str, rows: list[Row]) -> None:
    """A quote opened and never closed: the csv module reads on to the end of the file as one cell.

    The telltale is a cell holding a line break and the separator (the rows it
    swallowed), or the end of the file reached inside a quote (strict parsing).
    """
    for start, cells in rows:
        for index, cell in enumerate(cells):
            if delimiter in cell and _NEWLINE.search(cell):
                raise RosterError(f"{path}: line {_cell_line(start, cells, index)}: {_UNCLOSED}")
    if '"' not in text or not rows:
        return
    strict = csv.reader(
        io.StringIO(text, newline=""), delimiter=delimiter, skipinitialspace=True, strict=True
    )
    try:
        for _ in strict:
            pass
    except csv.Error as exc:
        if "unexpected end of data" in str(exc):
            start, cells = rows[-1]  # the open quote is in the last cell of the last row
            raise RosterError(
                f"{path}: line {_cell_line(start, cells, len(cells) - 1)}: {_UNCLOSED}"
            ) from None
        # any other strictness (a stray quote inside a cell) is read leniently, as spreadsheets do


def _cell_line(start: int, cells: list[str], index: int) -> int:
    """The file line on which cell ``index`` of the row starting at line ``start`` begins."""
    return start + sum(len(_NEWLINE.findall(cell)) for cell in cells[:index])


def _sniff(header: str) -> str:
    """The separator of the header line: the most frequent of ; , tab outside quotes."""
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {sep: unquoted.count(sep) for sep in (";", ",", "\t")}
    best = max(counts, key=lambda sep: counts[sep])  # ties keep the first: ";"
    return best if counts[best] else ";"


def _xlsx_rows(path: Path) -> list[Row]:
    import openpyxl  # only rosters need it

    unreadable = (
        f"{path}: not a readable .xlsx workbook; open it in the spreadsheet and save it "
        "again as .xlsx (or as CSV)"
    )
    try:
        with path.open("rb") as file:
            sample = file.read(65536)
    except OSError as exc:
        raise RosterError(f"{path}: cannot read the file ({exc.strerror})") from None
    signature = sample[:4]
    if _is_text(sample):
        raise RosterError(f"{path}: this is CSV text, not an .xlsx workbook: rename it to .csv")
    if signature == b"\xd0\xcf\x11\xe0":
        raise RosterError(
            f"{path}: a password-protected workbook or an old .xls renamed; save it as .xlsx "
            "without password, or as CSV"
        )
    # openpyxl warns about styles and extensions it skips: none of them matter here.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            book = openpyxl.load_workbook(path, read_only=True, data_only=True)
        except Exception:  # zipfile, XML and openpyxl errors alike: the file is not usable
            raise RosterError(unreadable) from None
        try:
            if not book.worksheets:
                raise RosterError(f"{path}: the workbook has no worksheet")
            sheet = book.worksheets[0]
            sheet.reset_dimensions()  # some writers record a wrong size; read every row
            return [
                (n, [_cell_text(v) for v in values])
                for n, values in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        except RosterError:
            raise
        except Exception:
            raise RosterError(unreadable) from None
        finally:
            book.close()


def _is_text(sample: bytes) -> bool:
    """The start of a file is text (a CSV saved under another name), not a zip or OLE container."""
    if not sample.strip() or sample.startswith((b"PK", b"\xd0\xcf\x11\xe0")):
        return False
    if sample.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = sample.decode("utf-16", errors="replace")
    elif b"\x00" in sample:
        return False
    else:
        decoder = codecs.getincrementaldecoder("utf-8-sig")()  # the sample may end mid-character
        try:
            text = decoder.decode(sample, final=False)
        except UnicodeDecodeError:
            try:
                text = sample.decode("cp1252")
            except UnicodeDecodeError:
                return False
    return not _CONTROL.search(text.rstrip("\x1a"))


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _clean(text: str) -> str:
    """Format characters removed, NFC, every run of spaces (non-breaking, tabs, line breaks) one space.

    Format characters (Unicode category Cf) are bidi marks and overrides,
    zero-width spaces and joiners, the soft hyphen, the BOM: invisible, they
    would be drawn as "?" or kept in a file name. Control characters are not
    removed here; ``_defect`` refuses them.
    """
    visible = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return " ".join(unicodedata.normalize("NFC", visible).split())


def _defect(raw: str, field: str, label: str, separator: str | None) -> str:
    """What makes a cell unusable before its value is even read ("" if nothing); never quotes it."""
    expected = EXPECTED[field]
    if any(ch in _LINE_BREAKS for ch in raw):
        return f"{label} holds a line break (expected {expected}, on one line)"
    control = next((ch for ch in raw if unicodedata.category(ch) == "Cc" and ch != "\t"), None)
    if control is not None:
        return (
            f"{label} holds a control character (U+{ord(control):04X}), which no document can show: "
            f"retype it (expected {expected})"
        )
    if separator and separator in raw:
        shown = "tab" if separator == "\t" else repr(separator)
        return f"{label} holds the separator {shown}: a quote may be misplaced (expected {expected})"
    if field in _NAME_FIELDS and "@" in raw:
        return f"{label} holds an '@': the columns may be shifted (expected {expected})"
    if field in _NAME_FIELDS and any(_not_latin(ch) for ch in raw):
        # The sheets print Latin letters only (the embedded font has no others),
        # and the directory builds the identifier from the Latin spelling.
        return f"{label} has letters outside the Latin alphabet (expected {expected} in Latin letters, as on the contract)"
    return ""


def _not_latin(ch: str) -> bool:
    return unicodedata.category(ch).startswith("L") and not unicodedata.name(ch, "").startswith("LATIN")


# --- the header ---------------------------------------------------------------


def _header(path: Path, candidates: list[Row], warns: list[str]) -> tuple[int, dict[str, _Column]]:
    """The header row among the first non-empty rows, and the column of each field."""
    found = None
    for line, cells in candidates:
        fields = {_ALIASES[_key(c)][0] for c in cells if _key(c) in _ALIASES}
        if {"first", "last"} <= fields or {"first", "birth"} <= fields:
            found = (line, cells)
            break
        if fields and found is None:
            found = (line, cells)  # the best guess, to say what is missing
    if found is None:
        raise RosterError(
            f"{path}: no header row (expected a first row naming the columns, "
            "such as Prénom;Nom;Nom de naissance;Courriel;Gestionnaire)"
        )
    line, cells = found
    if line != candidates[0][0]:
        warns.append(
            f"{path}: {_lines([n for n, _ in candidates if n < line])} above the header row "
            f"(line {line}) ignored"
        )
    return line, _columns(path, line, cells, warns)


def _columns(path: Path, line: int, cells: list[str], warns: list[str]) -> dict[str, _Column]:
    ranked: dict[str, list[tuple[int, _Column]]] = {}
    unknown: list[str] = []
    for index, cell in enumerate(cells):
        header = _clean(cell)
        key = _key(header)
        if not key:
            continue
        if "numen" in key:
            warns.append(
                f"{path}: line {line}: column {_shown(header)} ({_letter(index)}) ignored: the NUMEN is "
                "a password; this tool never reads, prints or stores it (the sheet leaves a line "
                "to write it by hand)"
            )
        elif key in _ALIASES:
            field, rank = _ALIASES[key]
            ranked.setdefault(field, []).append((rank, _Column(index, header)))
        else:
            unknown.append(f"{_shown(header)} ({_letter(index)})")
    columns: dict[str, _Column] = {}
    for field, found in ranked.items():
        best = max(rank for rank, _ in found)
        top = [col for rank, col in found if rank == best]
        if len(top) > 1:
            names = " and ".join(f"{c.header!r} ({_letter(c.index)})" for c in top)
            raise RosterError(
                f"{path}: line {line}: {names} both give {EXPECTED[field]} "
                "(expected one such column: rename or delete the other)"
            )
        columns[field] = top[0]
        others = [col for rank, col in found if rank != best]
        if field == "last" and others and "birth" not in ranked:
            # "Nom" beside "Nom d'usage" is the birth name, as on French forms.
            columns["birth"] = others.pop(0)
            warns.append(
                f"{path}: line {line}: column {columns['birth'].header!r} read as the birth name, "
                f"since {top[0].header!r} gives the usage name"
            )
        unknown.extend(
            f"{c.header!r} ({_letter(c.index)}) (another column gives {EXPECTED[field]})" for c in others
        )
    if "last" not in columns and "birth" in columns:
        columns["last"] = columns.pop("birth")  # "Nom de famille" alone is the family name
    missing = [f for f in ("first", "last") if f not in columns]
    if missing:
        what = " and ".join(
            {"first": "the first name (Prénom, First name)", "last": "the family name (Nom, Last name)"}[f]
            for f in missing
        )
        shown = ", ".join(_shown(_clean(c)) for c in cells if _clean(c)) or "nothing"
        raise RosterError(f"{path}: line {line}: no column for {what} (found {shown})")
    if unknown:
        warns.append(f"{path}: line {line}: columns ignored: {', '.join(unknown)}")
    return columns


def _letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the spreadsheet's column name."""
    name = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        name = chr(65 + rest) + name
    return name


def _lines(numbers: list[int], ranges: bool = True) -> str:
    """``line 4`` / ``lines 4, 6 and 9-12`` (``ranges=False``: each line named)."""
    spans: list[list[int]] = []
    for n in numbers:
        if ranges and spans and n == spans[-1][1] + 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    parts = [str(a) if a == b else f"{a}-{b}" for a, b in spans]
    text = parts[0] if len(parts) == 1 else f"{', '.join(parts[:-1])} and {parts[-1]}"
    return f"line {text}" if len(numbers) == 1 else f"lines {text}"


# --- one person -------------------------------------------------------------


def _holds_numen(value: str) -> bool:
    """A NUMEN anywhere in the text: alone, inside a name or an address, spaced out, or one character off.

    Every candidate needs five digits or more, so a real name (no digits) is
    never taken for one.
    """
    text = unicodedata.normalize("NFKC", _clean(value))  # fullwidth digits, invisible marks inside
    candidates = set(_ALNUM_RUN.findall(text))
    candidates.update(re.sub(r"[^A-Za-z0-9]", "", group) for group in _ALNUM_GROUP.findall(text))
    return any(_numen_like(candidate) for candidate in candidates)


def _numen_like(token: str) -> bool:
    """A run of letters and digits that is, holds, or nearly is a NUMEN."""
    digits = sum(ch.isdigit() for ch in token)
    if digits < 5:
        return False
    if len(token) == 13:
        return True
    if 12 <= len(token) <= 14 and _NUMEN_START.match(token):
        return True  # a character missing or added
    return any(sum(ch.isdigit() for ch in m.group(1)) >= 5 for m in _NUMEN_SHAPE.finditer(token))


def _shown(value: str) -> str:
    """A cell quoted for a message; never a NUMEN."""
    if _holds_numen(value):
        return "(a value that looks like a NUMEN, not shown)"
    return repr(value if len(value) <= 60 else value[:57] + "…")


def _person(
    procedure: Procedure,
    values: dict[str, str],
    labels: dict[str, str],
    row: int | None,
    separator: str | None,
) -> tuple[Person | None, list[str], list[str]]:
    """Check one row's raw values; returns the person or the problems, and notes for warnings.

    Both the roster and the one-person path come here, so a value is cleaned
    and refused the same way wherever it was typed. No message quotes a value
    that holds a NUMEN.
    """
    problems: list[str] = []
    notes: list[str] = []

    def label(field: str) -> str:
        return labels.get(field, FIELD_LABELS[field])

    bad: set[str] = set()  # fields already reported: not reported again as empty
    cleaned: dict[str, str] = {}
    for field in FIELD_LABELS:
        raw = values.get(field, "")
        value = _clean(raw)
        if _holds_numen(raw):
            where = "from the roster" if row is not None else "and type the value alone"
            problem = f"{label(field)} looks like it holds a NUMEN (a password): remove it {where}"
        else:
            problem = _defect(raw, field, label(field), separator)
        if not problem and len(value) > _MAX_LENGTH.get(field, len(value)):
            problem = f"{label(field)} is {len(value)} characters long ({_limit(field)})"
        if problem:
            problems.append(problem)
            bad.add(field)
            value = ""
        cleaned[field] = value
    values = cleaned
    first, last = values["first"], values["last"]
    for field, value in (("first", first), ("last", last)):
        if not value and field not in bad:
            problems.append(f"{label(field)} is empty (expected {EXPECTED[field]})")
    birth = values.get("birth", "")
    if not re.search(r"[^\W_]", birth):
        birth = ""  # "-" or "/" in a birth-name column means "none"

    identifier = ""
    flags: list[str] = []
    given = values.get("identifier", "")
    if given:
        identifier = given.lower()
        if not is_valid_identifier(identifier):
            problems.append(
                f"{label('identifier')} {_shown(given)} is not a valid identifier (expected "
                "lower-case letters a-z, digits and single hyphens, like mdupont)"
            )
        else:
            flags.append("identifier-given")
            if identifier != given:
                notes.append(f"{label('identifier')} {given!r} read as {identifier!r}")
    elif first and last and not bad & set(_NAME_FIELDS) and "identifier" not in bad:
        identifier, flags, problem = _computed(procedure, first, last, birth, label)
        if not problem and len(identifier) > MAX_IDENTIFIER:
            problem = (
                f"the identifier computed from {label('first')} and {label('last')} is "
                f"{len(identifier)} characters long ({_limit('identifier')}: give a shorter one "
                f"as {label('identifier')})"
            )
        problems.extend([problem] if problem else [])

    email = values.get("email", "")
    if email and not EMAIL_RE.match(email):
        problems.append(
            f"{label('email')} {_shown(email)} is not an email address (expected {EXPECTED['email']})"
        )
    elif email and email.rpartition("@")[2].lower() in _office_domains(procedure):
        # The sheet explains how to open that very mailbox: it cannot be read yet.
        notes.append(
            f"{label('email')} {email!r} is a professional address the person cannot open yet "
            f"(expected {EXPECTED['email']})"
        )
    manager = _manager(procedure, values.get("manager", ""))
    if manager is None:
        known = ", ".join(f"{g.id} ({g.name})" for g in procedure.contacts) or "none in the procedure"
        problems.append(
            f"{label('manager')} {_shown(values.get('manager', ''))} is not a managing office "
            f"of the procedure (expected one of {known})"
        )
    if problems:
        return None, problems, notes
    person = Person(
        first_name=first,
        last_name=last,
        identifier=identifier,
        birth_name=birth,
        email=email,
        manager=manager or "",
        row=row,
        flags=tuple(flags),
    )
    return person, problems, notes


def _limit(field: str) -> str:
    """The length limit of a field, as a message says it."""
    if field == "email":
        return f"at most {MAX_EMAIL} in an email address"
    return f"at most {_MAX_LENGTH[field]} fit on the sheet"


def _computed(
    procedure: Procedure, first: str, last: str, birth: str, label: Callable[[str], str]
) -> tuple[str, list[str], str]:
    """The identifier the rule gives, its flags, and the problem ("" if none) when it gives none."""
    rule = procedure.identifier
    uses_birth = bool(birth) and rule.family_name == "birth-name-first"
    latin = "(expected a name in Latin letters, or the identifier itself)"
    # A birth name the rule cannot spell must not silently give way to the usage name.
    if uses_birth and not compute_identifier(rule, "a", "", birth):
        return (
            "",
            [],
            f"{label('birth')} {_shown(birth)} holds no letter a-z once accents are dropped {latin}",
        )
    identifier = compute_identifier(rule, first, last, birth)
    if identifier:
        changed = uses_birth and identifier != compute_identifier(rule, first, last)
        return identifier, ["birth-name"] if changed else [], ""
    if not compute_identifier(rule, "a", last, birth):
        problem = f"{label('last')} {_shown(last)} gives an empty identifier: it holds no letter a-z once "
        return "", [], problem + f"accents are dropped {latin}"
    return "", [], f"{label('first')} {_shown(first)} has no letter a-z to take the initial from {latin}"


def _office_domains(procedure: Procedure) -> set[str]:
    """Mail domains of the managing offices (ac-poitiers.fr): the académie's own mailboxes."""
    return {e.rpartition("@")[2].lower() for group in procedure.contacts for e in group.emails}


def _manager(procedure: Procedure, value: str) -> str | None:
    """The contact group id a cell names (by id or name, any case or accents); None if unknown."""
    if not value:
        return ""
    key = _key(value)
    for group in procedure.contacts:
        if key in (_key(group.id), _key(group.name)):
            return group.id
    return None


def _flag_homonyms(path: Path, people: Iterable[Person], warns: list[str]) -> tuple[Person, ...]:
    """Persons whose identifiers collide get the flag "homonym"; one warning per identifier."""
    people = tuple(people)
    lines: dict[str, list[int]] = {}
    for p in people:
        lines.setdefault(p.identifier, []).append(p.row or 0)
    for identifier, rows in lines.items():
        if len(rows) > 1:
            warns.append(
                f"{path}: {_lines(rows, ranges=False)} give the same identifier {identifier!r}: "
                "homonyms, flagged (the directory adds a digit; check it is not one person entered twice)"
            )
    return tuple(
        replace(p, flags=(*p.flags, "homonym")) if len(lines[p.identifier]) > 1 else p for p in people
    )
