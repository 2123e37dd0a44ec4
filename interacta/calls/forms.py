"""Forms of the calls blueprint; each checks one field at a time."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
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


class SubmissionForm(FlaskForm):
    """Choices of type and track are set from the call by the view."""

    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=300)])
    contribution_type = SelectField(_l("Type of contribution"), validators=[DataRequired()])
    track = SelectField(_l("Track"), validators=[Optional()])
    abstract = TextAreaField(
        _l("Abstract"), validators=[DataRequired(), Length(max=50000)], render_kw={"rows": 10}
    )
    keywords = StringField(_l("Keywords"), validators=[Optional(), Length(max=500)])
    coauthors = TextAreaField(
        _l("Co-authors"), validators=[Optional(), Length(max=10000)], render_kw={"rows": 4}
    )
    pdf = FileField(_l("Full paper (PDF, at most 20 MB)"))
    consent_publication = BooleanField(
        _l("If accepted, the paper may be published as a working paper of the network")
    )

    def set_call(self, call) -> None:
        self.contribution_type.choices = [
            SelectChoice(key, label)
            for key, label in CONTRIBUTION_TYPES.items()
            if key in call.type_keys
        ]
        if call.track_list:
            self.track.choices = [SelectChoice("", _("Choose a track"))] + [
                SelectChoice(t, t) for t in call.track_list
            ]
            self.track.validators = [DataRequired()]
            self.track.flags.required = True
        else:
            self.track.choices = [SelectChoice("", "")]
        self.abstract.render_kw = {
            **(self.abstract.render_kw or {}),
            "data-word-limit": call.abstract_word_limit,
        }
