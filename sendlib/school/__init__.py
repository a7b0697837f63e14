"""school."""
