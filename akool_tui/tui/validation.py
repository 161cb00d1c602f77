"""Our validators (:mod:`akool_tui.core.validators`) as Textual validators.

    SafeInput(value, validators=[FieldValidator(validate_duration)])

The core's checks answer ``None`` (fine) or what is expected ("a whole number of
seconds from 1 to 3600"): that is the failure's description. The Input shows the
outcome through its ``-invalid`` class; :func:`problem` reads it from
``Input.Changed.validation_result`` for the form's inline error label, and
:func:`problems` gathers what is still wrong when the form is sent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Input


class FieldValidator(Validator):
    """``check(text) -> problem | None`` as a :class:`textual.validation.Validator`
    whose failure is described by the problem (what is expected)."""

    def __init__(self, check: Callable[[str], str | None], *,
                 failure_description: str | None = None) -> None:
        super().__init__(failure_description)
        self.check = check

    def validate(self, value: str) -> ValidationResult:
        problem = self.check(value)
        if problem is None:
            return self.success()
        return self.failure(self.failure_description or problem, value)


def problem(result: ValidationResult | None) -> str:
    """What the first failure expects; ``""`` when valid (or not validated)."""
    if result is None or result.is_valid:
        return ""
    return next(iter(result.failure_descriptions), "invalid")


def field_label(field: Widget) -> str:
    """A field as the form names it on screen, for "Fix: Video URL: expected ...": the
    widget's ``name`` (every dialog sets it to the field's label), else its placeholder,
    else its id. One mapping for every dialog (a Fix: line said ``pron-said-0``)."""
    return field.name or str(getattr(field, "placeholder", "") or "") or field.id or "a field"


def problems(inputs: Iterable[Input]) -> list[tuple[str, str]]:
    """``(the field's label, problem)`` for every input whose value its validators refuse
    now (:func:`field_label`)."""
    found = []
    for field in inputs:
        if field.validators and (text := problem(field.validate(field.value))):
            found.append((field_label(field), text))
    return found
