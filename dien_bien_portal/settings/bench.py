"""The province-scale benchmark (``make bench``): the production settings unchanged,
with one more URL, the bare view that the pages' latency is compared with."""

from .production import *  # noqa: F403
from .production import STATIC_ROOT, env

ROOT_URLCONF = "dien_bien_portal.bench_urls"
# The benchmark collects static files into a folder of its own.
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)
