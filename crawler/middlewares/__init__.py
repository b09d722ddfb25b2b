"""Scrapy downloader middlewares that make a crawl safe and polite.

    AddressGuardMiddleware    ssrf.py       no private/loopback/metadata addresses
    RobotsPolicyMiddleware    robots.py     RFC 9309 robots.txt, Crawl-delay
    BackoffRetryMiddleware    retry.py      retries with backoff and Retry-After
    RedirectPolicyMiddleware  redirects.py  redirect loops and off-site redirects

Every request they refuse fails with a :class:`~crawler.middlewares.errors.CrawlRefused`
that names an error kind, so the spider can record why a page was not fetched.
"""
