"""The production settings plus one URL answering a constant response through the whole
middleware stack: the ceiling against which `make bench` measures the pages."""

from helpdesk.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
