"""The benchmark's WSGI entry: the portal (bench.settings), and ``/bench/raw/`` answered before Django.

``/bench/raw/`` is the floor without middleware: what gunicorn, the load generator and the machine cost on
their own. The run checks it stays steady between rounds and refuses to report when it does not.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bench.settings")

django_application = get_wsgi_application()


def application(environ, start_response):
    if environ.get("PATH_INFO") == "/bench/raw/":
        start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
        return [b"ok"]
    return django_application(environ, start_response)
