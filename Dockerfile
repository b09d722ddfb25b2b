# datacity crawler image. The entrypoint is the datacity command; `scrapy crawl`
# runs from /app, where scrapy.cfg lives.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/datacity.db

WORKDIR /app
COPY pyproject.toml README.md alembic.ini scrapy.cfg settings.py ./
COPY crawler ./crawler
COPY spiders ./spiders
COPY pipelines ./pipelines
COPY alembic ./alembic
# Editable, so that alembic.ini and the migrations are found beside the packages.
RUN pip install -e . && mkdir -p /data && useradd --create-home datacity \
    && chown datacity /data
USER datacity
VOLUME ["/data"]

ENTRYPOINT ["datacity"]
CMD ["db", "upgrade"]
