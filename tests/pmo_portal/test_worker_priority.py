"""Worker processes render at the lowest CPU priority, so that pages stay fast while a PDF renders (W7 of
`make bench`). Checked in a process of its own, started in a session of its own: the priority is for good."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = """
import json, os, django
django.setup()
from pmo_portal.celery import _lower_priority
_lower_priority()
autogroup = open("/proc/self/autogroup").read() if os.path.exists("/proc/self/autogroup") else ""
print(json.dumps({"nice": os.nice(0), "idle": os.sched_getscheduler(0) == os.SCHED_IDLE, "autogroup": autogroup}))
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux's scheduler")
def test_a_worker_process_takes_the_lowest_cpu_priority_with_its_whole_session():
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "pmo_portal.settings"}
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, check=True, start_new_session=True)  # fmt: skip
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe["nice"] == 19 and probe["idle"], probe  # a page's request takes the CPU from a render at once
    if probe["autogroup"]:  # where the kernel shares the CPU by session first, the worker's session yields too
        assert probe["autogroup"].strip().endswith("nice 19"), probe
