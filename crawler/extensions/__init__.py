"""Scrapy extensions of datacity."""
