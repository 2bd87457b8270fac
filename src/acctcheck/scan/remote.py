"""Judging through a running service (`acctcheck scan --url`): chunks go to POST /validate/batch with the
client library; the service admits and judges, and its refusals come back as the item's error."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from acctcheck.admission import Refusal, to_model
from acctcheck.contract import ValidateRequest
from acctcheck.scan.records import Complaint, Item, Outcome, output_line
from acctcheck.scan.worker import categories_of, refused

if TYPE_CHECKING:
    from acctcheck.client import BatchItemError, BatchResult, Client


def validate_within_budget(client: Client, requests: list[ValidateRequest]) -> list[BatchResult]:
    """`client.validate_many`, halving a batch the server refuses as beyond its work budget (413
    `batch_too_large`, the server's max_batch_work): a chunk of long texts or images still goes through, and the
    client need not know the server's budget. An account over the budget on its own becomes its error entry."""
    from acctcheck.client import BatchItemError, RequestRejected

    if not requests:
        return []
    try:
        return client.validate_many(requests)
    except RequestRejected as exc:
        if exc.body.error != "batch_too_large":
            raise
        if len(requests) == 1:
            return [BatchItemError(error=exc.body)]
        mid = len(requests) // 2
        return validate_within_budget(client, requests[:mid]) + validate_within_budget(client, requests[mid:])


def server_judge(client: Client, revisions: set[str]) -> Callable[[list[Item]], list[Outcome]]:
    """The same contract through POST /validate/batch; every rules revision that answered is added to
    `revisions`."""
    from acctcheck.client import BatchItemError

    def judge(chunk: list[Item]) -> list[Outcome]:
        out: list[Outcome] = []
        valid: list[tuple[int, str | int, ValidateRequest]] = []
        for line_no, ident, data in chunk:
            if isinstance(ident, Complaint):  # malformed when read
                out.append(Outcome.refused(line_no, ident))
                continue
            try:
                valid.append((line_no, ident, to_model(ValidateRequest, data, ())))
            except Refusal as exc:
                out.append(Outcome.refused(line_no, refused(exc)))
        results = validate_within_budget(client, [r for _, _, r in valid]) if valid else []
        for (line_no, ident, _), res in zip(valid, results, strict=True):
            if isinstance(res, BatchItemError):
                reason = f"refused by the server: {_server_reason(res)}"
                out.append(Outcome.refused(line_no, Complaint(res.error.error, reason)))
            else:
                revisions.add(res.rules_revision)
                out.append(Outcome(line_no, output_line(ident, res.model_dump_json().encode()), res.decision,
                                   categories_of(res)))
        out.sort(key=lambda o: o.line_no)
        return out

    return judge


_BATCH_LOC = re.compile(r"\bbody\.items\.\d+\.")


def _server_reason(res: BatchItemError) -> str:
    """The server's complaint about one item, located in the account (`fields.nickname …`) rather than in the
    batch it happened to travel in (`body.items.17.fields.nickname …`)."""
    return _BATCH_LOC.sub("", res.error.message)
