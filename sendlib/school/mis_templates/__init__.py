"""Mapping templates for the MIS exports ``sendlib import --template`` starts from (TOML files).

Kept free of polars, so the command line can offer their names without importing it.
"""

#: The templates, one ``NAME.toml`` each beside this file.
TEMPLATES = ("arbor", "sims", "bromcom")
