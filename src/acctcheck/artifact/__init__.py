"""Compiled rule snapshots as content-addressed artifacts, compiled once by a child process and loaded by every
worker (snapshot_store); registries have their own artifacts (acctcheck.registry.artifact)."""
