"""What the product does, shared by the CLI and the console (no Textual, no printing)."""
