"""Scrapy item pipelines of datacity: validate, extract and store crawled pages."""
