"""Forms of the publications blueprint; each checks its own fields only."""

from __future__ import annotations

from datetime import date

from flask_babel import LazyString, format_number
from flask_babel import gettext as _
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
from interacta.publications.models import KIND_NAMES, MAX_ABSTRACT
from interacta.publications.services import (
    TRANSLATED_FIELDS,
    PublicationError,
    PublicationInput,
    normalize_doi,
    parse_authors,
)

#: WTForms' own messages, ours to translate (WTForms has no Slovenian catalog).
REQUIRED = _l("This field is required.")
TOO_LONG = _l("Field cannot be longer than %(max)d characters.")
ABSTRACT_TOO_LONG = LazyString(
    lambda: _(
        "An abstract is at most %(count)s characters: shorten it.",
        count=format_number(MAX_ABSTRACT),
    )
)


def longest(n: int) -> Length:
    return Length(max=n, message=TOO_LONG)


class WholeNumberField(IntegerField):
    """An IntegerField whose "not a number" message is translated."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            raise ValueError(_("Not a valid integer value.")) from None


class PublicationTranslationForm(Form):
    """The title and abstract in one other language; both empty: no version in it."""

    title = StringField(_l("Title"), validators=[Optional(), longest(500)])
    abstract = TextAreaField(
        _l("Abstract"),
        validators=[Optional(), Length(max=MAX_ABSTRACT, message=ABSTRACT_TOO_LONG)],
        render_kw={"rows": 6},
    )


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class PublicationForm(FlaskForm):
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(k, label) for k, label in KIND_NAMES.items()],
        validators=[DataRequired(message=REQUIRED)],
    )
    title = StringField(_l("Title"), validators=[DataRequired(message=REQUIRED), longest(500)])
    authors = TextAreaField(
        _l("Authors"),
        validators=[DataRequired(message=_l("Give at least one author."))],
        render_kw={"rows": 4},
    )
    abstract = TextAreaField(
        _l("Abstract"),
        validators=[Length(max=MAX_ABSTRACT, message=ABSTRACT_TOO_LONG)],
        render_kw={"rows": 8},
    )
    year = WholeNumberField(
        _l("Year"),
        validators=[
            DataRequired(message=_l("Give the year.")),
            NumberRange(1900, 2100, message=_l("Number must be between %(min)s and %(max)s.")),
        ],
    )
    month = WholeNumberField(
        _l("Month"),
        validators=[
            Optional(),
            NumberRange(1, 12, message=_l("Number must be between %(min)s and %(max)s.")),
        ],
    )
    day = WholeNumberField(
        _l("Day"),
        validators=[
            Optional(),
            NumberRange(1, 31, message=_l("Number must be between %(min)s and %(max)s.")),
        ],
    )
    journal = StringField(_l("Journal or series"), validators=[Optional(), longest(300)])
    publisher = StringField(_l("Publisher or institution"), validators=[Optional(), longest(300)])
    volume = StringField(_l("Volume"), validators=[Optional(), longest(40)])
    issue = StringField(_l("Issue or number"), validators=[Optional(), longest(40)])
    pages = StringField(_l("Pages"), validators=[Optional(), longest(40)])
    doi = StringField(_l("DOI"), validators=[Optional(), longest(200)])
    external_url = URLField(
        _l("External link"),
        validators=[Optional(), longest(500), URL(message=_l("Give a full web address."))],
    )
    language = StringField(
        _l("Language"),
        default="en",
        validators=[
            DataRequired(message=REQUIRED),
            Regexp(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$", message=_l("A language code such as en.")),
        ],
    )
    topics = MultiCheckboxField(_l("Topics"), coerce=int)
    keywords = StringField(_l("Keywords"), validators=[Optional(), longest(1000)])
    slug = StringField(
        _l("Address (slug)"),
        validators=[
            Optional(),
            longest(200),
            Regexp(r"^[a-z0-9]+(-[a-z0-9]+)*$", message=_l("Lower-case letters, digits, hyphens.")),
        ],
    )
    version_of = SelectField(_l("Version of"), coerce=int, default=0)
    presented_at = SelectField(_l("Presented at (event)"), coerce=int, default=0)
    pdf = FileField(_l("PDF (optional, at most 20 MB)"))
    remove_pdf = BooleanField(_l("Remove the current PDF"))
    #: The title and abstract in other languages than `language` (interacta.core.content).
    translation_en = FormField(PublicationTranslationForm)
    translation_fr = FormField(PublicationTranslationForm)
    translation_de = FormField(PublicationTranslationForm)
    translation_sl = FormField(PublicationTranslationForm)
    submit = SubmitField(_l("Save"))

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
            raise ValidationError(_("Give an http:// or https:// address."))

    def validate_day(self, field):
        if field.data is None:
            return
        if not self.month.data:
            raise ValidationError(_("A day needs a month."))
        if self.year.data and self.month.data and 1 <= self.month.data <= 12:
            try:
                date(self.year.data, self.month.data, field.data)
            except ValueError:
                raise ValidationError(_("This day does not exist in that month.")) from None

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


class ImportForm(FlaskForm):
    """A BibTeX or RIS file to import in the background."""

    file = FileField(_l("BibTeX or RIS file"))
    status = SelectField(
        _l("Status of the imported records"),
        choices=[
            SelectChoice("published", _l("Published")),
            SelectChoice("draft", _l("Draft")),
        ],
        default="published",
    )
    submit = SubmitField(_l("Import"))

    def validate_file(self, field):
        if not field.data or not getattr(field.data, "filename", ""):
            raise ValidationError(_("Choose a .bib or .ris file."))


class ActionForm(FlaskForm):
    """A button that POSTs (publish, withdraw) with the CSRF token."""

    submit = SubmitField(_l("Go"))
