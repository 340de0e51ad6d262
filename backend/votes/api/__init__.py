"""Votes API."""
