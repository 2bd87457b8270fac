"""Admission: everything a request must pass before the engine judges it, shared by every way in.

The /validate fast lane and route, each item of /validate/batch, every record of `acctcheck scan` and the
arguments of `acctcheck check` go through these functions, so the same bad input is refused with the same
Refusal (status, error code, message, details) on every path. Plain Python: no FastAPI here; the HTTP layer
reads the body (deadline, Content-Length, Content-Encoding) and renders a Refusal as an ErrorBody.

- :func:`admit_body` — a whole /validate body: size, JSON, model, text size, text limits.
- :func:`admit_request` — an already parsed request (a batch item, a scan record): model and text limits.
- :func:`parse_json` — the strict JSON parser (UTF-8, duplicate keys, located errors).
- :func:`lookup_region` — the IP's region label, or invalid_ip; :func:`answering` hands it to the engine.
- :class:`AdmissionLimits` — the limits, from Settings.
- :class:`Refusal` — the refusal itself; ``one_line()`` for a command line.
"""

from acctcheck.admission.admit import admit_body, admit_request, answering, lookup_region, to_model
from acctcheck.admission.json_body import loads_unique, parse_json
from acctcheck.admission.limits import AdmissionLimits, check_request_text, check_text, check_text_size
from acctcheck.admission.refusal import Refusal, describe, validation_details, where

__all__ = [
    "AdmissionLimits", "Refusal", "admit_body", "admit_request", "answering", "check_request_text", "check_text",
    "check_text_size", "describe", "loads_unique", "lookup_region", "parse_json", "to_model",
    "validation_details", "where",
]
