# xmess-bot: a slim Python image, run as a non-root user, data kept in a volume.
# `xmess-bot run` polls, publishes and serves the web page on port 8000; compose.yaml adds
# PostgreSQL. Secrets come from the environment, never from the image.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    XMESS_CONFIG=/data/xmess.toml \
    XMESS_TEMPLATES_DIR=/app/templates \
    XMESS_SLOTS_FILE=/app/schedules/slots.toml \
    XMESS_JOBS_FILE=/app/schedules/jobs.toml

WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY templates ./templates
COPY schedules ./schedules
RUN pip install --no-cache-dir . \
    && useradd --create-home --uid 10001 xmess \
    && mkdir -p /data \
    && chown xmess:xmess /data

USER 10001
VOLUME ["/data"]
WORKDIR /data
EXPOSE 8000
# The image has no curl: Python's urllib asks /healthz, and fails on any error or non-2xx.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"]
CMD ["xmess-bot", "run", "--host", "0.0.0.0"]
