"""The domain layer shared by the console and the CLI (no Textual import here)."""
