"""The library's English messages told in French, by pattern: to be removed once the library translates its own.

Today people/, run/ and the batch write English sentences. Each pattern
below matches one of them and gives its French form (through web.po), never
quoting a value the library did not quote, and never a NUMEN (the library
shows those as "(a value that looks like a NUMEN, not shown)"). The day the
library wraps its messages in ``_()`` (the web sets French per request and
in the batch's process), this whole module goes, with its msgids in web.po;
``messages`` then only finds each message's line and field.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from ..i18n import N_, _

_L = r"(?P<label>.+?)"  # the field's label: the desk's name for it, or the roster's column header
_V = r"(?P<value>'.*'|\".*\"|\(a value that looks like a NUMEN, not shown\))"

# (pattern of the core's sentence, French for the desk, French for a roster row or None: the same)
_FIELD_PROBLEMS: tuple[tuple[str, str, str | None], ...] = (
    (
        _L + r" looks like it holds a NUMEN",
        N_(
            "{field}: this looks like a NUMEN, which is a password: it was not kept. "
            "Type the value alone; the sheet leaves boxes to write the NUMEN by hand."
        ),
        N_(
            "{field}: this looks like a NUMEN, which is a password: remove it from the list (it was not read)."
        ),
    ),
    (_L + r" holds a line break", N_("{field}: holds a line break. Type it on one line."), None),
    (
        _L + r" holds a control character",
        N_("{field}: holds an invisible control character. Type it again."),
        None,
    ),
    (
        _L + r" holds the separator",
        N_("{field}: holds the separator of the list: a quote may be misplaced."),
        None,
    ),
    (
        _L + r" holds an '@'",
        N_("{field}: holds an “@”. Type the name here and the address in “Personal email”."),
        N_("{field}: holds an “@”: the columns may be shifted."),
    ),
    (
        _L + r" has letters outside the Latin alphabet",
        N_("{field}: has letters outside the Latin alphabet. Type it in Latin letters, as on the contract."),
        None,
    ),
    (
        _L + r" is (?P<n>\d+) characters long \(at most (?P<limit>\d+) in an email address\)$",
        N_("{field}: {n} characters; an email address has at most {limit}."),
        None,
    ),
    (
        _L + r" is (?P<n>\d+) characters long \(at most (?P<limit>\d+) fit on the sheet\)$",
        N_("{field}: {n} characters; at most {limit} fit on the sheet."),
        None,
    ),
    (
        _L + r" is empty \(expected [^()]*\)$",
        N_("{field}: this field is empty. Type it as on the contract."),
        N_("{field}: empty."),
    ),
    (
        _L + " " + _V + r" is not a valid identifier \(expected [^()]*\)$",
        N_("{field}: expected lower-case letters a-z, digits and single hyphens, like mdupont."),
        None,
    ),
    (
        r"the identifier computed from .* is (?P<n>\d+) characters long \(at most (?P<limit>\d+) fit on the sheet: "
        r"give a shorter one as " + _L + r"\)$",
        N_(
            "The identifier the rule gives is {n} characters long; at most {limit} fit on the sheet. "
            "Type a shorter one in the field {field}."
        ),
        N_(
            "The identifier the rule gives is {n} characters long; at most {limit} fit on the sheet. "
            "Give a shorter one in the column {field}."
        ),
    ),
    (
        _L + " " + _V + r" is not an email address \(expected [^()]*\)$",
        N_("{field}: expected an address like prenom.nom@example.fr."),
        None,
    ),
    (
        _L + " " + _V + r" is not a managing office of the procedure .*$",
        N_("{field}: choose one of the list."),
        N_("{field}: not a managing office of the procedure ({known})."),
    ),
    (
        _L + " " + _V + r" holds no letter a-z once accents are dropped .*$",
        N_(
            "{field}: holds no letter a-z once accents are dropped. Type it in Latin letters, or type the identifier."
        ),
        N_(
            "{field}: no letter a-z once accents are dropped. Write it in Latin letters, or give the identifier."
        ),
    ),
    (
        _L + " " + _V + r" gives an empty identifier: .*$",
        N_(
            "{field}: holds no letter a-z once accents are dropped. Type it in Latin letters, or type the identifier."
        ),
        N_(
            "{field}: no letter a-z once accents are dropped. Write it in Latin letters, or give the identifier."
        ),
    ),
    (
        _L + " " + _V + r" has no letter a-z to take the initial from .*$",
        N_(
            "{field}: has no letter a-z to take the initial from. Type it in Latin letters, or type the identifier."
        ),
        N_(
            "{field}: no letter a-z to take the initial from. Write it in Latin letters, or give the identifier."
        ),
    ),
    (
        r".*(?:does not fit|too long for).*",
        N_(
            "The sheet does not fit on one page with these names. Shorten them, or type a shorter identifier."
        ),
        N_(
            "the sheet does not fit on one page with these names: shorten them, or give a shorter identifier."
        ),
    ),
)
_COMPILED = tuple((re.compile(p, re.S), desk, row or desk) for p, desk, row in _FIELD_PROBLEMS)


def field_problem(problem: str, shown: Callable[[str], str], row: bool) -> tuple[str, str, bool] | None:
    """One English problem of a person → (the label it is about, the French text, about a NUMEN); None if unknown."""
    for pattern, desk, in_row in _COMPILED:
        match = pattern.match(problem)
        if match is None:
            continue
        found = match.groupdict()
        label = found.get("label") or ""
        known = ""
        if "(expected one of " in problem:
            known = problem.rsplit("(expected one of ", 1)[1].rstrip(")")
        message = in_row if row else desk
        text = _(message).format(field=shown(label), n=found.get("n"), limit=found.get("limit"), known=known)
        return label, text, "NUMEN" in message
    return None


_FILE_MESSAGES: tuple[tuple[str, str], ...] = (
    (
        r"not read: sheet .* has (?P<what>.*), more than a roster can be .*",
        N_(
            "This workbook was not read: a sheet has far more rows or columns than a list of people. "
            "Delete what is not the list, or save the list as CSV."
        ),
    ),
    (
        r"not read: .*; a roster is far smaller\..*",
        N_(
            "This workbook was not read: unpacked, it would be far larger than a list of people can be. "
            "It may be damaged or built to harm: open it in the spreadsheet and save it again, or save the list as CSV."
        ),
    ),
    (
        r"a part of the workbook declares a DTD.*",
        N_(
            "This workbook was not read: it holds a part no spreadsheet writes. "
            "Save the list again as .xlsx, or as CSV."
        ),
    ),
    (
        r"the file is empty .*",
        N_(
            "The file is empty: the first row names the columns (Prénom;Nom;Courriel…), then one row per person."
        ),
    ),
    (
        r"(?P<kind>an old Excel workbook|a LibreOffice workbook|a Numbers file) cannot be read.*",
        N_("{kind} cannot be read: save it as .xlsx or as CSV."),
    ),
    (
        r"this is a workbook \(zipped\), not CSV text.*",
        N_("This file is a workbook, not CSV text: name it .xlsx."),
    ),
    (
        r"this is an old Excel \(\.xls\) or password-protected workbook, not CSV text.*",
        N_(
            "This is an old Excel file (.xls) or a workbook with a password: save it as .xlsx without a password, or as CSV."
        ),
    ),
    (r"not valid UTF-16 text.*", N_("This text is not valid UTF-16: save the list as CSV UTF-8.")),
    (
        r"not a text file.*",
        N_("This is not a text file: send the list saved as CSV or as .xlsx from the spreadsheet."),
    ),
    (
        r"neither UTF-8 nor Windows-1252 text.*",
        N_("This text is neither UTF-8 nor Windows-1252: save the list as CSV UTF-8."),
    ),
    (
        r"not a readable \.xlsx workbook.*",
        N_(
            "This .xlsx workbook cannot be read: open it in the spreadsheet and save it again as .xlsx (or as CSV)."
        ),
    ),
    (
        r"this is CSV text, not an \.xlsx workbook.*",
        N_("This file is CSV text, not an .xlsx workbook: name it .csv."),
    ),
    (
        r"a password-protected workbook or an old \.xls renamed.*",
        N_(
            "This workbook has a password, or is an old .xls renamed: save it as .xlsx without a password, or as CSV."
        ),
    ),
    (r"the workbook has no worksheet", N_("The workbook has no worksheet.")),
    (
        r"no header row .*",
        N_(
            "No row names the columns: the first row must name them, such as Prénom;Nom;Nom de naissance;Courriel;Gestionnaire."
        ),
    ),
    (
        r"unknown extension .*",
        N_("Only .csv and .xlsx files are read: save the list in one of these formats."),
    ),
    (r"no valid person in the roster.*", N_("No valid person in the list: nothing was made.")),
    (r"cannot read the file .*", N_("The file cannot be read.")),
    (
        r"a quote \(\"\) opens here and is never closed.*",
        N_(
            'a quote (") opens here and is never closed: the rest of the file was read as one cell. Close it or remove it.'
        ),
    ),
    (r"cannot read the CSV .*", N_("the CSV text cannot be read here.")),
    (
        r"no column for (?P<what>.*) \(found .*\)$",
        N_("no column for {what}. Name the columns Prénom and Nom (or First name and Last name)."),
    ),
    (
        r"(?P<columns>.*) both give (?P<what>.*) \(expected one such column.*",
        N_("{columns} give the same thing: keep one of these columns."),
    ),
    (
        r"column (?P<column>.*?) \((?P<letter>[A-Z]+)\) ignored: the NUMEN is a password.*",
        N_(
            "column {column} ({letter}) ignored: the NUMEN is a password; this tool never reads, prints or stores it. The sheet leaves boxes to write it by hand."
        ),
    ),
    (
        r"column (?P<column>'.*?') read as the birth name, since (?P<usage>'.*?') gives the usage name",
        N_("column {column} read as the birth name, since {usage} gives the usage name."),
    ),
    (r"columns ignored: (?P<columns>.*)$", N_("columns ignored: {columns}.")),
    (
        r"(?P<lines>lines? [\d, and-]+) above the header row \(line (?P<line>\d+)\) ignored",
        N_("{lines} above the row of column names (line {line}) ignored."),
    ),
    (
        r"(?P<lines>lines? [\d, and-]+) skipped: nothing in the name, identifier, email or manager columns",
        N_("{lines} skipped: nothing in the name, identifier, email or manager columns."),
    ),
    (
        r"no person below the header row \(line (?P<line>\d+)\)",
        N_("No person below the row of column names (line {line})."),
    ),
    (
        r"(?P<lines>lines [\d, and]+) give the same identifier '(?P<identifier>[a-z0-9-]+)': homonyms.*",
        N_(
            "{lines} give the same identifier {identifier}: homonyms, flagged. The directory adds a digit; check it is not one person entered twice."
        ),
    ),
    (r"(?P<label>.+?) '.*' read as '(?P<identifier>.*)'$", N_("{label}: read as {identifier} (lower case).")),
    (
        r"(?P<label>.+?) '.*' is a professional address the person cannot open yet .*",
        N_("{label}: a professional address the person cannot open yet; give their personal address."),
    ),
)
_KINDS = {
    "an old Excel workbook": N_("An old Excel workbook (.xls)"),
    "a LibreOffice workbook": N_("A LibreOffice workbook (.ods)"),
    "a Numbers file": N_("A Numbers file"),
}
_FILE_COMPILED = tuple((re.compile(p, re.S), m) for p, m in _FILE_MESSAGES)


def _lines_fr(text: str) -> str:
    """``line 4`` / ``lines 4, 6 and 9-12`` → ``ligne 4`` / ``lignes 4, 6 et 9-12``."""
    return re.sub(r"\blines\b", _("lines"), re.sub(r"\bline\b", _("line"), text)).replace(" and ", _(" and "))


def file_message(message: str, quoted: Callable[[str], str]) -> str | None:
    """One English whole-file problem or warning (path and line taken off) in French; None if unknown."""
    for pattern, french in _FILE_COMPILED:
        match = pattern.match(message)
        if match:
            values: Mapping[str, str] = {
                k: _lines_fr(v) if k == "lines" else v for k, v in match.groupdict().items()
            }
            if "kind" in values:
                values = {**values, "kind": _(_KINDS.get(values["kind"], values["kind"]))}
            if "what" in values:
                values = {**values, "what": _what(values["what"])}
            if "label" in values:
                values = {**values, "label": quoted(values["label"])}
            values = {
                k: _guillemets(v, quoted) if k in ("column", "usage", "columns") else v
                for k, v in values.items()
            }
            return _(french).format(**values)
    return None


_REPR = re.compile(r"'([^']*)'|\"([^\"]*)\"")


def _guillemets(text: str, quoted: Callable[[str], str]) -> str:
    """Python's quotes around a header ('Nom', "Nom d'usage") → « Nom »."""
    return _REPR.sub(lambda m: quoted(m.group(1) if m.group(1) is not None else m.group(2)), text)


def _what(english: str) -> str:
    parts = {
        "the first name (Prénom, First name)": _("the first name (Prénom, First name)"),
        "the family name (Nom, Last name)": _("the family name (Nom, Last name)"),
    }
    return _(" and ").join(parts.get(p, p) for p in english.split(" and "))
