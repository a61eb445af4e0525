"""Refusals of the safe file operations (``safe_files``), each one line naming the path and what to do."""

from __future__ import annotations

import errno
from pathlib import Path

from .errors import DeliveryError
from .i18n import _


class SafeFileError(DeliveryError):
    """A file cannot be written, appended to or removed safely."""


def symlink_message(path: Path) -> str:
    """A symbolic link where a file goes: a loop is named as such."""
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return _("{path}: is a symbolic link loop (a link that leads back to itself); remove it").format(
                path=path
            )
    return _(
        "{path}: is a symbolic link; this tool never writes through a link "
        "(it could change a file outside the folder): remove the link and run again"
    ).format(path=path)


def why_failed(path: Path, exc: OSError, other: str = "") -> str:
    """One line for an OS error, with the cases a user can act on spelled out.

    ``other`` (translated, with ``{reason}``) words the remaining cases; by default "cannot write".
    """
    if exc.errno == errno.ELOOP:
        if path.is_symlink():
            return symlink_message(path)
        why = _("the path goes through a symbolic link loop; fix or remove the link")
    elif exc.errno == errno.ENXIO:
        why = _("is a pipe or device, not a plain file; remove it or choose another folder")
    elif exc.errno == errno.ENAMETOOLONG:
        why = _("the name is too long for the file system")
    elif exc.errno in (errno.EACCES, errno.EPERM):
        why = _("permission denied")
    elif exc.errno == errno.ENOSPC:
        why = _("the disk is full")
    else:
        # The system's own words (English whatever the locale) stay inside the parentheses.
        why = (other or _("cannot write ({reason})")).format(reason=exc.strerror or exc)
    return _("{path}: {problem}").format(path=path, problem=why)
