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
def filter_case(context, case):
    return not stateful_upload(case)


@schemathesis.hook
def map_case(context, case):
    if case.query:
        case.query = {name: value for name, value in case.query.items() if value is not None}
    return merges_inside_their_rules(attachments_inside_their_rules(sla_documents_inside_their_rules(case)))


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


# An upload (issue 18) has rules the schema cannot state either: the file's type is decided by its
# bytes (PNG, JPEG, GIF, WebP, HEIC, PDF or UTF-8 text; anything else is 415), and a `message_id`
# must name a message under that ticket (422 otherwise). A generated binary is almost never one of
# those types, nor a random number such a message, so a positive case sends a short text file and
# no message_id; the refusals have their own tests (AttachmentRouteTests) and the file's framing is
# fuzzed by the multipart target.
def attachments_inside_their_rules(case):
    if case.method.upper() != "POST" or not case.path.endswith("/attachments") or not isinstance(case.body, dict):
        return case
    if not certainly_positive(case):
        return case
    case.body.pop("message_id", None)
    if "file" in case.body:
        case.body["file"] = b"The projector in room 4 flickers.\n"
    return case


# A merge (issue 18) into the ticket itself is refused (422, MergeRouteTests and StoreFollowMergeTests
# hold it); the schema cannot say "another ticket", so a positive case that picked the same number
# for both is pointed at the next one.
def merges_inside_their_rules(case):
    if case.method.upper() != "POST" or not case.path.endswith("/merge") or not isinstance(case.body, dict):
        return case
    if not certainly_positive(case):
        return case
    try:
        own = int((case.path_parameters or {}).get("id"))
        into = int(case.body.get("into"))
    except (TypeError, ValueError):
        return case
    if into == own:
        case.body["into"] = own + 1
    return case


# Whether a case was generated schema-valid in every part: only those are brought inside the
# rules above. A case whose mode is unknown, or negative in any component, is left as generated,
# so that its refusal is still checked (making a negative case valid would be a false finding).
def certainly_positive(case):
    meta = getattr(case, "meta", None)
    generation = getattr(meta, "generation", None)
    if generation is None or generation.mode.is_negative:
        return False
    components = getattr(meta, "components", None) or {}
    return not any(getattr(c, "mode", None) is not None and c.mode.is_negative for c in components.values())


# The stateful phase links an upload's `message_id` to a message of another step and may mutate the
# case after the hooks above have seen it as positive; a multipart body then reaches the server as
# text that no longer says which part was made invalid (a type change of a part serializes to the
# same digits), and the accepted upload is reported as accepted negative data. Uploads are checked
# by the coverage and fuzzing phases (with the rules above), AttachmentRouteTests and the multipart
# fuzz target; the stateful phase leaves them out.
def stateful_upload(case):
    if case.method.upper() != "POST" or not case.path.endswith("/attachments"):
        return False
    phase = getattr(getattr(case, "meta", None), "phase", None)
    name = getattr(phase, "name", None)
    return str(getattr(name, "value", name)) == "stateful"
