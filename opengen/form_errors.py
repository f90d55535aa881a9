"""The error summary of a form: each error with the element it belongs to, for a link that focuses it."""
from __future__ import annotations

from dataclasses import dataclass

from wtforms import Field, FieldList, FormField


@dataclass(frozen=True)
class FieldErrorLink:
    """One error of a form, as the summary at the top lists it."""

    target: str  # the id of the element the summary's link focuses
    label: str  # the field's label, to say where the error is
    message: str


def error_links(form, prefix: str = "") -> list[FieldErrorLink]:
    """Every error of a form in page order, with the id to focus and the label to show.

    The target is the field's id: its input, or the fieldset of a group of radio buttons or boxes.

    Read field by field: a subform's .errors is computed once and cached, so errors added after
    validation (the slots' week and hour checks) only show up on the fields themselves.
    """
    found: list[FieldErrorLink] = []
    for field in in_page_order(form):
        if field.type in ("CSRFTokenField", "HiddenField", "SubmitField"):
            continue
        if isinstance(field, FieldList):
            found += _messages(field, field.id, prefix + str(field.label.text))
            for index, entry in enumerate(field, start=1):
                inner = entry.form if isinstance(entry, FormField) else None
                if inner is not None:
                    found += error_links(inner, f"{prefix}{field.label.text} {index}, ")
                else:
                    found += _messages(entry, entry.id, f"{prefix}{field.label.text} {index}")
            continue
        found += _messages(field, field.id, prefix + str(field.label.text))
    return found


def in_page_order(form) -> list[Field]:
    """The form's fields as the page shows them: `page_order` names come first, in that order.

    A form built from mixins declares their fields first, whatever the page shows first."""
    fields = list(form)
    order = {name: position for position, name in enumerate(getattr(form, "page_order", ()))}
    return sorted(fields, key=lambda field: order.get(field.short_name, len(order)))


def _messages(field: Field, target: str, label: str) -> list[FieldErrorLink]:
    return [FieldErrorLink(target, label, str(message)) for message in field.errors
            if not isinstance(message, (dict, list))]


__all__ = ["FieldErrorLink", "error_links", "in_page_order"]
