"""docker-compose.yml and the Dockerfile run only what this project provides.

A typo in a deployment command (`manage.py migrat`, `pmo_portal.wsgi:app`,
`celery -A pmo_portl`, a renamed /healthz/ URL) otherwise shows up only as a
container that crash-loops or never turns healthy in production. These tests read
the files and check every command against the code: management commands, the WSGI
application, the Celery app and its subcommands and options, the health URL.

No database needed: they only import the project and resolve URLs.
"""

import importlib
import json
import re
import shlex
import warnings
from pathlib import Path
from urllib.parse import urlsplit

import click
import pytest
import yaml
from celery import Celery
from celery.app.utils import find_app
from celery.bin.base import CLIContext
from celery.bin.celery import celery as celery_cli
from celery.worker.control import Panel
from django.core.management import BaseCommand, CommandError, get_commands, load_command_class
from django.urls import Resolver404, resolve
from gunicorn.config import Config as GunicornConfig

ROOT = Path(__file__).resolve().parent.parent
COMPOSE_FILE = ROOT / "docker-compose.yml"
DOCKERFILE = ROOT / "Dockerfile"

# Services built from this repository's Dockerfile (they share the `x-app` anchor).
APP_SERVICES = ("web", "worker", "beat", "migrate")
INFRA_SERVICES = ("db", "redis")
# One-shot migrate and the beat scheduler serve nothing a healthcheck could probe.
SERVICES_WITHOUT_HEALTHCHECK = ("migrate", "beat")
# pg_isready and redis-cli come with the postgres and redis images, not ours.
KNOWN_EXECUTABLES = {"python", "gunicorn", "celery", "nice", "pg_isready", "redis-cli"}
SHELL_OPERATORS = {"&&", "||", "|", ";", ">", "<"}


# --- reading the files -------------------------------------------------------


def load_compose():
    return yaml.safe_load(COMPOSE_FILE.read_text())


def dockerfile_instructions():
    """(INSTRUCTION, arguments) pairs; comments dropped, continuation lines joined."""
    instructions, current = [], ""
    for line in DOCKERFILE.read_text().splitlines():
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        if stripped.endswith("\\"):
            current += stripped[:-1] + " "
            continue
        keyword, _, arguments = (current + stripped).partition(" ")
        instructions.append((keyword.upper(), arguments.strip()))
        current = ""
    return instructions


def healthcheck_argv(test, where):
    """The command a healthcheck `test` runs: ["CMD", ...] or ["CMD-SHELL", "..."]."""
    assert isinstance(test, list) and test[:1] in (["CMD"], ["CMD-SHELL"]), (
        f'{where}: write the healthcheck test as ["CMD", ...] or ["CMD-SHELL", "..."], got {test!r}'
    )
    if test[0] == "CMD":
        return test[1:]
    argv = shlex.split(" ".join(test[1:]))
    assert not SHELL_OPERATORS & set(argv), (
        f"{where}: keep the CMD-SHELL healthcheck to one command so it can be checked, got {test[1:]!r}"
    )
    return argv


def compose_commands():
    """(where, kind, raw) for every app service's command and every service's healthcheck."""
    if not COMPOSE_FILE.exists():
        return []  # test_compose_defines_the_services reports it
    services = load_compose().get("services", {})
    cases = []
    for name in APP_SERVICES:
        if "command" in services.get(name, {}):
            cases.append((f"compose {name} command", "command", services[name]["command"]))
    for name in APP_SERVICES + INFRA_SERVICES:
        healthcheck = services.get(name, {}).get("healthcheck") or {}
        if not healthcheck.get("disable") and "test" in healthcheck:
            cases.append((f"compose {name} healthcheck", "test", healthcheck["test"]))
    return cases


def dockerfile_commands():
    """(where, kind, raw) for the Dockerfile's CMD, HEALTHCHECK and build-time manage.py runs."""
    if not DOCKERFILE.exists():
        return []  # test_app_services_build_this_repository reports it
    cases = []
    for instruction, arguments in dockerfile_instructions():
        if instruction == "CMD":
            cases.append(("Dockerfile CMD", "exec", arguments))
        elif instruction == "HEALTHCHECK" and " CMD " in f" {arguments} ":
            command = f" {arguments}".split(" CMD ", 1)[1]  # after the --interval=... options
            cases.append(("Dockerfile HEALTHCHECK", "exec", command))
        elif instruction == "RUN" and "manage.py" in arguments:
            for step in arguments.split("&&"):
                argv = shlex.split(step)
                while argv and "=" in argv[0]:  # drop VAR=value prefixes
                    argv.pop(0)
                if argv[:2] == ["python", "manage.py"]:
                    cases.append((f"Dockerfile RUN {' '.join(argv)}", "argv", argv))
    return cases


def to_argv(where, kind, raw):
    if kind == "command":
        assert isinstance(raw, list), f"{where}: write `command:` in list form, got {raw!r}"
        return raw
    if kind == "test":
        return healthcheck_argv(raw, where)
    if kind == "exec":
        try:
            argv = json.loads(raw)
        except json.JSONDecodeError:
            argv = None
        assert isinstance(argv, list), (
            f"{where}: use the JSON (exec) form so the process gets signals directly, got {raw!r}"
        )
        return argv
    return raw


# --- checking one command ----------------------------------------------------


def check_command(argv, where):
    """Assert that `argv` runs something this project (or the service's image) provides."""
    assert argv, f"{where}: empty command"
    executable, *args = argv
    assert executable in KNOWN_EXECUTABLES, (
        f"{where}: runs {executable!r}; expected one of {sorted(KNOWN_EXECUTABLES)}"
    )
    if executable == "nice":
        if args[:1] == ["-n"]:
            assert len(args) > 1 and args[1].lstrip("-").isdigit(), f"{where}: `nice -n` needs a number"
            args = args[2:]
        check_command(args, where)
    elif executable == "python":
        check_python(args, where)
    elif executable == "gunicorn":
        check_gunicorn(args, where)
    elif executable == "celery":
        check_celery(args, where)
    # pg_isready, redis-cli: provided by the postgres and redis images.


def check_python(args, where):
    if args[:1] == ["manage.py"]:
        check_manage_py(args[1:], where)
    elif args[:1] == ["-c"] and len(args) == 2:
        check_health_probe(args[1], where)
    else:
        pytest.fail(f"{where}: `python {shlex.join(args)}` is neither `python manage.py ...` nor the health probe")


def check_manage_py(args, where):
    assert args, f"{where}: `python manage.py` without a command"
    name, *options = args
    commands = get_commands()
    assert name in commands, f"{where}: `manage.py {name}` is not a management command of this project"
    app_name = commands[name]
    command = app_name if isinstance(app_name, BaseCommand) else load_command_class(app_name, name)
    try:
        command.create_parser("manage.py", name).parse_args(options)
    except CommandError as error:
        pytest.fail(f"{where}: `manage.py {name}` rejects {options}: {error}")


def check_health_probe(code, where):
    """`python -c "...urlopen('http://127.0.0.1:8000/healthz/')..."`: the URL is one of ours."""
    try:
        compile(code, f"<{where}>", "exec")
    except SyntaxError as error:
        pytest.fail(f"{where}: the `python -c` health probe is not valid Python: {error}")
    urls = re.findall(r"urlopen\(\s*['\"]([^'\"]+)['\"]", code)
    assert urls, f"{where}: `python -c` is only used for the urllib health probe, got {code!r}"
    for url in urls:
        path = urlsplit(url).path
        try:
            resolve(path)
        except Resolver404:
            pytest.fail(f"{where}: the health probe requests {path}, which no URL of this project serves")


def check_gunicorn(args, where):
    try:
        parsed = GunicornConfig(prog="gunicorn").parser().parse_args(args)
    except SystemExit:
        pytest.fail(f"{where}: gunicorn rejects the options {args} (its message is in the captured stderr)")
    assert len(parsed.args) == 1, f"{where}: gunicorn needs exactly one MODULE:ATTR, got {parsed.args}"
    module_name, colon, attr = parsed.args[0].partition(":")
    assert colon, f"{where}: write the gunicorn application as MODULE:ATTR, got {parsed.args[0]!r}"
    with warnings.catch_warnings():
        # WhiteNoise warns that STATIC_ROOT is missing: collectstatic runs in the image build.
        warnings.filterwarnings("ignore", message="No directory at")
        module = importlib.import_module(module_name)
    assert callable(getattr(module, attr, None)), f"{where}: {module_name} has no WSGI application {attr!r}"


def check_celery(args, where):
    assert len(args) >= 3 and args[0] in ("-A", "--app"), (
        f"{where}: write celery commands as `celery -A APP SUBCOMMAND ...`, got {args}"
    )
    app_name, subcommand, *options = args[1:]
    try:
        app = find_app(app_name)  # how `celery -A` itself finds the app
    except (ImportError, AttributeError) as error:
        pytest.fail(f"{where}: `celery -A {app_name}` finds no Celery app: {error!r}")
    assert isinstance(app, Celery), f"{where}: `celery -A {app_name}` gives {app!r}, not a Celery app"
    assert subcommand in celery_cli.commands, (
        f"{where}: `celery {subcommand}` is not a Celery command; known: {sorted(celery_cli.commands)}"
    )
    context = CLIContext(app=app, no_color=True, workdir=None, quiet=True)
    try:
        parsed = celery_cli.commands[subcommand].make_context(subcommand, list(options), obj=context)
    except click.UsageError as error:
        pytest.fail(f"{where}: `celery {subcommand}` rejects {options}: {error.format_message()}")
    if subcommand == "inspect":
        action = parsed.params["command"]
        meta = Panel.meta.get(action)
        assert meta is not None and meta.type == "inspect", f"{where}: `celery inspect {action}` does not exist"


# --- the tests -----------------------------------------------------------------


def test_compose_defines_the_services():
    services = load_compose()["services"]

    for name in APP_SERVICES + INFRA_SERVICES:
        assert name in services, f"docker-compose.yml has no {name!r} service"


def test_app_services_build_this_repository():
    services = load_compose()["services"]

    for name in APP_SERVICES:
        build = services[name].get("build")
        context = build.get("context") if isinstance(build, dict) else build
        assert context == ".", f"compose service {name!r} must build from '.', got build: {build!r}"
    assert DOCKERFILE.is_file(), "the app services build from '.', but there is no Dockerfile at the repo root"


def test_long_running_services_have_healthchecks():
    services = load_compose()["services"]
    image_has_healthcheck = DOCKERFILE.exists() and any(
        instruction == "HEALTHCHECK" for instruction, _ in dockerfile_instructions()
    )

    for name, service in services.items():
        healthcheck = service.get("healthcheck") or {}
        if name in SERVICES_WITHOUT_HEALTHCHECK:
            if image_has_healthcheck:
                # Otherwise they inherit the image's probe of gunicorn and stay "unhealthy".
                assert healthcheck.get("disable") is True, (
                    f"compose service {name!r} runs no web server: set `healthcheck: {{disable: true}}`"
                )
            continue
        assert healthcheck.get("test") and not healthcheck.get("disable"), (
            f"compose service {name!r} has no healthcheck"
        )


def test_declared_volumes_are_used():
    compose = load_compose()
    declared = set(compose.get("volumes") or {})
    used = set()
    for service in compose["services"].values():
        for volume in service.get("volumes", []):
            if isinstance(volume, dict):
                if volume.get("type") == "volume" and volume.get("source"):
                    used.add(volume["source"])
            elif ":" in volume and not volume.startswith(("/", ".", "~", "$")):
                used.add(volume.split(":", 1)[0])  # short syntax NAME:PATH[:MODE]

    assert declared <= used, f"volumes declared but mounted by no service: {sorted(declared - used)}"
    assert used <= declared, f"named volumes mounted but not declared: {sorted(used - declared)}"


@pytest.mark.parametrize(
    ("where", "kind", "raw"),
    [pytest.param(*case, id=case[0]) for case in compose_commands() + dockerfile_commands()],
)
def test_command_runs_what_the_project_provides(where, kind, raw):
    check_command(to_argv(where, kind, raw), where)


def test_every_app_service_command_is_checked():
    # Guards the parametrized test above against silently checking nothing.
    checked = {where for where, _, _ in compose_commands() + dockerfile_commands()}

    for name in APP_SERVICES:
        assert f"compose {name} command" in checked, f"compose service {name!r} has no command"
    assert "Dockerfile CMD" in checked, "the Dockerfile has no CMD"
