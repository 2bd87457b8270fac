"""Rule families: each module turns matches into raw findings; `registry.CHECKS` lists them in order."""
