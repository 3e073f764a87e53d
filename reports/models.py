"""Official documents (to come)."""
