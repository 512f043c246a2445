"""Settings for bench/ingest_bench.py: the project's settings plus a "hello world" URL."""

from dealerlms.settings import *  # noqa: F403

ROOT_URLCONF = "bench.ingest_urls"
DEBUG = False
LOGGING["root"]["level"] = "WARNING"  # noqa: F405
