# CPU worker: blocking renders, clip encoding and exports (queues cpu, export). Every worker
# also watches for jobs whose worker died and re-queues them.
FROM python:3.11-slim-bookworm
ENV PYTHONUNBUFFERED=1 STUDIO_ENV=production
RUN apt-get update && apt-get install -y --no-install-recommends libpq5 fonts-dejavu-core && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cpu torch==2.13.0 \
 && pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home studio && chown -R studio /app
USER studio
CMD ["celery", "-A", "studio", "worker", "-Q", "cpu,export", "--concurrency", "2", "--prefetch-multiplier", "1", "--loglevel", "INFO"]
