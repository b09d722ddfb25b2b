"""A local test web: saved websites and misbehaving hosts served on loopback.

Tests, benchmarks and the demo crawl it instead of the internet; see
:mod:`crawler.localweb.server` and the README section "Crawling".
"""

from crawler.localweb.server import LocalWeb, LocalWebThread, serve_in_thread

__all__ = ["LocalWeb", "LocalWebThread", "serve_in_thread"]
