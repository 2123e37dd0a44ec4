"""Forms of the members blueprint; each checks its own fields only."""

from __future__ import annotations

from functools import lru_cache

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
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

from interacta.core.i18n import LANGUAGES, current_language, language_name, timezone_label
from interacta.core.timezones import all_timezones
from interacta.members.countries import country_choices
from interacta.members.models import ROLE_LABELS, ROLES, SECTORS
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
    return choices([("", _("Choose a sector")), *SECTORS])


def _country_choices() -> list[SelectChoice]:
    """Every country, named and sorted in the page's language."""
    return choices([("", _("Choose a country")), *country_choices()])


@lru_cache(maxsize=8)
def _timezone_labels(language: str) -> tuple[tuple[str, str], ...]:
    # Babel looks up ~400 zones' names: once per language (`language` keys the cache).
    return tuple((zone, timezone_label(zone)) for zone in all_timezones())


def timezone_choices() -> list[SelectChoice]:
    """Every zone, labelled with its city and name in the page's language."""
    return choices(_timezone_labels(current_language()))


def language_choices() -> list[SelectChoice]:
    """The four languages, each written in itself (and marked so for screen readers)."""
    return [SelectChoice(lang, language_name(lang), render_kw={"lang": lang}) for lang in LANGUAGES]


def topic_choices(topics) -> list[SelectChoice]:
    return choices((t.id, t.name) for t in topics)


class JoinForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    email = EmailField(
        _l("Email address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=320)],
    )
    password = PasswordField(
        _l("Password"),
        validators=[InputRequired(), _strong_password],
        render_kw={"minlength": 12, "maxlength": MAX_LENGTH},
    )
    affiliation = StringField(_l("Organisation"), validators=[Optional(), Length(max=200)])
    sector = SelectField(_l("Sector"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    interests = MultiCheckboxField(_l("Areas of interest"), coerce=int, validators=[Optional()])
    show_in_directory = BooleanField(_l("Show me in the member directory"))
    accept_privacy = BooleanField(
        _l("I have read the privacy notice"),
        validators=[InputRequired(_l("Please confirm that you have read the privacy notice."))],
    )
    #: Honeypot: hidden from people; bots fill it in.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices()
        self.country.choices = _country_choices()
        self.interests.choices = topic_choices(topics)


class LoginForm(FlaskForm):
    email = EmailField(_l("Email address"), validators=[InputRequired(), Length(max=320)])
    password = PasswordField(_l("Password"), validators=[InputRequired(), Length(max=1024)])
    remember = BooleanField(_l("Keep me signed in on this device"))


class EmailOnlyForm(FlaskForm):
    email = EmailField(
        _l("Email address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=320)],
    )


class NewPasswordForm(FlaskForm):
    password = PasswordField(
        _l("New password"),
        validators=[InputRequired(), _strong_password],
        render_kw={"minlength": 12, "maxlength": MAX_LENGTH},
    )


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), validators=[InputRequired(), Length(max=120)])
    affiliation = StringField(
        _l("Organisation"),
        validators=[Optional(), Length(max=200)],
        # The type-ahead of organisation records (interacta.network), if present.
        render_kw={"list": "organisation-names"},
    )
    sector = SelectField(_l("Sector"), validators=[Optional()])
    country = SelectField(_l("Country"), validators=[Optional()])
    interests = MultiCheckboxField(_l("Areas of interest"), coerce=int, validators=[Optional()])
    bio = TextAreaField(_l("About you"), validators=[Optional(), Length(max=2000)])
    orcid = StringField(
        _l("ORCID iD"),
        validators=[Optional(), Length(max=40), _orcid],
        render_kw={"inputmode": "text"},
    )
    timezone = SelectField(_l("Time zone"), validators=[InputRequired()])
    #: Left out of a post: the account keeps its language.
    language = SelectField(_l("Language"), validators=[Optional()])
    show_in_directory = BooleanField(_l("Show me in the member directory"))

    def __init__(self, *args, topics=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.sector.choices = sector_choices()
        self.country.choices = _country_choices()
        self.interests.choices = topic_choices(topics)
        self.timezone.choices = timezone_choices()
        self.language.choices = language_choices()


class ChangeEmailForm(FlaskForm):
    new_email = EmailField(
        _l("New email address"),
        validators=[InputRequired(), Email(check_deliverability=False), Length(max=320)],
    )
    password = PasswordField(_l("Current password"), validators=[InputRequired()])


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[InputRequired()])
    new = PasswordField(
        _l("New password"),
        validators=[InputRequired(), _strong_password],
        render_kw={"minlength": 12, "maxlength": MAX_LENGTH},
    )


class ConfirmPasswordForm(FlaskForm):
    password = PasswordField(_l("Your password"), validators=[InputRequired()])


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=choices((r, ROLE_LABELS[r]) for r in ROLES))


class EmptyForm(FlaskForm):
    """Only the CSRF token (sign out, activate / deactivate)."""
