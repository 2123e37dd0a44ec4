"""WSGI entry point: `gunicorn wsgi:app` (also `flask run` and `flask jobs worker`)."""

import gc

from interacta import create_app

app = create_app()

# What is loaded by now (models, compiled templates, catalogs, the routes) lives as long as
# the process: frozen, the cyclic garbage collector no longer walks it on every full
# collection (a full walk of it took about a quarter of a second in a worker). A request
# makes thousands of short-lived objects, so the youngest generation is collected less often.
gc.collect()
gc.freeze()
gc.set_threshold(10_000, 20, 20)
