import TestSupport
import Testing
import Uploads

/// Parses a case's body whole, or fed as `chunks` consecutive slices, and collects the answer.
func outcome(_ c: MultipartCase, splits: [Int] = []) -> MultipartCase.Expected {
    do {
        var parser = try MultipartStreamParser(contentType: c.contentType, limits: c.limits)
        var collector = MultipartCollector()
        var start = 0
        for cut in splits + [c.body.count] {
            collector.add(try parser.feed(c.body[start..<cut]))
            start = cut
        }
        try parser.finish()
        return .parts(collector.parts)
    } catch {
        return .error(error)
    }
}

@Suite("MultipartParser: good and hostile bodies", .onDedicatedThreads)
struct MultipartParserTests {
    @Test(arguments: goodCases)
    func goodBody_ParsesToItsParts(_ c: MultipartCase) {
        let whole: MultipartCase.Expected
        do { whole = .parts(try MultipartParser.parse(c.body, contentType: c.contentType, limits: c.limits)) } catch { whole = .error(error) }
        #expect(whole == c.expected)
    }

    @Test(arguments: hostileCases)
    func hostileBody_IsRefusedWithItsError(_ c: MultipartCase) {
        let whole: MultipartCase.Expected
        do { whole = .parts(try MultipartParser.parse(c.body, contentType: c.contentType, limits: c.limits)) } catch { whole = .error(error) }
        #expect(whole == c.expected)
        if case .error(let e) = whole {
            #expect(!e.message.isEmpty)
            #expect((400...499).contains(e.status))
        }
    }

    @Test("the tables hold at least 30 bodies, good and hostile")
    func tables_AreLargeEnough() {
        #expect(goodCases.count + hostileCases.count >= 30)
        #expect(Set((goodCases + hostileCases).map(\.name)).count == goodCases.count + hostileCases.count)
    }

    @Test(arguments: goodCases + hostileCases)
    func everySplitInTwo_GivesTheWholeAnswer(_ c: MultipartCase) {
        guard c.body.count > 1 else { return }
        // Every offset of the short bodies; the long ones (the huge header) at every 7th and
        // around the limit, where the answer could change.
        let cuts = c.body.count <= 1000 ? Array(1..<c.body.count)
            : Array(stride(from: 1, to: c.body.count, by: 7)) + Array(8180..<8210)
        for cut in cuts where cut < c.body.count {
            let split = outcome(c, splits: [cut])
            #expect(split == c.expected, "split at \(cut)")
            if split != c.expected { return }
        }
    }

    @Test(arguments: goodCases + hostileCases)
    func byteByByte_GivesTheWholeAnswer(_ c: MultipartCase) {
        guard c.body.count > 1 else { return }
        #expect(outcome(c, splits: Array(1..<c.body.count)) == c.expected)
    }

    @Test func limitErrors_Are413_NotFormDataIs415() {
        #expect(MultipartError.fileTooLarge(name: "a", limit: 10 * 1024 * 1024).status == 413)
        #expect(MultipartError.fileTooLarge(name: "a", limit: 10 * 1024 * 1024).message == "the file 'a' exceeds 10 MB")
        #expect(MultipartError.tooManyParts(limit: 3).status == 413)
        #expect(MultipartError.notFormData("text/plain").status == 415)
        #expect(MultipartError.truncated.status == 400)
    }

    @Test func polyglotJPEGHTML_ParsesAsAFile_SniffsAsJPEG_AndLosesItsHTML() throws {
        let polyglot = TinyJPEG.polyglot
        let body = crlf("--XyZ\nContent-Disposition: form-data; name=\"photo\"; filename=\"cat.html\"\nContent-Type: text/html\n\n") + polyglot + crlf("\n--XyZ--")
        let parts = try MultipartParser.parse(body, contentType: formType)
        #expect(parts.count == 1)
        #expect(parts[0].body == polyglot)
        #expect(parts[0].head.declaredType == "text/html")
        #expect(try ContentSniffer.sniff(parts[0].body) == .jpeg)
        let stored = try JPEGMetadataStripper.strip(parts[0].body)
        #expect(!stored.contains(subsequence: Array("<script".utf8)))
        #expect(!stored.contains(subsequence: Array("<html".utf8)))
    }
}

extension Array where Element == UInt8 {
    func contains(subsequence needle: [UInt8]) -> Bool {
        guard !needle.isEmpty, count >= needle.count else { return false }
        return (0...(count - needle.count)).contains { self[$0..<($0 + needle.count)].elementsEqual(needle) }
    }
}
