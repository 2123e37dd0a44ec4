"""Views of the publications blueprint: thin; the rules live in services."""

from __future__ import annotations

import logging

from flask import (
    Response,
    abort,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from interacta.core import content
from interacta.core.auth import organizer_required
from interacta.core.cache import cached_page
from interacta.core.errors import DomainError, attach_to_form, render_error
from interacta.core.jobs import enqueue
from interacta.core.models import utcnow
from interacta.core.pagination import page_arg, query_params
from interacta.core.topics import topic_rows
from interacta.core.urls import external_url
from interacta.events.models import Event
from interacta.extensions import db
from interacta.publications import IMPORT_JOB, bibimport, bp, exports, files, search, services
from interacta.publications.forms import ActionForm, ImportForm, PublicationForm
from interacta.publications.models import KIND_NAMES, Publication, PublicationImport

logger = logging.getLogger(__name__)

#: The query parameters of the list (search, filters, order, page).
LIST_PARAMS = ("q", "kind", "topic", "year", "author", "sort", "page")

EXPORT_TYPES = {
    "bib": "application/x-bibtex; charset=utf-8",
    "ris": "application/x-research-info-systems; charset=utf-8",
    "json": "application/vnd.citationstyles.csl+json; charset=utf-8",
}


@bp.errorhandler(RequestEntityTooLarge)
def too_large(exc):
    return render_error(413, str(files.PDF_TOO_LARGE))


# --- public pages ---------------------------------------------------------------------


@bp.get("/")
@cached_page(Publication, params=LIST_PARAMS)
@query_params(*LIST_PARAMS)
def index():
    params = search.SearchParams.from_args(request.args)
    return render_template(
        "publications/index.html",
        params=params,
        pagination=search.results(params, page=page_arg()),
        facets=search.facets(params),
        kinds=KIND_NAMES,
        bound=search.BOUND,
    )


def _export_response(pubs: list[Publication], fmt: str, filename: str) -> Response:
    if fmt == "bib":
        body = exports.to_bibtex(pubs)
    elif fmt == "ris":
        body = exports.to_ris(pubs)
    else:
        urls = {p.id: external_url("publications.detail", slug=p.slug) for p in pubs}
        body = exports.to_csl_json(pubs, urls)
    response = Response(body, content_type=EXPORT_TYPES[fmt])
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response


@bp.get("/export.<any(bib, ris, json):fmt>")
def export(fmt: str):
    params = search.SearchParams.from_args(request.args)
    return _export_response(search.all_results(params), fmt, "publications")


@bp.get("/feed.atom")
@cached_page(Publication)
def feed():
    pubs = services.latest_published_for_feed(50)
    updated = max((p.updated_at for p in pubs), default=None) or utcnow()
    body = render_template("publications/feed.atom.xml", publications=pubs, updated=updated)
    return Response(body, content_type="application/atom+xml; charset=utf-8")


def _visible_or_404(slug: str, load=services.get_publication) -> Publication:
    pub = load(slug, include_drafts=services.can_manage(current_user))
    if pub is None:
        abort(404)
    return pub


@bp.get("/<slug>")
@cached_page(Publication, Event)
def detail(slug: str):
    pub = _visible_or_404(slug, load=services.get_publication_page)
    version_of, versions = services.linked_versions(
        pub, include_drafts=services.can_manage(current_user)
    )
    page_url = external_url("publications.detail", slug=pub.slug)
    pdf_url = external_url("publications.pdf", slug=pub.slug) if pub.pdf_file else None
    return render_template(
        "publications/detail.html",
        pub=pub,
        version_of=version_of,
        versions=versions,
        citation=exports.format_citation(pub),
        related=services.related_publications(pub),
        meta_tags=exports.highwire_tags(pub, pdf_url, page_url),
        json_ld=exports.json_ld(pub, page_url, pdf_url),
    )


@bp.get("/<slug>.<any(bib, ris, json):fmt>")
def citation(slug: str, fmt: str):
    pub = _visible_or_404(slug)
    return _export_response([pub], fmt, pub.slug)


@bp.get("/<slug>.pdf")
def pdf(slug: str):
    pub = _visible_or_404(slug)
    path = files.pdf_path(pub)
    if path is None or not path.exists():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        download_name=files.pdf_download_name(pub),
        as_attachment=False,
        max_age=3600,
    )


# --- management -----------------------------------------------------------------------


@bp.get("/manage/")
@organizer_required
def manage():
    return render_template(
        "publications/manage/index.html",
        pagination=services.manage_listing(page_arg()),
        action_form=ActionForm(),
    )


def _edit(pub: Publication | None):
    initial = None
    if pub is not None:
        listed = services.listed_member_names([a.member_id for a in pub.authors if a.member_id])
        initial = PublicationForm.initial(pub, services.format_authors(pub.authors, listed))
    form = PublicationForm(data=initial)
    form.topics.choices = [(t.id, t.name) for t in topic_rows()]
    form.version_of.choices = [(0, _("(none)"))] + services.version_choices(pub.id if pub else None)
    form.presented_at.choices = [(0, _("(none)"))] + services.event_choices()
    status = 200
    if form.validate_on_submit():
        try:
            pdf = files.read_pdf(form.pdf.data.stream) if form.pdf.data else None
            pub, old_files = services.save_with_pdf(
                pub, form.to_input(), pdf=pdf, remove_pdf=form.remove_pdf.data
            )
        except DomainError as exc:
            db.session.rollback()
            if not (
                content.attach_section_error(form, exc.field, exc.message)
                or attach_to_form(form, exc)
            ):
                form.title.errors = [*form.title.errors, exc.message]
            status = exc.status_code
        else:
            db.session.commit()
            for name in old_files:
                files.delete_pdf_file(name)
            flash(_("Saved “%(title)s”.", title=pub.title), "success")
            return redirect(url_for("publications.manage_edit", pub_id=pub.id))
    if status == 200 and (form.errors or request.method == "POST"):
        status = 400
    return (
        render_template(
            "publications/manage/form.html",
            form=form,
            pub=pub,
            action_form=ActionForm(),
        ),
        status,
    )


@bp.route("/manage/new", methods=["GET", "POST"])
@organizer_required
def manage_new():
    return _edit(None)


@bp.route("/manage/<int:pub_id>/edit", methods=["GET", "POST"])
@organizer_required
def manage_edit(pub_id: int):
    pub = db.get_or_404(Publication, pub_id)
    return _edit(pub)


@bp.post("/manage/<int:pub_id>/publish")
@organizer_required
def manage_publish(pub_id: int):
    pub = db.get_or_404(Publication, pub_id)
    if ActionForm().validate_on_submit():
        services.publish(pub)
        db.session.commit()
        flash(_("Published “%(title)s”.", title=pub.title), "success")
    return redirect(url_for("publications.manage"))


@bp.post("/manage/<int:pub_id>/withdraw")
@organizer_required
def manage_withdraw(pub_id: int):
    pub = db.get_or_404(Publication, pub_id)
    if ActionForm().validate_on_submit():
        services.withdraw(pub)
        db.session.commit()
        flash(
            _("Withdrew “%(title)s”: it is a draft again and no longer public.", title=pub.title),
            "success",
        )
    return redirect(url_for("publications.manage"))


# --- import from the web --------------------------------------------------------------

#: The largest file the web import takes (about 20,000 entries of BibTeX).
IMPORT_MAX_BYTES = 20 * 1024 * 1024


@bp.route("/manage/import", methods=["GET", "POST"])
@organizer_required
def manage_import():
    form = ImportForm()
    status = 200
    if form.validate_on_submit():
        raw = form.file.data.stream.read(IMPORT_MAX_BYTES + 1)
        text = None
        if len(raw) > IMPORT_MAX_BYTES:
            form.file.errors = [_("The file is larger than 20 MB: split it.")]
        else:
            try:
                text = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                form.file.errors = [
                    _("This file is not UTF-8 text: save it as UTF-8 and try again.")
                ]
        if text is not None:
            imp = bibimport.start_import(
                current_user.id, form.file.data.filename or "import", text, form.status.data
            )
            db.session.commit()
            enqueue(IMPORT_JOB, import_id=imp.id)
            return redirect(url_for("publications.manage_import_status", import_id=imp.id))
    if request.method == "POST":
        status = 400
    return (
        render_template(
            "publications/manage/import.html", form=form, imports=bibimport.recent_imports()
        ),
        status,
    )


@bp.get("/manage/import/<int:import_id>")
@organizer_required
def manage_import_status(import_id: int):
    imp = db.get_or_404(PublicationImport, import_id)
    response = Response(render_template("publications/manage/import_status.html", imp=imp))
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/manage/import/<int:import_id>/progress")
@organizer_required
def manage_import_progress(import_id: int):
    """The progress as JSON, which the status page's script polls."""
    imp = db.get_or_404(PublicationImport, import_id)
    response = jsonify(
        status=imp.status,
        done=imp.done,
        total=imp.total,
        percent=imp.percent,
        finished=imp.is_finished,
    )
    response.headers["Cache-Control"] = "no-store"
    return response
