"""Forms of the calls blueprint; each checks one field at a time."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from interacta.calls.models import BLIND_MODES, CONTRIBUTION_TYPES

DT_FORMAT = "%Y-%m-%dT%H:%M"


def _choices(labels: dict) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CallForm(FlaskForm):
    scope = TextAreaField(
        _l("Scope"),
        validators=[DataRequired(), Length(max=20000)],
        render_kw={"rows": 8},
    )
    types = MultiCheckboxField(
        _l("Contribution types"),
        choices=_choices(CONTRIBUTION_TYPES),
        validators=[DataRequired()],
    )
    tracks = TextAreaField(
        _l("Tracks or topics"), validators=[Optional(), Length(max=5000)], render_kw={"rows": 4}
    )
    abstract_word_limit = IntegerField(
        _l("Word limit for abstracts"),
        default=300,
        validators=[DataRequired(), NumberRange(min=20, max=5000)],
    )
    pdf_required = BooleanField(_l("A full paper (PDF) is required"))
    deadline = DateTimeLocalField(
        _l("Submission deadline"), format=DT_FORMAT, validators=[DataRequired()]
    )
    blind_mode = SelectField(_l("Review"), choices=_choices(BLIND_MODES), default="double")
    criteria = TextAreaField(
        _l("Review criteria"),
        default=lambda: "\n".join(
            (_("Relevance") + " | 2", _("Originality") + " | 1", _("Clarity") + " | 1")
        ),
        validators=[DataRequired(), Length(max=2000)],
        render_kw={"rows": 5},
    )
    reviews_per_submission = IntegerField(
        _l("Reviews per submission"),
        default=2,
        validators=[DataRequired(), NumberRange(min=1, max=10)],
    )
    decision_on = DateField(_l("Decision date"), validators=[Optional()])
