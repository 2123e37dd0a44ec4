"""Forms of the organisation records (the admins' side) and of topic subscriptions."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from werkzeug.datastructures import FileStorage
from wtforms import (
    BooleanField,
    DateField,
    EmailField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import URL, DataRequired, Email, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from interacta.events.models import KINDS as EVENT_KINDS
from interacta.members.forms import timezone_choices
from interacta.network.digests import Choices
from interacta.network.models import FREQUENCIES, KINDS
from interacta.publications.models import KIND_NAMES as PUBLICATION_KIND_NAMES


class OrganisationForm(FlaskForm):
    name = StringField(_l("Name (English)"), validators=[DataRequired(), Length(max=200)])
    name_fr = StringField(_l("Name in French"), validators=[Optional(), Length(max=200)])
    name_de = StringField(_l("Name in German"), validators=[Optional(), Length(max=200)])
    name_sl = StringField(_l("Name in Slovenian"), validators=[Optional(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Kind"), choices=[SelectChoice(k, label) for k, label in KINDS.items()])
    country = StringField(_l("Country (two-letter code)"), validators=[Optional(), Length(2, 2)])
    website = StringField(_l("Website"), validators=[Optional(), URL(), Length(max=300)])
    description = TextAreaField(_l("Description (Markdown)"), validators=[Optional()])
    logo = FileField(_l("Logo (SVG, PNG or JPEG, at most 512 KB)"))
    is_partner = BooleanField(_l("Partner of the network"))
    partner_since = DateField(_l("Partner since"), validators=[Optional()])
    is_confirmed = BooleanField(_l("Confirmed"), default=True)

    def values(self) -> dict:
        """What the services take."""
        # Without an upload the field holds the record's own logo (obj=): nothing to change.
        upload = self.logo.data
        logo = upload.read() if isinstance(upload, FileStorage) and upload.filename else None
        return {
            "name": self.name.data,
            "names": {"fr": self.name_fr.data, "de": self.name_de.data, "sl": self.name_sl.data},
            "short_name": self.short_name.data,
            "kind": self.kind.data,
            "country": self.country.data,
            "website": self.website.data,
            "description": self.description.data or "",
            "logo": logo,
            "is_partner": self.is_partner.data,
            "partner_since": self.partner_since.data,
            "is_confirmed": self.is_confirmed.data,
        }


class MergeForm(FlaskForm):
    into = SelectField(_l("Merge into"), coerce=int, validators=[DataRequired()])


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class CoOrganisersForm(FlaskForm):
    organisations = MultiCheckboxField(_l("Co-organising organisations"), coerce=int)


# -- topic subscriptions ----------------------------------------------------------------------


class SubscriptionForm(FlaskForm):
    """A member's topics, kinds and frequency (/members/me/subscriptions)."""

    frequency = RadioField(
        _l("How often"),
        choices=[SelectChoice(k, label) for k, label in FREQUENCIES.items()],
        default="off",
    )
    topics = MultiCheckboxField(_l("Topics"), coerce=int)
    event_kinds = MultiCheckboxField(
        _l("Kinds of events"), choices=[SelectChoice(k, v) for k, v in EVENT_KINDS.items()]
    )
    publication_kinds = MultiCheckboxField(
        _l("Kinds of publications"),
        choices=[SelectChoice(k, v) for k, v in PUBLICATION_KIND_NAMES.items()],
    )

    def with_topics(self, topics) -> SubscriptionForm:
        self.topics.choices = [SelectChoice(t.id, t.name) for t in topics]
        return self

    def choices(self) -> Choices:
        """What the services take."""
        return Choices(
            frequency=self.frequency.data or "off",
            topic_ids=list(self.topics.data or []),
            event_kinds=list(self.event_kinds.data or []),
            publication_kinds=list(self.publication_kinds.data or []),
        )


class GuestSubscriptionForm(SubscriptionForm):
    """A visitor's subscription (/subscriptions): the same choices, an address and a zone."""

    email = EmailField(
        _l("Email"),
        validators=[
            DataRequired(_l("Give your email address.")),
            Email(_l("Give a valid email address."), check_deliverability=False),
            Length(max=320),
        ],
    )
    frequency = RadioField(
        _l("How often"),
        choices=[SelectChoice(k, v) for k, v in FREQUENCIES.items() if k != "off"],
        default="weekly",
        validators=[InputRequired()],
    )
    timezone = SelectField(_l("Time zone"), validators=[InputRequired()], default="Europe/Brussels")

    def with_topics(self, topics) -> GuestSubscriptionForm:
        super().with_topics(topics)
        self.timezone.choices = timezone_choices()
        return self
