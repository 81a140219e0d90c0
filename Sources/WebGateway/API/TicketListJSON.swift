import Domain

/// The body of a ticket list (`GET /api/tickets` and the queues), `{"next_cursor": ..., "tickets":
/// [...]}`, written byte by byte.
///
/// Why not `JSONEncoder`: corelibs Foundation's encoder built a tree of boxed values for every
/// field of every ticket and sorted each object's keys: 11 ms for a page of 50 where the same list
/// as HTML took under 1 ms (docs/performance.md, "List filters at a million, and the API's list").
/// The output is exactly what `JSONEncoder` with `.sortedKeys` writes for ``APIRoutes/ListBody``
/// (the keys in that order, `/` escaped as `\/`, control characters as `\b \t \n \f \r` or
/// `\u00xx`, numbers as Swift prints them, `1.0` as `1`); ListJSONTests compares the two on tricky text.
struct TicketListJSON {
    private(set) var bytes: [UInt8] = []

    /// The whole body; `now` adds each timed ticket's `sla_state` (as the encoder's `slaNow` does).
    static func body(_ tickets: [Ticket], nextCursor: String?, now: Timestamp?) -> [UInt8] {
        var out = TicketListJSON()
        out.bytes.reserveCapacity(512 + tickets.count * 900)
        out.raw("{\"next_cursor\":")
        out.string(nextCursor)
        out.raw(",\"tickets\":[")
        for (i, ticket) in tickets.enumerated() {
            if i > 0 { out.bytes.append(UInt8(ascii: ",")) }
            out.ticket(ticket, now: now)
        }
        out.raw("]}")
        return out.bytes
    }

    /// One ticket, its keys in sorted order (`Ticket.CodingKeys` by their JSON names).
    mutating func ticket(_ t: Ticket, now: Timestamp?) {
        raw("{\"affected\":"); number(Int64(t.affected))
        raw(",\"assignee_id\":"); number(t.assigneeID?.rawValue)
        raw(",\"category\":"); string(t.category.rawValue)
        raw(",\"category_confidence\":"); number(t.categoryConfidence)
        raw(",\"category_source\":"); string(t.categorySource.rawValue)
        raw(",\"closed_at\":"); timestamp(t.closedAt)
        raw(",\"contact_email\":"); string(t.contactEmail)
        raw(",\"contact_phone\":"); string(t.contactPhone)
        raw(",\"customer_id\":"); number(t.customerID?.rawValue)
        raw(",\"description\":"); string(t.description)
        raw(",\"id\":"); number(t.id.rawValue)
        raw(",\"impact\":"); string(t.impact.rawValue)
        raw(",\"issue_type\":"); string(t.issueTypeName)
        raw(",\"issue_type_id\":"); number(t.issueTypeID?.rawValue)
        raw(",\"location\":"); string(t.location)
        raw(",\"merged_into\":"); number(t.mergedInto?.rawValue)
        raw(",\"modified_at\":"); timestamp(t.modifiedAt)
        raw(",\"opened_at\":"); timestamp(t.openedAt)
        raw(",\"preferred_contact_time\":"); string(t.preferredContactTime)
        raw(",\"priority\":"); string(t.priority?.rawValue)
        raw(",\"priority_source\":"); string(t.prioritySource?.rawValue)
        raw(",\"reporter\":"); string(t.reporter)
        raw(",\"severity\":"); string(t.severity?.rawValue)
        raw(",\"severity_source\":"); string(t.severitySource?.rawValue)
        if let sla = t.sla {
            raw(",\"sla\":{\"first_response\":"); timer(sla.firstResponse)
            raw(",\"policy_version\":"); number(sla.policyVersion)
            raw(",\"resolution\":"); timer(sla.resolution)
            raw("}")
            if let now {
                let states = SLAStates(sla, now: now)
                raw(",\"sla_state\":{\"first_response\":"); string(states.firstResponse.rawValue)
                raw(",\"resolution\":"); string(states.resolution.rawValue)
                raw(",\"state\":"); string(states.state.rawValue)
                raw("}")
            }
        }
        raw(",\"status\":"); string(t.status.rawValue)
        raw("}")
    }

    private mutating func timer(_ timer: SLATimer) {
        raw("{\"at_risk\":"); timestamp(timer.deadlines.atRisk)
        raw(",\"due\":"); timestamp(timer.deadlines.due)
        raw(",\"met_at\":"); timestamp(timer.metAt)
        raw(",\"recorded\":"); string(timer.recorded.rawValue)
        raw("}")
    }

    private static let hex: [UInt8] = Array("0123456789abcdef".utf8)

    private mutating func raw(_ text: StaticString) {
        text.withUTF8Buffer { bytes.append(contentsOf: $0) }
    }

    private mutating func null() { raw("null") }

    /// A time as `Timestamp.iso8601` (digits, `-:.TZ`: nothing to escape), its bytes written in place.
    private mutating func timestamp(_ value: Timestamp?) {
        guard let value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        value.appendISO8601(to: &bytes)
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func number(_ value: Int64?) {
        guard let value else { return null() }
        bytes.append(contentsOf: String(value).utf8)
    }

    /// As `JSONEncoder` writes a `Double`: Swift's shortest form, without a trailing `.0`.
    private mutating func number(_ value: Double?) {
        guard let value else { return null() }
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        bytes.append(contentsOf: text.utf8)
    }

    /// A JSON string, escaped as `JSONEncoder` escapes it; `null` for nil.
    mutating func string(_ value: String?) {
        guard var value else { return null() }
        bytes.append(UInt8(ascii: "\""))
        value.withUTF8 { utf8 in
            var start = 0
            for (i, byte) in utf8.enumerated() {
                let escape: StaticString? = switch byte {
                case UInt8(ascii: "\""): "\\\""
                case UInt8(ascii: "\\"): "\\\\"
                case UInt8(ascii: "/"): "\\/"
                case 0x08: "\\b"
                case 0x09: "\\t"
                case 0x0A: "\\n"
                case 0x0C: "\\f"
                case 0x0D: "\\r"
                default: nil
                }
                guard escape != nil || byte < 0x20 else { continue }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start..<i]))
                start = i + 1
                if let escape {
                    raw(escape)
                } else {
                    raw("\\u00")
                    bytes.append(Self.hex[Int(byte >> 4)])
                    bytes.append(Self.hex[Int(byte & 0x0F)])
                }
            }
            bytes.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[start...]))
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
