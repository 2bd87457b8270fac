"""Account images (头像、封面): safe decoding and QR/barcode finding, into located codes (images.model).

What a code means is the checks' (checks/image_codes.py): this package knows no rules. Only `model` is imported
by the engine and the checks; `decode`, `codes` and `scan` pull in Pillow and zxing-cpp and are imported lazily
by the API (and the pack-example runner) when there actually is an image.
"""
