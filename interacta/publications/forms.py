"""Forms of the publications blueprint; each checks its own fields only."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    Form,
    FormField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    SubmitField,
    TextAreaField,
    URLField,
    widgets,
)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import (
    URL,
    DataRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
    ValidationError,
)

from interacta.core import content
from interacta.publications.models import KINDS, MAX_ABSTRACT
from interacta.publications.services import (
    TRANSLATED_FIELDS,
    PublicationError,
    PublicationInput,
    normalize_doi,
    parse_authors,
)


class PublicationTranslationForm(Form):
    """The title and abstract in one other language; both empty: no version in it."""

    title = StringField(_l("Title"), validators=[Optional(), Length(max=500)])
    abstract = TextAreaField(
        _l("Abstract"), validators=[Optional(), Length(max=MAX_ABSTRACT)], render_kw={"rows": 6}
    )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PublicationForm(FlaskForm):
    kind = SelectField(
        "Kind",
        choices=[SelectChoice(k, label) for k, label in KINDS.items()],
        validators=[DataRequired()],
    )
    title = StringField("Title", validators=[DataRequired(), Length(max=500)])
    authors = TextAreaField(
        "Authors",
        validators=[DataRequired(message="Give at least one author.")],
        render_kw={"rows": 4},
    )
    abstract = TextAreaField(
        "Abstract",
        validators=[
            Length(
                max=MAX_ABSTRACT,
                message=f"An abstract is at most {MAX_ABSTRACT:,} characters: shorten it.",
            )
        ],
        render_kw={"rows": 8},
    )
    year = IntegerField(
        "Year",
        validators=[DataRequired(message="Give the year."), NumberRange(1900, 2100)],
    )
    month = IntegerField("Month", validators=[Optional(), NumberRange(1, 12)])
    day = IntegerField("Day", validators=[Optional(), NumberRange(1, 31)])
    journal = StringField("Journal or series", validators=[Optional(), Length(max=300)])
    publisher = StringField("Publisher or institution", validators=[Optional(), Length(max=300)])
    volume = StringField("Volume", validators=[Optional(), Length(max=40)])
    issue = StringField("Issue or number", validators=[Optional(), Length(max=40)])
    pages = StringField("Pages", validators=[Optional(), Length(max=40)])
    doi = StringField("DOI", validators=[Optional(), Length(max=200)])
    external_url = URLField(
        "External link",
        validators=[Optional(), Length(max=500), URL(message="Give a full web address.")],
    )
    language = StringField(
        "Language",
        default="en",
        validators=[
            DataRequired(),
            Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", message="A language code such as en."),
        ],
    )
    topics = MultiCheckboxField("Topics", coerce=int)
    keywords = StringField("Keywords", validators=[Optional(), Length(max=1000)])
    slug = StringField(
        "Address (slug)",
        validators=[
            Optional(),
            Length(max=200),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message="Lower-case letters, digits, hyphens."),
        ],
    )
    version_of = SelectField("Version of", coerce=int, default=0)
    presented_at = SelectField("Presented at (event)", coerce=int, default=0)
    pdf = FileField("PDF (optional, at most 20 MB)")
    remove_pdf = BooleanField("Remove the current PDF")
    #: The title and abstract in other languages than `language` (interacta.core.content).
    translation_en = FormField(PublicationTranslationForm)
    translation_fr = FormField(PublicationTranslationForm)
    translation_de = FormField(PublicationTranslationForm)
    translation_sl = FormField(PublicationTranslationForm)
    submit = SubmitField("Save")

    def validate_authors(self, field):
        try:
            self.parsed_authors = parse_authors(field.data or "")
        except PublicationError as exc:
            raise ValidationError(str(exc)) from None

    def validate_doi(self, field):
        try:
            normalize_doi(field.data)
        except PublicationError as exc:
            raise ValidationError(str(exc)) from None

    def validate_external_url(self, field):
        if field.data and not field.data.lower().startswith(("http://", "https://")):
            raise ValidationError("Give an http:// or https:// address.")

    def validate_day(self, field):
        if field.data is None:
            return
        if not self.month.data:
            raise ValidationError("A day needs a month.")
        if self.year.data and self.month.data and 1 <= self.month.data <= 12:
            try:
                date(self.year.data, self.month.data, field.data)
            except ValueError:
                raise ValidationError("This day does not exist in that month.") from None

    def to_input(self) -> PublicationInput:
        """What save_publication takes, from the validated fields."""
        return PublicationInput(
            kind=self.kind.data,
            title=self.title.data,
            authors=self.parsed_authors,
            abstract=self.abstract.data or "",
            year=self.year.data,
            month=self.month.data,
            day=self.day.data,
            journal=self.journal.data,
            publisher=self.publisher.data,
            volume=self.volume.data,
            issue=self.issue.data,
            pages=self.pages.data,
            doi=self.doi.data,
            external_url=self.external_url.data,
            language=self.language.data,
            topic_ids=list(self.topics.data or []),
            keywords=self.keywords.data or "",
            slug=self.slug.data or "",
            version_of_id=self.version_of.data or None,
            presented_at_event_id=self.presented_at.data or None,
            translations=content.form_translations(self, TRANSLATED_FIELDS),
        )

    @staticmethod
    def initial(pub, authors_text: str) -> dict:
        """The form's data for an existing publication (`authors_text` from format_authors)."""
        return {
            "kind": pub.kind,
            "title": pub.title,
            "authors": authors_text,
            "abstract": pub.abstract,
            "year": pub.year,
            "month": pub.month,
            "day": pub.day,
            "journal": pub.journal,
            "publisher": pub.publisher,
            "volume": pub.volume,
            "issue": pub.issue,
            "pages": pub.pages,
            "doi": pub.doi,
            "external_url": pub.external_url,
            "language": pub.language,
            "topics": [t.id for t in pub.topics],
            "keywords": pub.keywords,
            "slug": pub.slug,
            "version_of": pub.version_of_id or 0,
            "presented_at": pub.presented_at_event_id or 0,
        } | content.form_initial(pub, TRANSLATED_FIELDS)


class ActionForm(FlaskForm):
    """A button that POSTs (publish, withdraw) with the CSRF token."""

    submit = SubmitField("Go")
