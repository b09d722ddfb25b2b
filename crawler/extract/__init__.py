"""Extraction from fetched pages: plain functions over text and HTML, no Scrapy."""
