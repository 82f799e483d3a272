"""The Japanese and Korean translations stay complete, and templates carry no hard-coded text.

* ``test_catalogues_are_complete`` regenerates the catalogues from a copy of the source tree and fails
  on any string that is new (untranslated) or only guessed by msgmerge (fuzzy). Fix it with
  ``manage.py makemessages -l ja -l ko --ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests``
  and translate the new entries in ``locale/{ja,ko}/LC_MESSAGES/django.po``.
* ``test_templates_have_no_bare_text`` finds words typed straight into a template instead of through
  ``{% translate %}`` / ``{% blocktranslate %}``: makemessages cannot see those, so the first test cannot.
* ``test_pages_render_in_each_language`` checks that the compiled catalogues are actually used.
"""

import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from accounts.models import Organization, User
from projects.models import Membership, Project

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ("ja", "ko")
# What makemessages reads: every app (Python and app templates), the project templates, the catalogues.
SOURCE_DIRS = ("accounts", "projects", "rfp", "manuals", "pmo_portal", "templates", "locale")


# --- 1. catalogues --------------------------------------------------------------------------------------


def _gettext_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.fail(
            f"`{name}` was not found: GNU gettext must be installed to check the translations "
            "(`make test` installs it; by hand: apt-get install gettext).",
            pytrace=False,
        )
    return path


def _po_entries(po_text: str) -> list[str]:
    """The msgids of a .po text, the header's empty msgid left out. Handles msgids split over lines."""
    entries: list[list[str]] = []
    in_msgid = False
    for line in po_text.splitlines():
        if line.startswith("msgid "):
            entries.append([line[len("msgid ") :].strip()])
            in_msgid = True
        elif in_msgid and line.startswith('"'):
            entries[-1].append(line.strip())
        else:
            in_msgid = False
    msgids = ("".join(part[1:-1] for part in parts) for parts in entries)
    return [msgid for msgid in msgids if msgid]


def test_po_entries_parser():
    sample = (
        'msgid ""\nmsgstr ""\n"Language: ja\\n"\n\n'
        '#: a.py:1\nmsgid "Short"\nmsgstr ""\n\n'
        '#: b.py:2\nmsgid ""\n"Long message "\n"split over lines"\nmsgstr ""\n\n'
        'msgid "One"\nmsgid_plural "Many"\nmsgstr[0] ""\n'
    )
    assert _po_entries(sample) == ["Short", "Long message split over lines", "One"]


def test_catalogues_are_complete(tmp_path):
    msgattrib = _gettext_tool("msgattrib")
    _gettext_tool("msgmerge")  # makemessages needs xgettext and msgmerge too
    _gettext_tool("xgettext")

    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo")
    for name in SOURCE_DIRS:
        shutil.copytree(ROOT / name, tmp_path / name, ignore=ignore)
    shutil.copy2(ROOT / "manage.py", tmp_path / "manage.py")

    env = os.environ.copy()
    env.update(
        DJANGO_SETTINGS_MODULE="pmo_portal.settings",
        PYTHONPATH=str(tmp_path),
        DJANGO_VAR_DIR=str(tmp_path / "var"),
    )
    command = [sys.executable, "manage.py", "makemessages", "--ignore=var"]
    command += [f"-l{lang}" for lang in LANGUAGES]
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"makemessages failed:\n{result.stdout}\n{result.stderr}"

    problems = []
    for lang in LANGUAGES:
        po = tmp_path / "locale" / lang / "LC_MESSAGES" / "django.po"
        assert po.exists(), f"makemessages did not write {po.relative_to(tmp_path)}"
        for option, what in (("--untranslated", "untranslated"), ("--only-fuzzy", "fuzzy (needs checking)")):
            out = subprocess.run(
                [msgattrib, option, "--no-obsolete", str(po)], capture_output=True, text=True, timeout=60
            )
            assert out.returncode == 0, f"msgattrib {option} failed on {lang}:\n{out.stderr}"
            problems += [f"  [{lang}] {what}: {msgid}" for msgid in _po_entries(out.stdout)]

    assert not problems, (
        "These strings have no finished translation. Run `manage.py makemessages -l ja -l ko "
        "--ignore=.venv --ignore=var --ignore=staticfiles --ignore=tests`, translate them in "
        "locale/<lang>/LC_MESSAGES/django.po and remove any `#, fuzzy` flag:\n" + "\n".join(problems)
    )


# --- 2. no bare text in templates ----------------------------------------------------------------------

TEMPLATES = ROOT / "templates"
# Attributes whose values people see or hear (tooltips, hints, screen readers, image descriptions).
VISIBLE_ATTRIBUTES = ("title", "placeholder", "aria-label", "alt")
# Exact bare strings accepted, per template (path relative to templates/). Each needs a comment saying why
# it is not user-visible text. Keep this empty unless there is no other way.
ALLOWED_BARE_TEXT: dict[str, set[str]] = {}

_TEMPLATE_SYNTAX = [
    re.compile(r"\{%\s*comment\b.*?%\}.*?\{%\s*endcomment\s*%\}", re.S),
    re.compile(r"\{#.*?#\}", re.S),
    re.compile(r"\{%\s*(blocktranslate|blocktrans)\b.*?%\}.*?\{%\s*(endblocktranslate|endblocktrans)\s*%\}", re.S),
    re.compile(r"\{%.*?%\}", re.S),  # translate/trans tags and every other tag
    re.compile(r"\{\{.*?\}\}", re.S),
]
_HTML_NOISE = [
    re.compile(r"<script\b.*?</script\s*>", re.S | re.I),
    re.compile(r"<style\b.*?</style\s*>", re.S | re.I),
    re.compile(r"<!--.*?-->", re.S),
]
_HTML_TAG = re.compile(r"<[^>]*>", re.S)
_ATTRIBUTE = re.compile(
    r"""\s({})\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>"']+))""".format("|".join(map(re.escape, VISIBLE_ATTRIBUTES))), re.I
)
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#\d+|#x[0-9A-Fa-f]+);")


def _blank(match: re.Match) -> str:
    """Replace a construct by as many line breaks as it spanned, so line numbers stay right."""
    return "\n" * match.group(0).count("\n")


def _bare_text(source: str) -> list[tuple[int, str]]:
    """(line, text) of every piece of text with letters left outside translation tags."""
    for pattern in _TEMPLATE_SYNTAX:
        source = pattern.sub(_blank, source)
    for pattern in _HTML_NOISE:
        source = pattern.sub(_blank, source)

    found = []
    for tag in _HTML_TAG.finditer(source):
        line = source.count("\n", 0, tag.start()) + 1
        for attr in _ATTRIBUTE.finditer(tag.group(0)):
            value = next(v for v in attr.groups()[1:] if v is not None)
            if any(ch.isalpha() for ch in _ENTITY.sub(" ", value)):
                found.append((line, f'{attr.group(1)}="{value.strip()}"'))
    source = _HTML_TAG.sub(_blank, source)
    source = _ENTITY.sub(" ", source)

    for number, line in enumerate(source.split("\n"), start=1):
        text = " ".join(line.split())
        # Only letters count: digits and punctuation such as "·", "–", "—", ":" between variables are fine.
        if any(ch.isalpha() for ch in text):
            found.append((number, text))
    return found


def test_bare_text_finder():
    source = (
        '{% load i18n %}<p title="Hover text">{% translate "Fine" %} · {{ name }}</p>\n'
        '<img alt="{% translate \'Fine too\' %}" src="x.png">{# a comment #}\n'
        "<button aria-label='Close me'>×</button><!-- note -->\n"
        "{% blocktranslate %}Hello {{ name }}{% endblocktranslate %} – 12:30\n"
        "<script>let word = 1;</script>&nbsp;Oops here\n"
    )
    assert _bare_text(source) == [(1, 'title="Hover text"'), (3, "aria-label=\"Close me\""), (5, "Oops here")]


def _template_files() -> list[Path]:
    return sorted(p for p in TEMPLATES.rglob("*") if p.suffix in {".html", ".txt"} and p.is_file())


def test_templates_have_no_bare_text():
    files = _template_files()
    assert files, f"no templates found under {TEMPLATES}"
    problems = []
    for path in files:
        name = path.relative_to(TEMPLATES).as_posix()
        allowed = ALLOWED_BARE_TEXT.get(name, set())
        for line, text in _bare_text(path.read_text(encoding="utf-8")):
            if text not in allowed:
                problems.append(f"  templates/{name}:{line}: {text!r}")
    assert not problems, (
        "Text written straight into templates cannot be translated. Wrap it in {% translate %} or "
        "{% blocktranslate %}:\n" + "\n".join(problems)
    )


# --- 3. pages come out in the person's language --------------------------------------------------------


@pytest.mark.parametrize(
    ("language", "expected"),
    [("ja", "担当プロジェクト"), ("ko", "내 프로젝트"), ("en", "My projects")],
)
def test_pages_render_in_each_language(client, db, language, expected):
    client_org = Organization.objects.create(name="Sakura Insurance", kind="client")
    pmo_org = Organization.objects.create(name="Meridian PMO", kind="pmo")
    user = User.objects.create(
        username="pm", email="pm@example.test", language=language, display_name="Hanako", organization=client_org
    )
    project = Project.objects.create(
        client=client_org, pmo_firm=pmo_org, code="ALPHA", name="Alpha claims renewal",
        start_date=date(2026, 4, 1), end_date=date(2027, 3, 31),
    )  # fmt: skip
    Membership.objects.create(project=project, user=user, role="client_pm", organization=client_org)
    client.force_login(user)  # django-axes refuses client.login()

    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert f'<html lang="{language}">' in html
    assert expected in html
    assert "Alpha claims renewal" in html
