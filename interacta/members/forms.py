"""Forms of the members blueprint; each checks its own fields only."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    widgets,
)
from wtforms.validators import Email, InputRequired, Length, Optional, ValidationError

from interacta.core.timezones import all_timezones
from interacta.members.countries import country_choices
from interacta.members.models import ROLES, SECTORS
from interacta.members.passwords import MAX_LENGTH, password_problem
from interacta.members.services import normalize_orcid


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes (rendered as a fieldset by the `field` macro)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _strong_password(form, field):
    problem = password_problem(field.data or "")
    if problem:
        raise ValidationError(problem)


def _orcid(form, field):
    if field.data and field.data.strip():
        try:
            field.data = normalize_orcid(field.data)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None


def choices(pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


def sector_choices() -> list[SelectChoice]:
    return choices([("", "Choose a sector"), *SECTORS])


def _country_choices() -> list[SelectChoice]:
    return choices([("", "Choose a country"), *country_choices()])


def topic_choices(topics) -> list[SelectChoice]:
    return choices((t.id, t.name) for t in topics)


class JoinForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    email = EmailField(
        "Email address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=320)],
    )
    password = PasswordField(
        "Password",
        validators=[InputRequired(), _strong_password],
        render_kw={"minlength": 12, "maxlength": MAX_LENGTH},
    )
    affiliation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    sector = SelectField("Sector", validators=[Optional()])
    country = SelectField("Country", validators=[Optional()])
    interests = MultiCheckboxField("Areas of interest", coerce=int, validators=[Optional()])
    show_in_directory = BooleanField("Show me in the member directory")
    accept_privacy = BooleanField(
        "I have read the privacy notice",
        validators=[InputRequired("Please confirm that you have read the privacy notice.")],
    )
    #: Honeypot: hidden from people; bots fill it in.
    website = StringField("Leave this field empty", validators=[Optional()])

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices()
        self.country.choices = _country_choices()
        self.interests.choices = topic_choices(topics)


class LoginForm(FlaskForm):
    email = EmailField("Email address", validators=[InputRequired(), Length(max=320)])
    password = PasswordField("Password", validators=[InputRequired(), Length(max=1024)])
    remember = BooleanField("Keep me signed in on this device")


class EmailOnlyForm(FlaskForm):
    email = EmailField(
        "Email address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=320)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        "New password",
        validators=[InputRequired(), _strong_password],
        render_kw={"minlength": 12, "maxlength": MAX_LENGTH},
    )


class ProfileForm(FlaskForm):
    name = StringField("Name", validators=[InputRequired(), Length(max=120)])
    affiliation = StringField("Organisation", validators=[Optional(), Length(max=200)])
    sector = SelectField("Sector", validators=[Optional()])
    country = SelectField("Country", validators=[Optional()])
    interests = MultiCheckboxField("Areas of interest", coerce=int, validators=[Optional()])
    bio = TextAreaField("About you", validators=[Optional(), Length(max=2000)])
    orcid = StringField(
        "ORCID iD", validators=[Optional(), Length(max=40), _orcid], render_kw={"inputmode": "text"}
    )
    timezone = SelectField("Time zone", validators=[InputRequired()])
    show_in_directory = BooleanField("Show me in the member directory")

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices()
        self.country.choices = _country_choices()
        self.interests.choices = topic_choices(topics)
        self.timezone.choices = choices((z, z) for z in all_timezones())


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        "New email address",
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=320)],
    )
    password = PasswordField("Current password", validators=[InputRequired()])


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[InputRequired()])
    new = PasswordField(
        "New password",
        validators=[InputRequired(), _strong_password],
        render_kw={"minlength": 12, "maxlength": MAX_LENGTH},
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField("Your password", validators=[InputRequired()])


class RoleForm(FlaskForm):
    role = SelectField("Role", choices=choices((r, r.capitalize()) for r in ROLES))


class EmptyForm(FlaskForm):
    """Only the CSRF token (sign out, activate / deactivate)."""
