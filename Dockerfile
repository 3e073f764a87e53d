# One image for the web server, the Celery worker and Celery beat (docker-compose.yml).
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DATA_DIR=/data

# Fonts for the PDFs (Times New Roman-metric serifs with every Vietnamese glyph:
# Liberation Serif, Tinos) and WeasyPrint's native libraries.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        fonts-liberation fonts-croscore fontconfig \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 \
    && rm -rf /var/lib/apt/lists/* \
    && fc-cache -f

RUN useradd --system --create-home --uid 1000 app \
    && mkdir -p /data \
    && chown app:app /data

WORKDIR /app

# pyproject.toml alone first, so the dependency layer is reused while only code
# changes. It declares no packages: this installs the dependencies only.
COPY pyproject.toml ./
RUN pip install . && rm -rf build *.egg-info

COPY --chown=app:app . .

USER app
EXPOSE 8000

CMD ["gunicorn", "partyreports.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-"]
