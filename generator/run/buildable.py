"""What ``check`` adds to loading: the documents of a procedure are made once, in memory, so check means "this will build".

Loading refuses what the data says wrongly (fields, addresses, a font name
the DOCX cannot hold, an address no QR code holds). Some refusals only the
writers can make — the page does not fit on one A4 sheet, a character no
embedded font draws — so the flyer and the personal sheet of the example
person (``identifier.example``) are composed and written in every format,
into memory. It takes a fraction of a second; nothing is written to disk.
"""

from __future__ import annotations

from ..errors import DataError, GeneratorError
from ..i18n import N_, _
from ..people.person import make_person
from ..procedure.model import Procedure
from ..render import FORMATS, render
from ..sheet.compose import compose


def check_builds(procedure: Procedure) -> None:
    """Raise DataError listing what ``build`` or a personal sheet would refuse for this procedure."""
    rule = procedure.identifier
    problems: list[str] = []
    try:
        example = make_person(procedure, first_name=rule.example_first_name, last_name=rule.example_last_name)
    except GeneratorError as exc:
        problems.extend(exc.problems)
        example = None
    sheets = [(N_("flyer"), compose(procedure))]
    if example is not None:
        sheets.append((N_("personal sheet"), compose(procedure, example)))
    for what, sheet in sheets:
        for fmt in FORMATS:
            try:
                render(sheet, fmt)
            except GeneratorError as exc:
                source = str(procedure.source)
                if sheet.box is not None and example is not None:
                    # The example's name is short: what is too long is the data, not a name.
                    problems.append(
                        _(
                            "{source}: the {format} personal sheet of the example person ({name}) cannot be "
                            "made: the texts of the personal box or of the steps are too long; shorten them"
                        ).format(source=source, format=fmt.upper(), name=example.display_name)
                    )
                    continue
                problems.extend(
                    problem
                    if problem.startswith(source)
                    else _("{source}: the {format} {what} cannot be made: {problem}").format(
                        source=source, format=fmt.upper(), what=_(what), problem=problem
                    )
                    for problem in exc.problems
                )
    if problems:
        raise DataError(list(dict.fromkeys(problems)))
