"""`make chaos`: break the real stack on purpose and check that exports and reminders hold.

It starts its own stack on loopback — a fresh PostgreSQL database on the local server, its own
redis-server on a spare port, gunicorn, a Celery worker and Celery beat — then runs the scenarios
of the background-jobs issue and prints one line each and `chaos: N/M scenarios held` last.
Everything it starts it stops; nothing outside 127.0.0.1 is touched.

    .venv/bin/python scripts/chaos.py [--only 1,2]
"""

import argparse
import contextlib
import http.cookiejar
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
PG_ADMIN_URL = os.environ.get("CHAOS_PG_URL", "postgres://postgres@127.0.0.1:5432/postgres")
DB_NAME = "pmo_chaos"
REDIS_PORT = int(os.environ.get("CHAOS_REDIS_PORT", "6391"))
WEB_PORT = int(os.environ.get("CHAOS_WEB_PORT", "8791"))
PASSWORD = "Chaos-pass-2026"
LEASE_SECONDS = 6
SWEEP_SECONDS = 2


class Stack:
    """The processes of one chaos run, each restartable on its own."""

    def __init__(self, workdir: Path):
        self.workdir = workdir
        self.media = workdir / "media"
        self.procs: dict[str, subprocess.Popen] = {}
        db_url = PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{DB_NAME}"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "CELERY_", "EXPORT_"))},
            # Embedded settings (plain HTTP on loopback, DEBUG off) on PostgreSQL and Redis.
            "DJANGO_ENV": "embedded",
            "DJANGO_VAR_DIR": str(workdir),
            "DJANGO_MEDIA_ROOT": str(self.media),
            "DATABASE_URL": db_url,
            "DATABASE_CONN_MAX_AGE": "0",
            "CELERY_BROKER_URL": f"redis://127.0.0.1:{REDIS_PORT}/0",
            "EMAIL_URL": f"filemail://{workdir / 'mail'}",
            "EXPORT_LEASE_SECONDS": str(LEASE_SECONDS),
            "EXPORT_SWEEP_SECONDS": str(SWEEP_SECONDS),
            "EXPORT_REQUEUE_AFTER_SECONDS": "3",
            "CELERY_WORKER_NICENESS": "0",
            "PYTHONUNBUFFERED": "1",
        }

    # --- processes ---------------------------------------------------------------------------------------

    def start(self, name: str, argv: list[str], **env) -> None:
        log = open(self.workdir / f"{name}.log", "ab")  # noqa: SIM115  (closed with the process)
        self.procs[name] = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # fmt: skip

    def kill(self, name: str, sig=signal.SIGKILL) -> None:
        proc = self.procs.pop(name, None)
        if proc and proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, sig)
            proc.wait(timeout=30)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.kill(name, signal.SIGTERM if name != "redis" else signal.SIGKILL)

    def start_redis(self) -> None:
        self.start("redis", ["redis-server", "--port", str(REDIS_PORT), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"])  # fmt: skip
        wait_for(lambda: subprocess.run(["redis-cli", "-p", str(REDIS_PORT), "ping"], capture_output=True, text=True).stdout.strip() == "PONG", 10, "redis")  # fmt: skip

    def start_web(self) -> None:
        self.start("web", [PY, "-m", "gunicorn", "pmo_portal.wsgi:application", "--bind", f"127.0.0.1:{WEB_PORT}", "--workers", "2", "--timeout", "60"])  # fmt: skip
        wait_for(lambda: http_status(f"{base()}/healthz/") == 200, 30, "gunicorn")

    def start_worker(self, name="worker", clock=(), **env) -> None:
        self.start(name, [*clock, PY, "-m", "celery", "-A", "pmo_portal", "worker", "--concurrency", "1", "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--hostname", f"{name}-{time.monotonic_ns()}@%h"], **env)  # fmt: skip

    def start_beat(self, name="beat", clock=(), **env) -> None:
        self.start(name, [*clock, PY, "-m", "celery", "-A", "pmo_portal", "beat", "--loglevel", "INFO", "--schedule", str(self.workdir / f"{name}-schedule")], **env)  # fmt: skip

    def manage(self, *args: str) -> str:
        return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=self.env, check=True, capture_output=True, text=True).stdout  # fmt: skip

    def sql(self, query: str) -> str:
        """Ask the chaos database, through Django's ORM in a separate process (the script itself stays Django-free)."""
        return self.manage("shell", "--no-imports", "-c", query).strip()


def base() -> str:
    return f"http://127.0.0.1:{WEB_PORT}"


def wait_for(condition, seconds: float, what: str, interval=0.25) -> float:
    start = time.monotonic()
    while time.monotonic() - start < seconds:
        with contextlib.suppress(Exception):
            if condition():
                return time.monotonic() - start
        time.sleep(interval)
    raise TimeoutError(f"{what} not ready after {seconds:.0f} s")


def http_status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


class Browser:
    """A signed-in person talking to gunicorn over HTTP (cookies and CSRF like a browser)."""

    def __init__(self, username: str):
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar), NoRedirect())
        page = self.get("/account/login/")
        self.post("/account/login/", {"username": username, "password": PASSWORD}, csrf_from=page)

    def get(self, path: str):
        with self.opener.open(base() + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict, csrf_from: str | None = None):
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', csrf_from or self.get("/")).group(1)
        body = urllib.parse.urlencode({**data, "csrfmiddlewaretoken": token}).encode()
        request = urllib.request.Request(base() + path, data=body, headers={"Referer": base() + path})
        started = time.monotonic()
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers.get("Location"), time.monotonic() - started
        except urllib.error.HTTPError as error:
            return error.code, error.headers.get("Location"), time.monotonic() - started

    def download(self, job_id: str) -> tuple[int, bytes]:
        try:
            with self.opener.open(f"{base()}/exports/{job_id}/download/", timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, b""


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None

    def http_error_302(self, req, fp, code, msg, headers):
        return fp


# --- the scenarios ---------------------------------------------------------------------------------------


def job_rows(stack: Stack) -> list[tuple]:
    out = stack.sql("from pmo_portal.models import ExportJob; print(list(ExportJob.objects.order_by('created_at').values_list('id', 'status', 'attempts')))")  # fmt: skip
    return [(str(j), s, a) for j, s, a in eval(out, {"UUID": lambda x: x})]  # noqa: S307  (our own repr)


def export(browser: Browser, project_pk: str) -> tuple[int, str, float]:
    return browser.post(f"/exports/new/project_brief/{project_pk}/", {"language": "ja"})


def wait_done(stack: Stack, count: int, seconds: float) -> list[tuple]:
    wait_for(lambda: len(rows := job_rows(stack)) >= count and all(s in ("done", "failed") for _, s, _ in rows), seconds, "exports")  # fmt: skip
    return job_rows(stack)


def pdf_files(stack: Stack) -> list[Path]:
    return sorted((stack.media / "exports").glob("*.pdf")) if (stack.media / "exports").exists() else []


def is_complete_pdf(content: bytes) -> bool:
    return content.startswith(b"%PDF-") and content.rstrip().endswith(b"%%EOF")


def scenario_redis_down_during_request(stack, browser, project_pk):
    """1. Redis stopped while a user requests an export: the request succeeds, the job is saved,
    and after Redis returns the PDF is produced exactly once."""
    stack.kill("redis")
    status, location, seconds = export(browser, project_pk)
    saved = job_rows(stack)
    assert status == 302 and "/exports/" in location, f"request answered {status}"
    assert len(saved) == 1 and saved[0][1] == "queued", f"job not saved as queued: {saved}"
    stack.start_redis()
    rows = wait_done(stack, 1, 90)
    assert rows[0][1:] == ("done", 1), f"job ended as {rows[0]}"
    time.sleep(SWEEP_SECONDS * 2)  # a late duplicate would show up now
    assert job_rows(stack)[0][1:] == ("done", 1) and len(pdf_files(stack)) == 1, "produced more than once"
    return f"request {status} in {seconds:.1f}s while Redis was down; PDF made once after it returned"


def scenario_worker_killed_mid_render(stack, browser, project_pk):
    """2. The worker is killed with SIGKILL in the middle of a render: after restart the job
    completes, with one PDF and two attempts recorded."""
    export(browser, project_pk)
    job_id = job_rows(stack)[-1][0]
    wait_for(lambda: dict((j, s) for j, s, _ in job_rows(stack))[job_id] == "running", 60, "render start", 0.05)
    time.sleep(0.5)
    stack.kill("worker")
    killed_while = dict((j, (s, a)) for j, s, a in job_rows(stack))[job_id]
    stack.start_worker()
    wait_for(lambda: dict((j, s) for j, s, _ in job_rows(stack))[job_id] == "done", 120, "completion after restart")
    final = dict((j, (s, a)) for j, s, a in job_rows(stack))[job_id]
    files = [p for p in pdf_files(stack) if p.stem == job_id]
    assert killed_while[0] == "running", f"the kill did not hit a render: {killed_while}"
    assert final == ("done", 2), f"ended as {final}"
    assert len(files) == 1 and is_complete_pdf(files[0].read_bytes())
    return "killed during render; completed after restart with 2 attempts and 1 PDF"


def scenario_double_request(stack, browser, project_pk):
    """3. The same export requested twice quickly: two jobs or one, but never a corrupt or
    half-written file served."""
    before = {j for j, _, _ in job_rows(stack)}
    results = []
    threads = [threading.Thread(target=lambda: results.append(export(browser, project_pk))) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    new = [j for j, _, _ in job_rows(stack) if j not in before]
    served, refused = 0, 0
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        states = dict((j, s) for j, s, _ in job_rows(stack))
        for job_id in new:
            status, content = browser.download(job_id)
            if status == 200:
                assert is_complete_pdf(content), f"served an incomplete PDF for {job_id}"
                served += 1
            else:
                assert states[job_id] != "done" or status == 200, f"done but {status}"
                refused += 1
        if all(states[j] == "done" for j in new):
            break
        time.sleep(0.2)
    assert 1 <= len(new) <= 2 and all(s == "done" for j, s, _ in job_rows(stack) if j in new)
    return f"{len(new)} jobs; {served} downloads all complete PDFs, {refused} refused while rendering"


# A Wednesday morning in UTC, run 60 times faster than real time: one simulated hour per real minute.
SIMULATED_CLOCK = ("faketime", "-f", "@2026-11-25 08:50:00 x60")
WAITING_SIGNOFFS = 20


def scenario_two_beats(stack, browser, project_pk):
    """4. Two beat processes run at once for an hour of simulated reminders: every reminder is sent
    exactly once."""
    stack.sql(
        "from datetime import datetime, UTC; from accounts.models import User; from projects.models import Project, SignOffRequest;"
        "p = Project.objects.get(code='SMI-CLAIMS'); pmo = User.objects.get(username='pmo');"
        f"ids = [SignOffRequest.objects.create(project=p, title=f'議事録 {{i}}', summary='Minutes to sign', approver_role='client_pm', requested_by=pmo).pk for i in range({WAITING_SIGNOFFS})];"  # noqa: E501
        "SignOffRequest.objects.filter(pk__in=ids).update(created_at=datetime(2026, 10, 1, tzinfo=UTC))"
    )
    stack.kill("worker")
    stack.kill("beat")
    quiet = {"EXPORT_SWEEP_SECONDS": "86400"}  # only the reminders matter here
    for name in ("worker-a", "worker-b"):
        stack.start_worker(name, clock=SIMULATED_CLOCK, **quiet)
    for name in ("beat-a", "beat-b"):
        stack.start_beat(name, clock=SIMULATED_CLOCK, **quiet)
    time.sleep(75)  # one simulated hour (the reminders fire at minute 5) and some slack
    for name in ("beat-a", "beat-b", "worker-a", "worker-b"):
        stack.kill(name, signal.SIGTERM)
    stack.start_worker()
    stack.start_beat()
    counts = stack.sql(
        "from collections import Counter; from pmo_portal.models import Notification, SentReminder;"
        "c = Counter(Notification.objects.filter(kind='approval.waiting').values_list('recipient__username', 'object_id'));"
        "print(len(c), max(c.values(), default=0), SentReminder.objects.filter(key__startswith='approval').count())"
    ).split()
    items, most, sent = (int(n) for n in counts)
    fired = sum((stack.workdir / f"{b}.log").read_text().count("send-due-reminders") for b in ("beat-a", "beat-b"))
    assert fired >= 2, f"the beats sent the reminder task {fired} times"
    assert items >= WAITING_SIGNOFFS and most == 1 and sent == items, f"{items} reminders, at most {most} per item, {sent} recorded"  # fmt: skip
    return f"two beats sent the reminder task {fired} times; {items} reminders, each exactly once"


def scenario_redis_restart_idle_worker(stack, browser, project_pk):
    """5. Redis restarted while the worker is idle: the worker consumes the next job within 60 s."""
    stack.kill("redis")
    time.sleep(1)
    stack.start_redis()
    before = {j for j, _, _ in job_rows(stack)}
    started = time.monotonic()
    export(browser, project_pk)
    new = lambda: [r for r in job_rows(stack) if r[0] not in before]  # noqa: E731
    wait_for(lambda: new() and new()[0][1] == "done", 60, "the next job after the Redis restart")
    return f"next job done {time.monotonic() - started:.1f}s after the request"


SCENARIOS = {
    1: scenario_redis_down_during_request,
    2: scenario_worker_killed_mid_render,
    3: scenario_double_request,
    4: scenario_two_beats,
    5: scenario_redis_restart_idle_worker,
}


def prepare(stack: Stack) -> str:
    """A fresh database with the demo, and a project brief big enough to take a few seconds to render."""
    admin = PG_ADMIN_URL
    subprocess.run(["psql", admin, "-qc", f"DROP DATABASE IF EXISTS {DB_NAME}"], check=True, capture_output=True)
    subprocess.run(["psql", admin, "-qc", f"CREATE DATABASE {DB_NAME} ENCODING 'UTF8' LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8' TEMPLATE template0"], check=True, capture_output=True)  # fmt: skip
    stack.manage("migrate", "--noinput", "-v0")
    stack.manage("seed_demo", "--password", PASSWORD, "--force")
    return stack.sql(
        "from accounts.models import User; from projects.models import Project, Membership;"
        "p = Project.objects.get(code='SMI-CLAIMS');"
        "users = User.objects.bulk_create([User(username=f'chaos{i}', display_name=f'読者 {i} / 독자 {i}', email=f'chaos{i}@example.test') for i in range(1500)]);"  # noqa: E501
        "Membership.objects.bulk_create([Membership(project=p, user=u, role='reader', organization=p.client) for u in users]);"
        "print(p.pk)"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", default="", help="comma-separated scenario numbers")
    args = parser.parse_args()
    chosen = [int(n) for n in args.only.split(",") if n] or list(SCENARIOS)
    for tool in ("redis-server", "redis-cli", "psql", "faketime"):
        if shutil.which(tool) is None:
            print(f"chaos: {tool} is missing (make chaos installs redis-server, postgresql-client and faketime)")
            return 1
    workdir = Path(tempfile.mkdtemp(prefix="pmo-chaos-"))
    stack = Stack(workdir)
    held = 0
    try:
        stack.start_redis()
        project_pk = prepare(stack)
        stack.start_web()
        stack.start_worker()
        stack.start_beat()
        browser = Browser("pmo")
        for number in chosen:
            scenario = SCENARIOS[number]
            try:
                detail = scenario(stack, browser, project_pk)
            except (AssertionError, TimeoutError) as failure:
                print(f"scenario {number}: MISSED — {scenario.__doc__.splitlines()[0].strip()} — {failure}", flush=True)
            else:
                held += 1
                print(f"scenario {number}: held — {detail}", flush=True)
    finally:
        stack.stop_all()
    print(f"logs: {workdir}")
    print(f"chaos: {held}/{len(chosen)} scenarios held")
    return 0 if held == len(chosen) else 1


if __name__ == "__main__":
    sys.exit(main())
