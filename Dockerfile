# One image for the web, worker, worker-gpu and beat services of docker-compose.yml;
# each service picks its process with `command`.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings

WORKDIR /app

# bubblewrap: the sandbox in which coding suites run the code a model writes
# (evaluation/sandbox/). It needs unprivileged user namespaces, which Docker's default seccomp
# profile refuses: a worker container that runs coding suites needs a profile that allows them
# (README, "Coding suites"); without one the worker refuses those suites and says why.
RUN apt-get update && apt-get install -y --no-install-recommends bubblewrap && rm -rf /var/lib/apt/lists/*

# Dependencies before the code, so that a code change reuses this layer.
# pyproject.toml declares no packages ([tool.setuptools] packages = []), so the
# install needs only these two files; the code is imported from /app, the
# working directory of every process.
# EXTRAS=gpu adds vLLM for the GPU worker's image (docker-compose's worker-gpu).
ARG EXTRAS=""
COPY pyproject.toml constraints.txt ./
RUN if [ -n "$EXTRAS" ]; then pip install -c constraints.txt -e ".[$EXTRAS]"; else pip install -c constraints.txt -e .; fi

# Runs as an unprivileged user. var/ (VAR_DIR) is the only place the app
# writes; var/media is where docker-compose.yml mounts the shared volume.
RUN useradd --create-home --uid 10001 app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var
COPY --chown=app:app . .
USER app

# Static files are baked into the image (var/static, served by WhiteNoise).
# DEBUG=False selects WhiteNoise's manifest storage, and then settings refuse
# to load without a SECRET_KEY: the dummy one exists only for this command.
RUN env DEBUG=False SECRET_KEY=build-only python manage.py collectstatic --noinput

EXPOSE 8000
CMD ["gunicorn", "config.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
