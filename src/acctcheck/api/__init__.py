"""The thin HTTP layer: wire models in, engine call, wire models out; errors mapped in one place."""
