# competency on gunicorn, with WeasyPrint's system libraries.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    COMPETENCY_INSTANCE_DIR=/var/lib/competency

RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b libharfbuzz-subset0 fonts-dejavu-core fontconfig \
 && rm -rf /var/lib/apt/lists/*

RUN useradd --system --create-home --home-dir /var/lib/competency competency \
 && install -d -o competency -g competency /var/lib/competency/storage
WORKDIR /app
COPY pyproject.toml README.md alembic.ini gunicorn.conf.py ./
COPY src ./src
COPY templates ./templates
COPY questionnaires ./questionnaires
COPY migrations ./migrations
RUN pip install . && rm -rf /app/src

USER competency
EXPOSE 8000
# Migrations first, then the app; the questionnaires folder can be mounted over /app/questionnaires.
# The same image runs the job workers: `competency worker` (see docker-compose.yml).
CMD ["sh", "-c", "competency db upgrade && exec gunicorn --bind 0.0.0.0:8000 --workers ${WEB_CONCURRENCY:-2} --access-logfile - 'competency:create_app()'"]
