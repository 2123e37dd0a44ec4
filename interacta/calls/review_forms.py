"""Forms of reviewing: the review (one radio group per criterion of the call) and a
reviewer's preferences; each checks one field at a time, the rules are in calls.reviews."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, StringField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Optional

from interacta.calls.forms import MultiCheckboxField
from interacta.calls.models import RECOMMENDATIONS
from interacta.calls.reviews import MAX_COMMENT, SCORES


class ReviewForm(FlaskForm):
    """The score fields (`score_<criterion id>`) are added per call by `review_form`."""

    comment_authors = TextAreaField(
        _l("Comment for the authors"),
        validators=[Optional(), Length(max=MAX_COMMENT)],
        render_kw={"rows": 8},
    )
    comment_organizers = TextAreaField(
        _l("Confidential comment for the organizers"),
        validators=[Optional(), Length(max=MAX_COMMENT)],
        render_kw={"rows": 4},
    )
    recommendation = RadioField(
        _l("Recommendation"),
        choices=[SelectChoice(key, label) for key, label in RECOMMENDATIONS.items()],
        validators=[InputRequired(_l("Choose a recommendation."))],
    )

    @property
    def score_fields(self):
        return [f for f in self if f.name.startswith("score_")]


def review_form(call, review=None, formdata=None, read_only: bool = False) -> ReviewForm:
    """The review form of a call's criteria, filled from `review` when there is one."""

    class Form(ReviewForm):
        pass

    for criterion in call.criteria:
        setattr(
            Form,
            f"score_{criterion.id}",
            RadioField(
                criterion.name,
                choices=[SelectChoice(n, str(n)) for n in SCORES],
                coerce=int,
                validators=[InputRequired(_l("Give a score from 1 to 5."))],
                render_kw={"disabled": True} if read_only else None,
            ),
        )
    data = None
    if review is not None:
        data = {f"score_{key}": value for key, value in (review.scores or {}).items()}
        data.update(
            comment_authors=review.comment_authors,
            comment_organizers=review.comment_organizers,
            recommendation=review.recommendation,
        )
    form = Form(formdata=formdata, data=data) if formdata is not None else Form(data=data)
    if read_only:
        for f in form:
            if f.type != "CSRFTokenField":
                f.render_kw = {**(f.render_kw or {}), "disabled": True}
    return form


class PreferencesForm(FlaskForm):
    """Choices are set from the call by `preferences_form`; several on one page (prefix)."""

    tracks = MultiCheckboxField(_l("Tracks I prefer to review"), validators=[Optional()])
    conflicts = MultiCheckboxField(
        _l("Submissions I must not review (a conflict of interest)"),
        coerce=int,
        validators=[Optional()],
    )


def preferences_form(item, formdata=None) -> PreferencesForm:
    """The preferences form of one call the member reviews for (`reviews.ReviewerCall`)."""
    data = {"tracks": sorted(item.reviewer.preferences), "conflicts": sorted(item.conflicts)}
    # Several of these forms share a page, told apart by a prefix; the prefix would rename
    # the form's own CSRF field, so the app-wide CSRFProtect (which checks `csrf_token` on
    # every POST) is the check here.
    kwargs = {"prefix": f"r{item.reviewer.id}", "meta": {"csrf": False}}
    form = (
        PreferencesForm(formdata=formdata, **kwargs)
        if formdata is not None
        else PreferencesForm(data=data, **kwargs)
    )
    form.tracks.choices = [SelectChoice(t, t) for t in item.call.track_list]
    form.conflicts.choices = [SelectChoice(sid, title) for sid, title in item.submissions]
    return form


class AddReviewerForm(FlaskForm):
    email = StringField(
        _l("Email address of a member"),
        filters=[lambda value: value.strip() if value else value],
        validators=[DataRequired(), Email(check_deliverability=False), Length(max=320)],
    )
