"""plannum-assistant: from a strategic plan and pain points to a reviewed plan numérique."""

__version__ = "0.1.0"
