"""planning/whatif."""
