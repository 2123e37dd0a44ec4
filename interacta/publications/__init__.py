"""Publications: articles and working papers — listing, search, citation export, feed.

The blueprint's wiring (template filters, registries, CLI) is in `setup.py`, its routes in
`views.py` and `oai_views.py`; only the app factory imports those.
"""

from flask import Blueprint

bp = Blueprint("publications", __name__, template_folder="templates")

#: The background job of the web import (interacta.publications.bibimport.run_import).
IMPORT_JOB = "publications-import"
