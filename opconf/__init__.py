"""opconf: configuration as code for CRM opportunity configuration."""

__version__ = "0.1.0"
