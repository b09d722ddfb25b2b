"""Scrapy spiders of datacity: each module holds one spider."""
