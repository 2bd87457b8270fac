"""Rule packs: schema, loading from a directory, compilation into an immutable Snapshot."""
