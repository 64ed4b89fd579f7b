# GPU worker: diffusion renders (queue gpu). One solo-pool worker per GPU, prefetch 1: the
# pipeline is loaded once per process and CUDA is never initialised before a fork.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04
ENV PYTHONUNBUFFERED=1 STUDIO_ENV=production DEBIAN_FRONTEND=noninteractive
RUN apt-get update && apt-get install -y --no-install-recommends python3.11 python3.11-venv libpq5 fonts-dejavu-core \
 && rm -rf /var/lib/apt/lists/* && python3.11 -m venv /venv
ENV PATH=/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
# The CUDA build of the pinned torch, then everything else (which finds torch satisfied).
RUN pip install --no-cache-dir --index-url https://download.pytorch.org/whl/cu128 torch==2.13.0 \
 && pip install --no-cache-dir -r requirements.txt
COPY . .
RUN useradd --create-home studio && chown -R studio /app
USER studio
# Weights are mounted read-only at /models (see compose.yml); nothing is downloaded.
ENV STUDIO_DIFFUSION_MODEL_PATH=/models/sd15 STUDIO_DIFFUSION_CONTROLNET_PATH=/models/controlnet-depth HF_HUB_OFFLINE=1
CMD ["celery", "-A", "studio", "worker", "-Q", "gpu", "--pool", "solo", "--concurrency", "1", "--prefetch-multiplier", "1", "--loglevel", "INFO"]
