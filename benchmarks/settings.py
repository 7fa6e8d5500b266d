"""The province-scale benchmark (``make bench``): the production settings unchanged,
with one more URL, the bare view that the pages' latency is compared with, and this app
for its data commands."""

from dien_bien_portal.settings.production import *  # noqa: F403
from dien_bien_portal.settings.production import INSTALLED_APPS, STATIC_ROOT, env

INSTALLED_APPS = [*INSTALLED_APPS, "benchmarks"]
ROOT_URLCONF = "benchmarks.urls"
# The benchmark collects static files into a folder of its own.
STATIC_ROOT = env.path("STATIC_ROOT", default=STATIC_ROOT)
