"""Helpers shared by several test modules (test modules never import each other). Servers, free ports and
the small rules directory live in tests/conftest.py; what is here is plain functions and data."""
