"""The forms of the pages (Flask-WTF); CSRF is checked for every POST by CSRFProtect."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, SelectField, StringField


class _Form(FlaskForm):
    class Meta:
        # CSRFProtect checks every POST before any view runs (the live identifier's too);
        # a second token per form would only add a field.
        csrf = False


class DeskForm(_Form):
    """One person at the desk; the core checks the values, as ``person`` does."""

    first_name = StringField()
    last_name = StringField()
    birth_name = StringField()
    identifier = StringField()
    email = StringField()
    manager = SelectField(choices=[], validate_choice=False)


class SessionForm(_Form):
    """A signing session: the roster file and the options of ``personalise``."""

    roster = FileField()
    # The formats are checkboxes of one name, read with request.form.getlist("formats").
    eml = BooleanField()
    skip_invalid = BooleanField()
