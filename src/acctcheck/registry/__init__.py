"""Platform registries: millions of protected or closed account names (kind: registry), compiled once into a
content-addressed artifact that every worker memory-maps (docs/operations.md, "Registries")."""
