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
    return sla_documents_inside_their_rules(case)


# The SLA documents (issue 16) have rules the schema cannot state: a time zone is one of the
# server's tz database (the document says so in words), `closes` comes after `opens`, and the four
# policies name P1 to P4 once each. Generated bodies are brought inside those rules so the other
# members still get fuzzed; each rule has its own 422 test in SLARouteTests and an example in
# docs/api.md that DocExampleTests runs.
import zoneinfo

KNOWN_ZONES = zoneinfo.available_timezones()


def sla_documents_inside_their_rules(case):
    if case.method.upper() != "PUT" or not isinstance(case.body, dict):
        return case
    # Only schema-valid documents are brought inside the rules; a negative case must stay invalid.
    generation = getattr(getattr(case, "meta", None), "generation", None)
    if generation is not None and generation.mode.is_negative:
        return case
    if case.path == "/api/sla/calendar":
        zone = case.body.get("time_zone")
        if isinstance(zone, str) and zone not in KNOWN_ZONES:
            case.body["time_zone"] = "Europe/Berlin"
        opens, closes = case.body.get("opens"), case.body.get("closes")
        if isinstance(opens, str) and isinstance(closes, str) and closes <= opens:
            case.body["closes"] = "24:00"
    elif case.path == "/api/sla/policies":
        policies = case.body.get("policies")
        if isinstance(policies, list) and len(policies) == 4 and all(isinstance(p, dict) for p in policies):
            for priority, policy in zip(["P1", "P2", "P3", "P4"], policies):
                policy["priority"] = priority
    return case
