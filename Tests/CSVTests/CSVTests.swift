import Foundation
import Testing
@testable import Domain
@testable import CSV

@Suite struct CSVReaderTests {
    @Test func readsPlainRecordsWithCRLF() throws {
        #expect(try CSVReader.parse("a,b,c\r\n1,2,3\r\n") == [
            CSVRecord(line: 1, fields: ["a", "b", "c"]), CSVRecord(line: 2, fields: ["1", "2", "3"]),
        ])
    }

    @Test func keepsCommasQuotesAndLineBreaksInsideQuotes() throws {
        let records = try CSVReader.parse("x,y\r\n\"a, b\",\"say \"\"hi\"\"\"\r\n\"two\r\nlines\",z\r\nnext,row")
        #expect(records == [
            CSVRecord(line: 1, fields: ["x", "y"]),
            CSVRecord(line: 2, fields: ["a, b", "say \"hi\""]),
            CSVRecord(line: 3, fields: ["two\r\nlines", "z"]),
            CSVRecord(line: 5, fields: ["next", "row"]),
        ])
    }

    @Test func skipsAByteOrderMarkAndBlankLines() throws {
        let bytes: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id,name\n\n1,Ana\n".utf8)
        #expect(try CSVReader.parse(bytes: bytes) == [
            CSVRecord(line: 1, fields: ["id", "name"]), CSVRecord(line: 3, fields: ["1", "Ana"]),
        ])
    }

    @Test func returnsRaggedRowsAsTheyAre() throws {
        #expect(try CSVReader.parse("a,b\n1\n1,2,3\n,\n").map(\.fields) == [["a", "b"], ["1"], ["1", "2", "3"], ["", ""]])
    }

    @Test func keepsEmptyQuotedAndTrailingEmptyFields() throws {
        #expect(try CSVReader.parse("\"\",x,\n").map(\.fields) == [["", "x", ""]])
    }

    @Test func reportsAnUnterminatedQuoteAtTheLineItOpened() {
        #expect(throws: CSVError(line: 3, reason: "quoted field is never closed")) {
            try CSVReader.parse("a,b\n1,2\n3,\"open\nand on\nand on\n")
        }
    }

    @Test func reportsTextAfterAClosingQuote() {
        #expect(throws: CSVError(line: 2, reason: "unexpected text after a closing quote")) {
            try CSVReader.parse("a\n\"x\"y\n")
        }
    }

    @Test func keepsAStrayQuoteInsideAnUnquotedField() throws {
        #expect(try CSVReader.parse("5\" screen,ok\n").map(\.fields) == [["5\" screen", "ok"]])
    }
}

@Suite struct CSVWriterTests {
    @Test func quotesOnlyWhenNeeded() {
        #expect(CSVWriter.record(["plain", "a,b", "say \"hi\"", "two\nlines", " pad", ""]) ==
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" pad\",\r\n")
    }

    @Test func readerReadsBackWhatTheWriterWrote() throws {
        let rows = [["a,b", "\"", "\r\n", "x"], ["é ü 中", "", "'", "=1+1"]]
        let text = rows.map(CSVWriter.record).joined()
        #expect(try CSVReader.parse(text).map(\.fields) == rows)
    }

    @Test(arguments: ["=SUM(A1:A9)", "+1", "-2", "@cmd", "\tx", "\rx", "'=x", "''+y", "'plain", "'", "plain", "", "a=b"])
    func injectionNeutralisingIsUndoneExactly(_ cell: String) {
        let safe = CSVInjection.neutralise(cell)
        #expect(CSVInjection.restore(safe) == cell)
        if let first = cell.drop(while: { $0 == "'" }).first, "=+-@\t\r".contains(first) {
            #expect(safe == "'" + cell)
        } else {
            #expect(safe == cell)
        }
    }
}

@Suite struct TicketCSVTests {
    let now = Timestamp(iso8601: "2026-01-10T12:00:00Z") ?? Timestamp(millisecondsSinceEpoch: 0)

    func ticket(_ id: Int64, _ description: String, status: Status, closed: Bool = false, issueType: (IssueTypeID, String)? = nil) -> Ticket {
        let opened = Timestamp(iso8601: "2025-11-03T08:15:30.250Z") ?? now
        let closedAt = closed ? opened.adding(milliseconds: 3_600_000) : nil
        var t = Ticket(id: TicketID(id), description: description, location: id % 2 == 0 ? nil : "Library, Room 2.14",
                       reporter: id % 3 == 0 ? nil : "-Ana \"AJ\" Lee", category: .it, categorySource: .auto, categoryConfidence: 0.8,
                       status: status, openedAt: opened, modifiedAt: closedAt ?? opened.adding(milliseconds: 60_000), closedAt: closedAt)
        if let (id, name) = issueType { t.setIssueType(IssueType(id: id, category: .it, name: name, createdAt: opened)) }
        // Every triage and contact field, in several combinations (none at all on ticket 3).
        switch id {
        case 1:
            (t.severity, t.impact, t.priority, t.assigneeID) = (.high, .many, .p1, UserID(7))
            (t.contactEmail, t.contactPhone, t.preferredContactTime) = ("ana@example.org", "+44 20 7946 0000", "weekdays 09:00-12:00")
        case 2:
            (t.severity, t.impact, t.priority) = (.low, .several, .p2)
            t.contactPhone = "-(030) 1234"
        case 4:
            t.priority = .p4
            t.preferredContactTime = "daily 22:00-06:00"
        case 5:
            (t.severity, t.priority, t.assigneeID) = (.critical, .p2, UserID(9_223_372_036_854_775_807))
            t.contactEmail = "=cmd@example.org"
        default: break
        }
        return t
    }

    @Test func exportThenImportGivesTheSameTickets() throws {
        let tickets = [
            ticket(1, "=HYPERLINK(\"http://evil\",\"click\")", status: .open),
            ticket(2, "Projector, room 3\r\nno signal; \"HDMI\" cable", status: .active),
            ticket(3, "+44 phone line dead", status: .closed, closed: true),
            ticket(4, "'@admin said so", status: .closed, closed: true),
            ticket(5, "\tleading tab and trailing space ", status: .open),
            ticket(6, "Printer out of toner", status: .active, issueType: (IssueTypeID(10), "Printing")),
            ticket(7, "Old lab PC", status: .closed, closed: true, issueType: (IssueTypeID(20), "=Retired, \"old\" type")),
        ]
        let csv = TicketCSV.header + tickets.map(TicketCSV.record).joined()
        #expect(!csv.contains(",=HYPERLINK"))
        #expect(csv.contains("\"'=HYPERLINK(\"\"http://evil\"\",\"\"click\"\")\""))
        let batch = try TicketCSV.parseImport(Array(csv.utf8), now: now)
        #expect(batch.rejections.isEmpty)
        #expect(batch.notes.isEmpty)
        #expect(batch.rows.map(\.line) == [2, 3, 5, 6, 7, 8, 9])
        #expect(csv.contains(",Printing\r\n") && csv.contains(",\"'=Retired, \"\"old\"\" type\"\r\n"))
        #expect(csv.contains(",'+44 20 7946 0000,") && csv.contains(",'-(030) 1234,") && csv.contains(",'=cmd@example.org,"))
        #expect(batch.rows.map(\.ticket) == tickets.map {
            ImportTicket(description: $0.description, location: $0.location, reporter: $0.reporter, category: $0.category,
                         status: $0.status, openedAt: $0.openedAt, modifiedAt: $0.modifiedAt, closedAt: $0.closedAt,
                         severity: $0.severity, impact: $0.impact, priority: $0.priority, assigneeID: $0.assigneeID,
                         contactEmail: $0.contactEmail, contactPhone: $0.contactPhone, preferredContactTime: $0.preferredContactTime,
                         issueType: $0.issueTypeName)
        })
    }

    @Test func exportsEveryColumnInItsPlace() {
        #expect(TicketCSV.header == "id,description,location,reporter,status,category,opened_at,modified_at,closed_at,"
            + "severity,impact,priority,assignee_id,contact_email,contact_phone,preferred_contact_time,issue_type\r\n")
        #expect(TicketCSV.record(ticket(1, "Wifi", status: .open)) == "1,Wifi,\"Library, Room 2.14\",\"'-Ana \"\"AJ\"\" Lee\",open,it,"
            + "2025-11-03T08:15:30.250Z,2025-11-03T08:16:30.250Z,,high,many,P1,7,ana@example.org,'+44 20 7946 0000,weekdays 09:00-12:00,\r\n")
        #expect(TicketCSV.record(ticket(3, "x", status: .open)).hasSuffix("Z,,,one,,,,,,\r\n"))
    }

    @Test func readsTriageAndContactLeniently() throws {
        let csv = """
            description,location,reporter,status,opened_at,closed_at,severity,impact,priority,assignee_id,contact_email,contact_phone,preferred_contact_time
            Lift stuck,Hall,Bo,open,2025-12-01T09:00:00Z,, Critical ,MANY,p1, 12 , Bo@Example.org ,+41 44 000,Mon-Fri 9:00 to 12:00
            Quiet,Hall,Bo,open,2025-12-01T09:00:00Z,,,,,,,,

            """
        let batch = try TicketCSV.parseImport(Array(csv.utf8), now: now)
        #expect(batch.rejections.isEmpty)
        let t = try #require(batch.rows.first?.ticket)
        #expect((t.severity, t.impact, t.priority, t.assigneeID) == (.critical, .many, .p1, UserID(12)))
        // The worker trims and lower-cases the address and stores the canonical window (TicketRules).
        #expect((t.contactEmail, t.contactPhone, t.preferredContactTime) == (" Bo@Example.org ", "+41 44 000", "Mon-Fri 9:00 to 12:00"))
        let quiet = try #require(batch.rows.last?.ticket)
        #expect(quiet.severity == nil && quiet.impact == nil && quiet.priority == nil && quiet.assigneeID == nil)
        #expect(quiet.contactEmail == nil && quiet.contactPhone == nil && quiet.preferredContactTime == nil)
    }

    @Test func refusesBadTriageAndContactWithEveryReason() throws {
        let csv = """
            description,location,reporter,status,opened_at,closed_at,severity,impact,priority,assignee_id,contact_email,contact_phone,preferred_contact_time
            A,Hall,Bo,open,2025-12-01T09:00:00Z,,urgent,everyone,P5,ana,not-an-address,call me,someday
            B,Hall,Bo,open,2025-12-01T09:00:00Z,,high,one,P0,0,,,
            C,Hall,Bo,open,2025-12-01T09:00:00Z,,,,,-3,,,weekdays 25:00-26:00
            D,Hall,Bo,open,2025-12-01T09:00:00Z,,,,,99999999999999999999,,,

            """
        let batch = try TicketCSV.parseImport(Array(csv.utf8), now: now)
        #expect(batch.rows.isEmpty)
        let reasons = batch.rejections.map(\.reasons)
        #expect(reasons.count == 4)
        #expect(reasons.first?.map { String($0.prefix(while: { $0 != ":" })) } == [
            "severity", "impact", "priority", "assignee_id", "contact_email", "contact_phone", "preferred_contact_time",
        ])
        #expect(reasons.first?.first == "severity: 'urgent' is not one of critical, high, medium, low (or empty)")
        #expect(reasons.first?[2] == "priority: 'P5' is not one of P1, P2, P3, P4 (or empty)")
        #expect(reasons.first?[3] == "assignee_id: 'ana' is not an account number")
        #expect(reasons[1] == ["priority: 'P0' is not one of P1, P2, P3, P4 (or empty)", "assignee_id: '0' is not an account number"])
        #expect(reasons[2].count == 2 && reasons[2][1].hasPrefix("preferred_contact_time: Give days and hours"))
        #expect(reasons[3] == ["assignee_id: '99999999999999999999' is not an account number"])
    }

    @Test func rejectsBadRowsWithTheirLinesAndKeepsTheGoodOnes() throws {
        let csv = """
            description,location,reporter,status,opened_at,closed_at,category
            Heating off,Main Hall,Bo,open,2025-12-01T09:00:00+01:00,,
            ,x,y,open,2025-12-01T09:00:00Z,,
            Wifi down,Lab,Cy,closed,2025-12-01T09:00:00Z,,it
            Lift,Lab,Cy,done,yesterday,,lifts
            Short row,Lab
            Late,Lab,Cy,active,2027-01-01T00:00:00Z,2025-12-02T00:00:00Z,
            Backwards,Lab,Cy,closed,2025-12-02T00:00:00Z,2025-12-01T00:00:00Z,services

            """
        let batch = try TicketCSV.parseImport(Array(csv.utf8), now: now)
        #expect(batch.rows.map(\.line) == [2])
        #expect(batch.rows.first?.ticket == ImportTicket(
            description: "Heating off", location: "Main Hall", reporter: "Bo", category: nil, status: .open,
            openedAt: Timestamp(iso8601: "2025-12-01T08:00:00Z") ?? now))
        #expect(batch.rejections.map(\.description) == [
            "line 3: description: must not be empty",
            "line 4: closed_at: required when status is closed",
            "line 5: status: 'done' is not one of open, active, closed; category: 'lifts' is not one of facility, it, services (or empty); opened_at: 'yesterday' is not an ISO 8601 time with a zone (e.g. 2025-03-01T09:30:00Z)",
            "line 6: expected 7 fields, found 2",
            "line 7: opened_at: 2027-01-01T00:00:00.000Z is in the future; closed_at: must be empty when status is active; closed_at: before opened_at",
            "line 8: closed_at: before opened_at",
        ])
    }

    @Test func issueTypeColumnIsOptionalTrimmedAndBounded() throws {
        let long = String(repeating: "x", count: IssueTypeRules.maxName + 1)
        let csv = """
            description,location,reporter,status,opened_at,closed_at,category,issue_type
            Paper jam,,,open,2025-12-01T09:00:00Z,,it, Printing\u{20}
            No type,,,open,2025-12-01T09:00:00Z,,,
            Too long,,,open,2025-12-01T09:00:00Z,,it,\(long)

            """
        let batch = try TicketCSV.parseImport(Array(csv.utf8), now: now)
        #expect(batch.rows.map(\.ticket.issueType) == ["Printing", nil])
        #expect(batch.rejections.map(\.description) == ["line 4: issue_type: longer than \(IssueTypeRules.maxName) characters"])
        // A file from before the column still imports: it is not required.
        #expect(!TicketCSV.requiredColumns.contains("issue_type"))
    }

    @Test func refusesAFileWithoutTheRequiredColumns() {
        #expect(throws: CSVError(line: 1, reason: "missing columns reporter, closed_at")) {
            try TicketCSV.parseImport(Array("description,location,status,opened_at\nx,y,open,2025-01-01T00:00:00Z\n".utf8), now: now)
        }
        #expect(throws: CSVError(line: 1, reason: "the file is empty; expected a header row")) {
            try TicketCSV.parseImport([], now: now)
        }
    }

    @Test func notesUnknownColumnsAndMatchesNamesLoosely() throws {
        let csv = "Status, Description ,LOCATION,reporter,opened_at,closed_at,urgency\nopen,Door stuck,,,2025-06-01T10:00:00Z,,high\n"
        let batch = try TicketCSV.parseImport(Array(csv.utf8), now: now)
        #expect(batch.notes == ["column 'urgency' is not known and was ignored"])
        #expect(batch.rows.first?.ticket.description == "Door stuck")
        #expect(batch.rows.first?.ticket.location == nil)
    }
}
