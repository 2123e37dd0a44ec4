"""Forms of the events blueprint; each checks one field at a time."""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired, FileSize
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    EmailField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Email,
    Length,
    NumberRange,
    Optional,
    ValidationError,
)
from wtforms.widgets import CheckboxInput, ListWidget

from interacta.core.content import CONTENT_LANGUAGES
from interacta.core.i18n import current_language, language_name
from interacta.core.timezones import all_timezones, is_valid_timezone
from interacta.events import room as room_rules
from interacta.events.models import AUDIENCES, FORMATS, KINDS
from interacta.members.models import SECTORS

#: (value, label) of Event.participant_list, in the order offered.
LIST_VISIBILITY = (
    ("hidden", _l("Hidden")),
    ("participants", _l("Visible to confirmed participants")),
    ("public", _l("Public")),
)

DT_FORMAT = "%Y-%m-%dT%H:%M"


def _choices(labels: dict[str, str]) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in labels.items()]


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def _web_address() -> list:
    """The checks of an optional link field: a full web address of up to 500 characters."""
    return [
        Optional(),
        URL(message=_l("Give a full web address (https://...).")),
        Length(max=500),
    ]


def _zone_ok(form, field):
    if not is_valid_timezone(field.data):
        raise ValidationError(_("Choose a time zone from the list."))


def _rule_choices() -> list[SelectChoice]:
    return [SelectChoice(r.value, r.label) for r in room_rules.all_rules()]


class SessionForm(Form):
    """One agenda row; a row with no title is ignored."""

    title = StringField(_l("Session title"), validators=[Optional(), Length(max=200)])
    starts_at = DateTimeLocalField(_l("Starts"), format=DT_FORMAT, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Ends"), format=DT_FORMAT, validators=[Optional()])
    speakers = StringField(_l("Speakers"), validators=[Optional(), Length(max=500)])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=120)])
    #: Empty: the event's rule of the room.
    room_rule = SelectField(_l("Rule of the room"), default="", validators=[Optional()])
    to_schedule = BooleanField(_l("Time to be announced"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.room_rule.choices = [SelectChoice("", _l("As the event")), *_rule_choices()]

    def validate_starts_at(self, field):
        if self.title.data and not field.data:
            raise ValidationError(_("Give the session's start."))

    def validate_ends_at(self, field):
        if self.title.data and not field.data:
            raise ValidationError(_("Give the session's end."))


class EventTranslationForm(Form):
    """The event in one other language; all empty: no version in that language."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=200)])
    summary = StringField(_l("Short summary"), validators=[Optional(), Length(max=500)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=50_000)])


class EventForm(FlaskForm):
    title = StringField(
        _l("Title"), validators=[DataRequired(_l("Give the event a title.")), Length(max=200)]
    )
    summary = StringField(
        _l("Short summary"),
        validators=[DataRequired(_l("Write a one-line summary.")), Length(max=500)],
    )
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=50_000)])
    kind = SelectField(_l("Kind"), choices=_choices(KINDS))
    topics = MultiCheckboxField(_l("Topics"), coerce=int, validators=[Optional()])
    starts_at = DateTimeLocalField(
        _l("Starts"),
        format=DT_FORMAT,
        validators=[DataRequired(_l("Give the start date and time."))],
    )
    ends_at = DateTimeLocalField(
        _l("Ends"), format=DT_FORMAT, validators=[DataRequired(_l("Give the end date and time."))]
    )
    timezone = SelectField(_l("Time zone"), default="Europe/Brussels", validators=[_zone_ok])
    format = SelectField(_l("Format"), choices=_choices(FORMATS))
    venue_name = StringField(_l("Venue"), validators=[Optional(), Length(max=200)])
    venue_address = StringField(_l("Venue address"), validators=[Optional(), Length(max=500)])
    online_url = StringField(
        _l("Online link"),
        validators=_web_address(),
    )
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1, max=100_000, message=_l("At least 1 seat."))],
    )
    registration_opens_at = DateTimeLocalField(
        _l("Registration opens"), format=DT_FORMAT, validators=[Optional()]
    )
    registration_closes_at = DateTimeLocalField(
        _l("Registration closes"), format=DT_FORMAT, validators=[Optional()]
    )
    audience = SelectField(_l("Who may attend"), choices=_choices(AUDIENCES))
    recording_url = StringField(
        _l("Recording"),
        validators=_web_address(),
    )
    room_rule = SelectField(_l("Rule of the room"), default=room_rules.ON_RECORD)
    participant_list = SelectField(
        _l("Who sees the participant list"),
        default="hidden",
        choices=[SelectChoice(v, label) for v, label in LIST_VISIBILITY],
    )
    sessions = FieldList(FormField(SessionForm), min_entries=0)
    #: The language title, summary and description are written in; one section per
    #: language for the versions in the others (interacta.core.content).
    language = SelectField(_l("Original language"), default="en")
    translation_en = FormField(EventTranslationForm)
    translation_fr = FormField(EventTranslationForm)
    translation_de = FormField(EventTranslationForm)
    translation_sl = FormField(EventTranslationForm)

    def __init__(self, *args, topic_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.topics.choices = [SelectChoice(v, label) for v, label in topic_choices]
        self.timezone.choices = [SelectChoice(z) for z in all_timezones()]
        self.room_rule.choices = _rule_choices()
        page = current_language()
        self.language.choices = [
            SelectChoice(lang, language_name(lang, page)) for lang in CONTENT_LANGUAGES
        ]


class CancelForm(FlaskForm):
    message = TextAreaField(
        _l("Message to the participants"),
        validators=[DataRequired(_l("Explain why the event is cancelled.")), Length(max=5000)],
    )


class DuplicateForm(FlaskForm):
    starts_at = DateTimeLocalField(
        _l("The new event starts"),
        format=DT_FORMAT,
        validators=[DataRequired(_l("Give the start of the next event in the series."))],
    )


class GuestRegistrationForm(FlaskForm):
    name = StringField(
        _l("Name"), validators=[DataRequired(_l("Give your name.")), Length(max=120)]
    )
    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Give your email address.")),
            Email(_l("Give a valid email address."), check_deliverability=False),
            Length(max=320),
        ],
    )
    affiliation = StringField(_l("Affiliation"), validators=[Optional(), Length(max=200)])
    note = TextAreaField(
        _l("Accessibility or dietary needs"), validators=[Optional(), Length(max=1000)]
    )
    sector = SelectField(
        _l("Sector"),
        default="",
        choices=[SelectChoice("", _l("(not given)"))]
        + [SelectChoice(v, label) for v, label in SECTORS],
        validators=[Optional()],
    )
    listed = BooleanField(_l("Show my name, organisation and sector on the participant list"))
    #: Honeypot: hidden from people, filled in by bots.
    website = StringField(_l("Leave this field empty"), validators=[Optional()])


class MessageForm(FlaskForm):
    subject = StringField(
        _l("Subject"), validators=[DataRequired(_l("Give a subject.")), Length(max=150)]
    )
    body = TextAreaField(
        _l("Message"), validators=[DataRequired(_l("Write the message.")), Length(max=10_000)]
    )


class SectorGroupForm(Form):
    """One group of sectors with its reserved seats; a row with no name is ignored."""

    name = StringField(_l("Group"), validators=[Optional(), Length(max=80)])
    sectors = MultiCheckboxField(
        _l("Sectors"), choices=[SelectChoice(v, label) for v, label in SECTORS]
    )
    seats = IntegerField(
        _l("Reserved seats"),
        validators=[Optional(), NumberRange(min=1, max=100_000, message=_l("At least 1 seat."))],
    )


class ReservationsForm(FlaskForm):
    groups = FieldList(FormField(SectorGroupForm), min_entries=3, max_entries=8)
    release_at = DateTimeLocalField(
        _l("Open unused reserved seats to everyone on"), format=DT_FORMAT, validators=[Optional()]
    )


class ListingForm(FlaskForm):
    """A participant's choice to appear on the event's participant list."""

    listed = BooleanField(_l("Show my name, organisation and sector on the participant list"))


class CapacityForm(FlaskForm):
    capacity = IntegerField(
        _l("Capacity"),
        validators=[Optional(), NumberRange(min=1, max=100_000, message=_l("At least 1 seat."))],
    )


class AttendanceImportForm(FlaskForm):
    """An attendance CSV: email, session, present (one row per participant and session)."""

    file = FileField(
        _l("CSV file (email, session, present)"),
        validators=[
            FileRequired(_l("Choose a CSV file.")),
            FileSize(1_000_000, message=_l("The file is too large.")),
        ],
    )
