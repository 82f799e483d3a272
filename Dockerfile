# PMO Portal production image: one image for every process (web, worker, beat, migrate);
# docker-compose.yml picks the process with `command:`. The default runs the web server.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DJANGO_ENV=production

# Runtime system packages:
# - libpango-1.0-0, libpangoft2-1.0-0: WeasyPrint lays out PDFs with Pango (pulls in fontconfig).
# - libharfbuzz-subset0: native font subsetting; without it a Japanese PDF renders ~35x slower.
# - fonts-noto-cjk: Japanese/Korean glyphs ("Noto Sans CJK JP/KR") for PDFs.
# - gettext: msgfmt, used by `compilemessages` below.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-noto-cjk \
        libharfbuzz-subset0 \
        libpango-1.0-0 \
        libpangoft2-1.0-0 \
        gettext \
    && rm -rf /var/lib/apt/lists/*

# Unprivileged user the processes run as (Celery also warns when its worker runs as root).
RUN groupadd --gid 1000 portal \
    && useradd --uid 1000 --gid portal --create-home --shell /usr/sbin/nologin portal

WORKDIR /app

# Dependencies first, so a code change does not reinstall them.
COPY requirements.txt ./
RUN PIP_ROOT_USER_ACTION=ignore PIP_DISABLE_PIP_VERSION_CHECK=1 \
    pip install --no-cache-dir -r requirements.txt

# The code stays owned by root: the app user can read it but not change it.
COPY . .

# Compile translations and collect static files into the image.
# DJANGO_SECRET_KEY here is a throwaway used only so production settings can be imported
# at build time; it is never used to sign anything and, being exported inside this RUN only,
# is not in the image's environment (the real key comes from the environment / .env).
RUN export DJANGO_ENV=production DJANGO_SECRET_KEY=build-only-not-secret DJANGO_ALLOWED_HOSTS=localhost \
    && python manage.py compilemessages \
    && python manage.py collectstatic --noinput

# Writable state: uploaded/generated files (DJANGO_MEDIA_ROOT, a volume in compose) and the
# Celery beat schedule file. Created here owned by `portal` so a new named volume mounted on
# /app/var/media starts with that ownership.
RUN mkdir -p /app/var/media \
    && chown portal:portal /app/var /app/var/media

EXPOSE 8000

USER portal

# No curl in the slim image: probe the health endpoint with the standard library.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request,sys; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8000/healthz/').status==200 else 1)"]

CMD ["gunicorn", "pmo_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
