# syntax=docker/dockerfile:1
# The service image: one image for every process (web, worker, events, beat, consumer, relay,
# migrate); the command chooses the process. Build: docker build -t workflow-service .

# --- build: the project and its dependencies into a virtual environment -------------------
FROM python:3.11-slim AS build
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1
RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /src
COPY . .
# A regular (non-editable) install: the code lives in the virtual environment, so the runtime
# stage needs only that, manage.py and gunicorn.conf.py. Sentry's extra is in; off unless
# SENTRY_DSN is set.
RUN pip install --no-cache-dir "./[sentry]"

# --- runtime: no compilers, no pip cache, a non-root user --------------------------------------
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    DJANGO_SETTINGS_MODULE=collectioncrm.settings \
    PORT=8000 \
    STATIC_ROOT=/app/staticfiles \
    LIVENESS_DIR=/tmp/liveness \
    PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --no-create-home --home-dir /app app
COPY --from=build /opt/venv /opt/venv
WORKDIR /app
COPY manage.py gunicorn.conf.py ./
# Static files (admin, Swagger UI, ReDoc) collected once, served by WhiteNoise. The settings
# need values to load; nothing is contacted.
RUN EMBEDDED_SERVICES=false SECRET_KEY=collectstatic JWT_SECRET=collectstatic \
    DATABASE_URL=postgres://build@localhost/build REDIS_URL=redis://localhost:6379/0 \
    KAFKA_BROKERS=localhost:9092 python manage.py collectstatic --noinput --verbosity 0
USER 10001:10001
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '8000'), timeout=4)"]
CMD ["gunicorn", "collectioncrm.wsgi", "--config", "gunicorn.conf.py"]
