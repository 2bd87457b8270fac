"""Account images (头像、封面): safe decoding, QR/barcode finding, and turning codes into findings.

Only `model` and `findings` are imported by the engine; `decode`, `codes` and `scan` pull in Pillow and
zxing-cpp and are imported lazily by the API when a request actually carries an image.
"""
