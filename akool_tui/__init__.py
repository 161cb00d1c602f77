"""akool-tui: a terminal operator console for AKool's Live (Streaming) Avatar service."""

__version__ = "0.1.0"
