"""The sheet: blocks, compose(procedure, person) → Sheet, and the fit policy every writer follows."""

from .blocks import Page, PersonalBox, Sheet
from .compose import compose, compose_page, personal_box

__all__ = ["Page", "PersonalBox", "Sheet", "compose", "compose_page", "personal_box"]
