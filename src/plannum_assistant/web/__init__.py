"""The web app (``plannum ui``): handlers over the core API, and a Gradio page over the handlers."""

from .handlers import UiState, View, WebApp

__all__ = ["UiState", "View", "WebApp"]
