"""Printing: the report preview and batch printing."""
