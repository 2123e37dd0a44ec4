"""Forms of deciding: the decision, hand assignment, the decision mail templates."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateTimeLocalField, SelectField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, Optional

from interacta.calls.forms import DT_FORMAT
from interacta.calls.models import CONTRIBUTION_TYPES, DECISIONS


class DecisionForm(FlaskForm):
    """Choices of `accepted_as` are set from the call by the view."""

    decision = SelectField(
        _l("Decision"),
        choices=[SelectChoice("", _l("No decision yet"))]
        + [SelectChoice(k, v) for k, v in DECISIONS.items()],
        validators=[Optional()],
    )
    accepted_as = SelectField(_l("Accepted as"), validators=[Optional()])
    revise_by = DateTimeLocalField(_l("Revision due by"), format=DT_FORMAT, validators=[Optional()])

    def set_call(self, call) -> None:
        self.accepted_as.choices = [
            SelectChoice(key, label)
            for key, label in CONTRIBUTION_TYPES.items()
            if key in call.type_keys
        ]


class AssignForm(FlaskForm):
    reviewer = SelectField(_l("Reviewer"), coerce=int, validators=[DataRequired()])


class TemplateForm(FlaskForm):
    subject = StringField(_l("Subject"), validators=[Optional(), Length(max=300)])
    body = TextAreaField(
        _l("Message"), validators=[Optional(), Length(max=20000)], render_kw={"rows": 10}
    )
