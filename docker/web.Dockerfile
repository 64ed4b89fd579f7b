# The web image: Daphne serving Django (HTTP + WebSockets). Also used for migrations.
FROM python:3.11-slim-bookworm AS frontend
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY requirements.txt requirements-dev.txt ./
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install --no-cache-dir -r requirements.txt
COPY . .
RUN python manage.py spectacular --format openapi-json --file frontend/openapi.json \
 && cd frontend && npm ci --no-audit --no-fund && npm run build

FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 STUDIO_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
# The web process never runs torch, but shares the package list with the workers; the CPU
# wheel keeps the image small.
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install --no-cache-dir -r requirements.txt
COPY . .
COPY --from=frontend /src/static/app /app/static/app
RUN STUDIO_SECRET_KEY=collectstatic-only python manage.py collectstatic --noinput
RUN useradd --create-home studio && chown -R studio /app
USER studio
EXPOSE 8000
# No --proxy-headers: Daphne would believe X-Forwarded-For from anyone. The studio itself believes
# it only from STUDIO_TRUSTED_PROXIES (studio/middleware.py).
CMD ["daphne", "--bind", "0.0.0.0", "--port", "8000", "studio.asgi:application"]
