"""The Celery application. Settings live in Django settings under the CELERY_ prefix."""

import contextlib
import os

from celery import Celery
from celery.signals import worker_process_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "pmo_portal.settings")

app = Celery("pmo_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(related_name="notification_tasks")  # reminders and the daily digest


@worker_process_init.connect
def _lower_priority(**kwargs):
    """Each worker process renders PDFs at a lower CPU priority than the web server (DESIGN.md §4)."""
    from django.conf import settings

    niceness = getattr(settings, "CELERY_WORKER_NICENESS", 0)
    if niceness:
        os.nice(niceness)
        # Linux's autogroup scheduling shares the CPU between sessions first and applies nice only within one:
        # a worker started as its own service (its own session) would still take a full share from the web
        # server. Lower the whole session's weight too (where the kernel has autogroups; harmless elsewhere).
        with contextlib.suppress(OSError):
            with open("/proc/self/autogroup", "w") as autogroup:
                autogroup.write(str(niceness))
    if niceness >= 19:
        # The lowest priority there is: a page's request that wakes up takes the CPU from a render at once,
        # instead of waiting out the render's time slice (Linux's SCHED_IDLE; the render runs in the gaps).
        with contextlib.suppress(AttributeError, OSError):
            os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
