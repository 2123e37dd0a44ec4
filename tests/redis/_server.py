"""One app process for the shared rate-limit test: `python _server.py PORT DB_URI INSTANCE`.

Rate limits live in the Redis named by RATELIMIT_STORAGE_URI (key prefix
RATELIMIT_KEY_PREFIX), both from the environment.
"""

import os
import sys

from werkzeug.serving import make_server

from config import TestConfig
from interacta import create_app

port, database_uri, instance = int(sys.argv[1]), sys.argv[2], sys.argv[3]
app = create_app(
    TestConfig,
    instance_path=instance,
    SQLALCHEMY_DATABASE_URI=database_uri,
    RATELIMIT_ENABLED=True,
    RATELIMIT_STORAGE_URI=os.environ["RATELIMIT_STORAGE_URI"],
    RATELIMIT_KEY_PREFIX=os.environ["RATELIMIT_KEY_PREFIX"],
)
make_server("127.0.0.1", port, app, threaded=True).serve_forever()
