"""Settings of the benchmark stack: the portal's own settings (DJANGO_ENV=production, DEBUG off) plus three
reference pages and a Django admin changelist to measure the portal's pages against (bench/urls.py).

Only `make bench` uses this module; the portal never does.
"""

from pmo_portal.settings import *  # noqa: F403
from pmo_portal.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
WSGI_APPLICATION = "bench.wsgi.application"
