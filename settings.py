"""
Scrapy settings for datacity's spiders.

Grouped by concern; each value that differs from Scrapy's default says why. Values a
deployment changes come from the environment (see crawler/config.py and the README).
"""

import os

from crawler import __version__

BOT_NAME = "datacity"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Identity: site owners must be able to tell who is crawling and how to reach us.
DATACITY_CONTACT_URL = os.environ.get(
    "DATACITY_CONTACT_URL", "https://github.com/datacity/datacity#crawler"
)
USER_AGENT = f"datacity/{__version__} (+{DATACITY_CONTACT_URL})"

# Politeness
ROBOTSTXT_OBEY = True
COOKIES_ENABLED = False  # company sites need no session; cookies only grow state
CONCURRENT_REQUESTS = 64
CONCURRENT_REQUESTS_PER_DOMAIN = 2
DOWNLOAD_DELAY = 0.5
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 0.5
AUTOTHROTTLE_MAX_DELAY = 30
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0

# Safety: small bodies and short timeouts; a company page is never 1 GiB.
DOWNLOAD_MAXSIZE = 4 * 1024 * 1024
DOWNLOAD_WARNSIZE = 1024 * 1024
DOWNLOAD_TIMEOUT = 15
DNS_TIMEOUT = 10
REDIRECT_MAX_TIMES = 5
RETRY_TIMES = 2  # three requests in all
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# A site that keeps failing is routine; it is recorded as an error kind per page.
RETRY_GIVE_UP_LOG_LEVEL = "DEBUG"
# Only the web: Scrapy would otherwise also open file:, data:, ftp: and s3: URLs.
DOWNLOAD_HANDLERS = {
    "file": None,
    "data": None,
    "ftp": None,
    "s3": None,
    # Scrapy's HTTP/1.1 handler, plus routing to the local test web when it is set.
    "http": "crawler.localweb.handler.LocalWebDownloadHandler",
    "https": "crawler.localweb.handler.LocalWebDownloadHandler",
}
# Local test web ("host:port", see `datacity localweb`): every hostname is served
# there, and loopback is allowed for that address only.
DATACITY_LOCALWEB = os.environ.get("DATACITY_LOCALWEB", "")

# The sites spider (spiders/sites.py) and datacity's middlewares (crawler/middlewares).
DATACITY_PAGE_BUDGET = int(os.environ.get("DATACITY_PAGE_BUDGET", "20"))  # per site
DATACITY_DEPTH_LIMIT = 3  # links followed from the home page
DATACITY_SITE_CONCURRENCY = 2  # requests in flight per site
DATACITY_MAX_URL_LENGTH = 512  # longer URLs are treated as traps
DATACITY_RECRAWL_DAYS = 30  # a site crawled longer ago than this is due again
DATACITY_CRAWL_DELAY_MAX = 10.0  # robots.txt Crawl-delay is honoured up to this
DATACITY_RETRY_BACKOFF = 1.0  # seconds before the first retry, doubled after
DATACITY_RETRY_AFTER_MAX = 60.0  # a longer Retry-After gives the page up
DATACITY_PAGES_BATCH = 500  # pages per write to the database
DOWNLOADER_MIDDLEWARES = {
    "crawler.middlewares.ssrf.AddressGuardMiddleware": 50,
    "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
    "crawler.middlewares.robots.RobotsPolicyMiddleware": 100,
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "crawler.middlewares.retry.BackoffRetryMiddleware": 550,
    # Above RedirectMiddleware (600): responses pass the chain in reverse order.
    "crawler.middlewares.redirects.RedirectPolicyMiddleware": 610,
}
EXTENSIONS = {"crawler.extensions.crawlrun.CrawlRunRecorder": 500}
# Scrapy starts this many tasks for every response's output; ours yields one item
# and a few requests, and the default of 100 costs about 1 ms of CPU per page.
CONCURRENT_ITEMS = 8
# Many sites at once: take the next request from the least busy site.
SCHEDULER_PRIORITY_QUEUE = "scrapy.pqueues.DownloaderAwarePriorityQueue"

# Scrapy 2.13+ asyncio reactor: the store layer and the spiders share one event loop.
TWISTED_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"
FEED_EXPORT_ENCODING = "utf-8"
LOG_LEVEL = os.environ.get("DATACITY_LOG_LEVEL", "INFO")

# Pipelines, in the order an item passes them (lower runs first): store the page,
# extract from it, then store what was extracted.
ITEM_PIPELINES: dict[str, int] = {
    "pipelines.pages.PagesPipeline": 300,
    "pipelines.extract.ExtractPipeline": 400,
    "pipelines.extract.ScorePipeline": 500,
}
