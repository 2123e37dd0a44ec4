"""Forms of the organizer's certificates page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class SettingsForm(FlaskForm):
    is_enabled = BooleanField(_l("Issue certificates for this event"))
    rule = SelectField(
        _l("Rule"),
        choices=[
            SelectChoice("attendance", _l("Attendance: present at the event")),
            SelectChoice("completion", _l("Completion: present at enough of the sessions")),
        ],
    )
    min_percent = IntegerField(
        _l("Sessions to attend for completion (%)"),
        validators=[Optional(), NumberRange(1, 100, _l("Give a percentage between 1 and 100."))],
    )


class ManualIssueForm(FlaskForm):
    participant = SelectField(_l("Participant"), coerce=int, validate_choice=False)
    issue_reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)]
    )


class RevokeForm(FlaskForm):
    reason = StringField(
        _l("Reason"), validators=[DataRequired(_l("Give a reason.")), Length(max=500)]
    )
