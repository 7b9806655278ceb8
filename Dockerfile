# First version of the service image (production hardening comes in a later issue).
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY collectioncrm collectioncrm
COPY workflow workflow
COPY agents agents
COPY actions actions
COPY assignments assignments
COPY cases cases
COPY kafka_bridge kafka_bridge
COPY manage.py ./
RUN pip install --no-cache-dir . && useradd --system --uid 10001 app
USER app
EXPOSE 8000
CMD ["gunicorn", "collectioncrm.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
