import Foundation

/// libFuzzer entry for the CSV importer: `CSVReader` (RFC 4180), `CSVWriter`/`CSVInjection` and
/// `TicketCSV.parseImport` (Sources/CampusDeskCore/CSV/), with the `Timestamp` ISO 8601 parser
/// its time cells go through.
///
/// Invariants, not only "no crash":
/// - reader: records start on strictly increasing lines within the file, no record is a blank
///   line, an error names a line inside the file; the string and byte entry points agree;
/// - writer/reader round trip: writing the records back and reading them gives the same fields;
/// - injection: `restore(neutralise(s)) == s`, and a neutralised cell never starts with a
///   formula trigger;
/// - import (the input as a whole file, and as rows under the standard header): every record
///   after the header is either a row or a rejection; an accepted row keeps the ticket rules
///   (description present, `closed` exactly when `closed_at` is set, times ordered and not in
///   the future); exporting an accepted row and importing it again gives the same ticket;
/// - time cells: a timestamp that parses prints as ISO 8601 that parses back to itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCSVImport(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    checkReader(bytes)
    let text = String(decoding: bytes, as: UTF8.self)
    checkInjection(text)
    checkImport(bytes)
    checkImport(Array(TicketCSV.header.utf8) + bytes)
    if let t = Timestamp(iso8601: text) { checkTimestamp(t, from: text) }
    return 0
}

/// 2026-06-01T00:00:00Z: a fixed "now", so a run is reproducible.
private let fuzzNow = Timestamp(millisecondsSinceEpoch: 1_780_272_000_000)

private func lineBreaks(_ bytes: [UInt8]) -> Int {
    var n = 0, i = 0
    while i < bytes.count {
        if bytes[i] == 0x0A { n += 1 } else if bytes[i] == 0x0D { n += 1; if i + 1 < bytes.count, bytes[i + 1] == 0x0A { i += 1 } }
        i += 1
    }
    return n
}

private func checkReader(_ bytes: [UInt8]) {
    let maxLine = lineBreaks(bytes) + 1
    let records: [CSVRecord]
    do {
        records = try CSVReader.parse(bytes: bytes)
    } catch {
        fuzzCheck(error.line >= 1 && error.line <= maxLine, "error at line \(error.line) of \(maxLine): \(error)")
        if let text = String(validating: bytes, as: UTF8.self) {
            fuzzCheck((try? CSVReader.parse(text)) == nil, "string entry point accepted what the byte one refused")
        }
        return
    }
    var previous = 0
    for r in records {
        fuzzCheck(r.line > previous && r.line <= maxLine, "record line \(r.line) after \(previous), file has \(maxLine) lines")
        fuzzCheck(!(r.fields.count == 1 && r.fields[0].isEmpty), "a blank line became a record at line \(r.line)")
        previous = r.line
    }
    if let text = String(validating: bytes, as: UTF8.self) {
        fuzzCheck((try? CSVReader.parse(text)) == records, "string and byte entry points disagree")
    }
    // Write back and read again: the same fields (line numbers may differ). A first field
    // starting with U+FEFF included (finding 5, docs/fuzzing.md: the writer now quotes it).
    let written = records.map { CSVWriter.record($0.fields) }.joined()
    do {
        let again = try CSVReader.parse(written)
        fuzzCheck(again.map(\.fields) == records.map(\.fields), "write/read round trip changed the records:\n in: \(records.map(\.fields).prefix(3))\nout: \(again.map(\.fields).prefix(3))\nfile: \(fuzzDescribe(bytes))")
    } catch {
        fuzzCheck(false, "the writer's output does not read back: \(error); file: \(fuzzDescribe(bytes))")
    }
}

private func checkInjection(_ text: String) {
    let n = CSVInjection.neutralise(text)
    fuzzCheck(CSVInjection.restore(n) == text, "restore(neutralise(s)) != s for \(fuzzDescribe(Array(text.utf8)))")
    if let first = n.first {
        fuzzCheck(first == "'" || !CSVInjection.triggers.contains(first), "neutralised cell starts with trigger \(fuzzDescribe(Array(String(first).utf8)))")
    }
}

private func checkImport(_ bytes: [UInt8]) {
    guard let batch = try? TicketCSV.parseImport(bytes, now: fuzzNow) else { return }
    let records = (try? CSVReader.parse(bytes: bytes)) ?? []
    fuzzCheck(batch.rows.count + batch.rejections.count == records.count - 1, "\(batch.rows.count) rows + \(batch.rejections.count) rejections from \(records.count - 1) data records")
    for rejection in batch.rejections {
        fuzzCheck(!rejection.reasons.isEmpty, "rejection at line \(rejection.line) without a reason")
    }
    for row in batch.rows {
        let t = row.ticket
        let trimmed = t.description.trimmingCharacters(in: .whitespacesAndNewlines)
        fuzzCheck(!trimmed.isEmpty && trimmed.count <= TextLimits.maxDescription, "accepted description of \(trimmed.count) characters")
        fuzzCheck((t.status == .closed) == (t.closedAt != nil), "status \(t.status) with closedAt \(String(describing: t.closedAt))")
        fuzzCheck(t.openedAt <= fuzzNow, "openedAt in the future")
        if let c = t.closedAt { fuzzCheck(c >= t.openedAt && c <= fuzzNow, "closedAt out of order") }
        if let m = t.modifiedAt { fuzzCheck(m >= t.openedAt && m >= (t.closedAt ?? t.openedAt) && m <= fuzzNow, "modifiedAt out of order") }
        for time in [t.openedAt, t.closedAt, t.modifiedAt].compactMap({ $0 }) { checkTimestamp(time, from: "a row's cell") }
        checkExportImport(t, line: row.line, file: bytes)
    }
}

/// Export the accepted row as a ticket and import it again: nothing may change.
private func checkExportImport(_ t: ImportTicket, line: Int, file: [UInt8]) {
    let ticket = Ticket(
        id: TicketID(7), description: t.description, location: t.location, reporter: t.reporter,
        category: t.category ?? .facility, categorySource: .staff, categoryConfidence: nil, status: t.status,
        openedAt: t.openedAt, modifiedAt: t.modifiedAt ?? t.closedAt ?? t.openedAt, closedAt: t.closedAt,
        assigneeID: t.assigneeID, severity: t.severity, impact: t.impact ?? .one, priority: t.priority,
        contactEmail: t.contactEmail, contactPhone: t.contactPhone, preferredContactTime: t.preferredContactTime,
        issueTypeName: t.issueType)
    let exported = TicketCSV.header + TicketCSV.record(ticket)
    do {
        let batch = try TicketCSV.parseImport(Array(exported.utf8), now: fuzzNow)
        fuzzCheck(batch.rejections.isEmpty && batch.rows.count == 1, "re-import of line \(line) gave \(batch.rows.count) rows, rejections \(batch.rejections); exported: \(fuzzDescribe(Array(exported.utf8)))")
        guard let back = batch.rows.first?.ticket else { return }
        var expected = t
        expected.category = ticket.category
        expected.modifiedAt = ticket.modifiedAt
        // No impact column means one person: the ticket holds `.one` and its export says so.
        expected.impact = ticket.impact
        fuzzCheck(back == expected, "export/import changed line \(line):\n was \(expected)\n now \(back)\nfile: \(fuzzDescribe(file))")
    } catch {
        fuzzCheck(false, "export of line \(line) does not import: \(error); exported: \(fuzzDescribe(Array(exported.utf8)))")
    }
}


private func checkTimestamp(_ t: Timestamp, from source: String) {
    fuzzCheck(Timestamp.representable.contains(t), "parsed timestamp \(t.millisecondsSinceEpoch) ms is outside the printable years")
    let printed = t.iso8601
    fuzzCheck(Timestamp(iso8601: printed) == t, "timestamp \(t.millisecondsSinceEpoch) ms prints as \(printed), which does not parse back (from \(fuzzDescribe(Array(source.utf8))))")
}
