# homelabctl in a container: `docker build -t homelabctl:0.1.0 .`, then `kubectl apply -k deploy/`.
# Runs as a non-root user and writes only to /data (the history) and /tmp: the root filesystem can be
# read-only (deploy/ sets readOnlyRootFilesystem). The package is installed from this repository.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY src ./src
RUN pip install . \
    && rm -rf /src \
    && useradd --system --uid 10001 --user-group --home-dir /data --no-create-home --shell /usr/sbin/nologin homelabctl \
    && mkdir -p /data \
    && chown 10001:10001 /data

USER 10001:10001
WORKDIR /data
# MALLOC_ARENA_MAX: one glibc heap per watcher thread fragments; two is plenty for a watch (~5% less memory)
ENV HOME=/data \
    HOMELABCTL_DB=/data/homelabctl.db \
    MALLOC_ARENA_MAX=2
EXPOSE 8080
ENTRYPOINT ["homelabctl"]
CMD ["watch", "--listen=0.0.0.0:8080", "--db=/data/homelabctl.db"]
