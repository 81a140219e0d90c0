"""Schemathesis hooks for .ci/contract (loaded through SCHEMATHESIS_HOOKS).

A null read from a list response is no value to send. Schemathesis 4's stateful phase links a
response field to a parameter of the same name (a ticket's `assignee_id` to `GET /api/tickets?
assignee_id=`); when the field is read through a wildcard (`/tickets/*/assignee_id`) and one of
the tickets is unassigned, it can pick that null and send the text `None`, which the API rightly
refuses (400), and then reports the refusal as a schema-valid request rejected (ST202). No query
parameter of the document is nullable, so a None in a case's query only ever comes from that.
"""
import schemathesis


@schemathesis.hook
def map_case(context, case):
    if case.query:
        case.query = {name: value for name, value in case.query.items() if value is not None}
    return case
