"""Reusable widgets of the akool-tui console."""

from .live_table import Column, LiveTable

__all__ = ["Column", "LiveTable"]
