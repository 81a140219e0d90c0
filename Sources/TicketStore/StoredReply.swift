import Foundation
import Domain
import SQLiteKit

/// The compact binary form of a `CommandReply` kept in `applied_commands.reply`.
///
/// Every applied command stores its reply, so a million imports store a million replies: as JSON
/// (`JSONEncoder`, ISO 8601 times, key names) that was ~400 bytes and a costly encode per row, most
/// of the file and of the WAL traffic. This form keeps the same facts in ~40 bytes plus the text:
/// a version byte, a presence byte, then fields in a fixed order as zigzag varints (integers, times),
/// length-prefixed UTF-8 (text, enum raw values) and 8-byte IEEE doubles. The command id is not
/// repeated: it is the row's `command_id`. Rows written before this form hold JSON text and are
/// still read (`TicketStore` looks at the column type).
///
/// Versions: 1 had no accounts; 2 (the network desk) adds the ticket's customer and assignee after
/// its other fields, and the account of the account commands (presence flag 8). Version 1 rows stay
/// in old databases and are still read (a ticket without customer or assignee, no account).
/// 3 (triage) adds the ticket's severity, its source, impact, priority and its source, then the
/// contact e-mail, phone and preferred contact time, after the assignee; version 1 and 2 rows read as untriaged tickets affecting one person.
/// 4 (issue types) adds the ticket's issue type (number and name) last, and the issue type of the
/// issue type commands (presence flag 16); earlier rows read as tickets without one.
/// 5 (SLA timers) adds the ticket's timers last: a presence byte, then the policy version and per
/// timer (first response, resolution) `at_risk`, `due`, `met_at` and `recorded`; earlier rows read as
/// tickets without timers.
public enum StoredReply {
    /// The version every new row is written in.
    static let version: UInt8 = 5
    /// The first version, still read.
    static let version1: UInt8 = 1

    private static let hasTicket: UInt8 = 1
    private static let hasMessage: UInt8 = 2
    private static let hasRefusal: UInt8 = 4
    private static let hasUser: UInt8 = 8
    private static let hasIssueType: UInt8 = 16

    /// The reply as bytes (without its command id).
    static func encode(_ reply: CommandReply) -> [UInt8] {
        var w = Writer()
        w.bytes.reserveCapacity(64 + (reply.ticket?.description.utf8.count ?? 0) + (reply.message?.body.utf8.count ?? 0))
        w.bytes.append(version)
        var flags: UInt8 = 0
        if reply.ticket != nil { flags |= hasTicket }
        if reply.message != nil { flags |= hasMessage }
        if reply.refusal != nil { flags |= hasRefusal }
        if reply.user != nil { flags |= hasUser }
        if reply.issueType != nil { flags |= hasIssueType }
        w.bytes.append(flags)
        if let t = reply.ticket {
            w.int(t.id.rawValue)
            w.string(t.description)
            w.optionalString(t.location)
            w.optionalString(t.reporter)
            w.string(t.category.rawValue)
            w.string(t.categorySource.rawValue)
            w.optionalDouble(t.categoryConfidence)
            w.string(t.status.rawValue)
            w.int(t.openedAt.millisecondsSinceEpoch)
            w.int(t.modifiedAt.millisecondsSinceEpoch)
            w.optionalInt(t.closedAt?.millisecondsSinceEpoch)
            w.optionalInt(t.customerID?.rawValue)
            w.optionalInt(t.assigneeID?.rawValue)
            w.optionalString(t.severity?.rawValue)
            w.optionalString(t.severitySource?.rawValue)
            w.string(t.impact.rawValue)
            w.optionalString(t.priority?.rawValue)
            w.optionalString(t.prioritySource?.rawValue)
            w.optionalString(t.contactEmail)
            w.optionalString(t.contactPhone)
            w.optionalString(t.preferredContactTime)
            w.optionalInt(t.issueTypeID?.rawValue)
            w.optionalString(t.issueTypeName)
            w.bytes.append(t.sla == nil ? 0 : 1)
            if let sla = t.sla {
                w.int(sla.policyVersion)
                for kind in SLATimerKind.allCases {
                    w.int(sla[kind].deadlines.atRisk.millisecondsSinceEpoch)
                    w.int(sla[kind].deadlines.due.millisecondsSinceEpoch)
                    w.optionalInt(sla[kind].metAt?.millisecondsSinceEpoch)
                    w.string(sla[kind].recorded.rawValue)
                }
            }
        }
        if let m = reply.message {
            w.int(m.id.rawValue)
            w.int(m.ticketID.rawValue)
            w.string(m.authorRole.rawValue)
            w.optionalString(m.authorName)
            w.string(m.body)
            w.int(m.sentAt.millisecondsSinceEpoch)
        }
        if let r = reply.refusal {
            w.string(r.code.rawValue)
            w.string(r.reason)
            w.optionalString(r.field)
        }
        if let u = reply.user {
            w.int(u.id.rawValue)
            w.string(u.name)
            w.string(u.email)
            w.optionalString(u.phone)
            w.optionalString(u.location)
            w.string(u.role.rawValue)
            w.bytes.append(u.active ? 1 : 0)
            w.int(u.createdAt.millisecondsSinceEpoch)
        }
        if let i = reply.issueType {
            w.int(i.id.rawValue)
            w.string(i.category.rawValue)
            w.string(i.name)
            w.int(i.createdAt.millisecondsSinceEpoch)
            w.optionalInt(i.retiredAt?.millisecondsSinceEpoch)
        }
        return w.bytes
    }

    /// Reads the reply in column `index` of `row`: a BLOB is this compact form; TEXT is JSON written
    /// before it (still valid, still read). Public so that tools and tests that inspect tickets.db read
    /// replies exactly as the store does.
    public static func read(_ row: Statement, at index: Int32, commandID: CommandID) throws -> CommandReply {
        if row.isBlob(at: index) { return try row.withBlob(at: index) { bytes throws(SQLiteError) in try decode(bytes, commandID: commandID) } }
        return try JSONDecoder().decode(CommandReply.self, from: Data(row.text(at: index).utf8))
    }

    /// Rebuilds the reply stored for `commandID`.
    ///
    /// - Throws: `SQLiteError` with `.corrupt` for bytes this code did not write.
    static func decode(_ bytes: UnsafeRawBufferPointer, commandID: CommandID) throws(SQLiteError) -> CommandReply {
        var r = Reader(bytes: bytes)
        let v = try r.byte()
        guard (version1...version).contains(v) else { throw Reader.corrupt }
        let flags = try r.byte()
        let known = v == version1 ? hasTicket | hasMessage | hasRefusal
            : hasTicket | hasMessage | hasRefusal | hasUser | (v >= 4 ? hasIssueType : 0)
        guard flags & ~known == 0 else { throw Reader.corrupt }
        var reply = CommandReply(commandID: commandID)
        if flags & hasTicket != 0 {
            reply.ticket = Ticket(
                id: TicketID(try r.int()), description: try r.string(), location: try r.optionalString(),
                reporter: try r.optionalString(), category: try r.value(Category.self),
                categorySource: try r.value(CategorySource.self), categoryConfidence: try r.optionalDouble(),
                status: try r.value(Status.self), openedAt: Timestamp(millisecondsSinceEpoch: try r.int()),
                modifiedAt: Timestamp(millisecondsSinceEpoch: try r.int()),
                closedAt: try r.optionalInt().map(Timestamp.init(millisecondsSinceEpoch:)))
            if v >= 2 {
                reply.ticket?.customerID = try r.optionalInt().map(UserID.init)
                reply.ticket?.assigneeID = try r.optionalInt().map(UserID.init)
            }
            if v >= 3 {
                reply.ticket?.severity = try r.optionalValue(Severity.self)
                reply.ticket?.severitySource = try r.optionalValue(CategorySource.self)
                reply.ticket?.impact = try r.value(Impact.self)
                reply.ticket?.priority = try r.optionalValue(Priority.self)
                reply.ticket?.prioritySource = try r.optionalValue(CategorySource.self)
                reply.ticket?.contactEmail = try r.optionalString()
                reply.ticket?.contactPhone = try r.optionalString()
                reply.ticket?.preferredContactTime = try r.optionalString()
            }
            if v >= 4 {
                reply.ticket?.issueTypeID = try r.optionalInt().map(IssueTypeID.init)
                reply.ticket?.issueTypeName = try r.optionalString()
            }
            if v >= 5, try r.byte() != 0 {
                let policyVersion = try r.int()
                func timer() throws(SQLiteError) -> SLATimer {
                    SLATimer(deadlines: SLADeadlines(atRisk: Timestamp(millisecondsSinceEpoch: try r.int()),
                                                     due: Timestamp(millisecondsSinceEpoch: try r.int())),
                             metAt: try r.optionalInt().map(Timestamp.init(millisecondsSinceEpoch:)), recorded: try r.value(SLAState.self))
                }
                let firstResponse = try timer()
                reply.ticket?.sla = TicketSLA(policyVersion: policyVersion, firstResponse: firstResponse, resolution: try timer())
            }
        }
        if flags & hasMessage != 0 {
            reply.message = Message(
                id: MessageID(try r.int()), ticketID: TicketID(try r.int()), authorRole: try r.value(Role.self),
                authorName: try r.optionalString(), body: try r.string(), sentAt: Timestamp(millisecondsSinceEpoch: try r.int()))
        }
        if flags & hasRefusal != 0 {
            reply.refusal = Refusal(try r.value(RefusalCode.self), try r.string(), field: try r.optionalString())
        }
        if flags & hasUser != 0 {
            reply.user = User(
                id: UserID(try r.int()), name: try r.string(), email: try r.string(), phone: try r.optionalString(),
                location: try r.optionalString(), role: try r.value(Role.self), active: try r.present(),
                createdAt: Timestamp(millisecondsSinceEpoch: try r.int()))
        }
        if flags & hasIssueType != 0 {
            reply.issueType = IssueType(
                id: IssueTypeID(try r.int()), category: try r.value(Category.self), name: try r.string(),
                createdAt: Timestamp(millisecondsSinceEpoch: try r.int()),
                retiredAt: try r.optionalInt().map(Timestamp.init(millisecondsSinceEpoch:)))
        }
        guard r.offset == bytes.count else { throw Reader.corrupt }
        return reply
    }

    // MARK: - Bytes

    private struct Writer {
        var bytes: [UInt8] = []

        mutating func int(_ v: Int64) {
            // Zigzag then LEB128: small magnitudes (ids, booleans) take one or two bytes.
            var u = UInt64(bitPattern: (v << 1) ^ (v >> 63))
            while u >= 0x80 {
                bytes.append(UInt8(truncatingIfNeeded: u) | 0x80)
                u >>= 7
            }
            bytes.append(UInt8(u))
        }

        mutating func string(_ s: String) {
            int(Int64(s.utf8.count))
            bytes.append(contentsOf: s.utf8)
        }

        mutating func optionalString(_ s: String?) {
            if let s { bytes.append(1); string(s) } else { bytes.append(0) }
        }

        mutating func optionalInt(_ v: Int64?) {
            if let v { bytes.append(1); int(v) } else { bytes.append(0) }
        }

        mutating func optionalDouble(_ v: Double?) {
            guard let v else { bytes.append(0); return }
            bytes.append(1)
            let bits = v.bitPattern
            for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: bits >> UInt64(shift))) }
        }
    }

    private struct Reader {
        static let corrupt = SQLiteError(.corrupt, message: "applied_commands.reply is not a stored reply")
        let bytes: UnsafeRawBufferPointer
        var offset = 0

        mutating func byte() throws(SQLiteError) -> UInt8 {
            guard offset < bytes.count else { throw Self.corrupt }
            defer { offset += 1 }
            return bytes[offset]
        }

        mutating func int() throws(SQLiteError) -> Int64 {
            var u: UInt64 = 0
            var shift: UInt64 = 0
            while true {
                let b = try byte()
                guard shift < 64 else { throw Self.corrupt }
                u |= UInt64(b & 0x7F) << shift
                if b < 0x80 { break }
                shift += 7
            }
            return Int64(bitPattern: u >> 1) ^ -Int64(bitPattern: u & 1)
        }

        mutating func string() throws(SQLiteError) -> String {
            let n = try int()
            guard n >= 0, n <= bytes.count - offset else { throw Self.corrupt }
            let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + Int(n)]), as: UTF8.self)
            offset += Int(n)
            return text
        }

        mutating func present() throws(SQLiteError) -> Bool {
            switch try byte() {
            case 0: return false
            case 1: return true
            default: throw Self.corrupt
            }
        }

        mutating func optionalString() throws(SQLiteError) -> String? { try present() ? try string() : nil }

        mutating func optionalInt() throws(SQLiteError) -> Int64? { try present() ? try int() : nil }

        mutating func optionalDouble() throws(SQLiteError) -> Double? {
            guard try present() else { return nil }
            var bits: UInt64 = 0
            for shift in stride(from: 0, to: 64, by: 8) { bits |= UInt64(try byte()) << UInt64(shift) }
            return Double(bitPattern: bits)
        }

        mutating func value<E: RawRepresentable>(_ type: E.Type) throws(SQLiteError) -> E where E.RawValue == String {
            guard let v = E(rawValue: try string()) else { throw Self.corrupt }
            return v
        }

        mutating func optionalValue<E: RawRepresentable>(_ type: E.Type) throws(SQLiteError) -> E? where E.RawValue == String {
            try present() ? try value(type) : nil
        }
    }
}
