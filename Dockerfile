# The published service, for any container platform (Cloud Run, Fly, ...): the image builds the
# database from source/ and serves it with nkcities/web/serve.py and serve.yml, the project's one
# serve configuration, on 0.0.0.0:$PORT. The database is immutable, so replicas are stateless: run
# as many as you need behind the platform's load balancer or a CDN.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app

# Runtime dependencies only (no test extra) at the versions and hashes of requirements-serve.lock
# (`make lock`); the project runs from /app (pyproject.toml installs no module of its own).
COPY requirements-serve.lock ./
RUN pip install --require-hashes -r requirements-serve.lock

# Build the database, its inspect file and its data package (dist/, served at /-/data/) inside
# the image (.dockerignore keeps local builds out).
COPY . .
RUN python build.py --db north-korea-cities.db \
    && datasette inspect north-korea-cities.db --inspect-file inspect-data.json \
    && python datapackage.py north-korea-cities.db --dist dist

# The platform's proxy terminates TLS: trust its X-Forwarded-Proto so absolute URLs (the charts
# fetch their data through one) are https there and http when run locally. Every connection comes
# from the platform's front end ("*"); the client is the X-Forwarded-For entry it appended, second
# from the right on Cloud Run (Google's load balancer: "<client>,<load balancer>") and on Fly
# ("<client>, <the app's address>"), never the leftmost, which the client can write (serve.yml).
ENV HOST=0.0.0.0 PORT=8080 FORWARDED_ALLOW_IPS=* FORWARDED_HOPS=2
EXPOSE 8080
USER nobody
CMD ["python", "-m", "nkcities.web.serve"]
