"""The patient list and patient registration."""
