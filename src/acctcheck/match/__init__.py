"""Finding pattern occurrences in a view: one Aho-Corasick pass for all terms, RE2 for detectors."""
