import Testing
@testable import WebGateway

@Suite struct FormDecodingTests {
    @Test func decodesPlusPercentAndDuplicates() throws {
        let f = try FormDecoding.decode(Array("a=1+2&b=%C3%A9t%C3%A9&a=x%26y&empty=&flag".utf8))
        #expect(f["a"] == "1 2")
        #expect(f.values("a") == ["1 2", "x&y"])
        #expect(f["b"] == "été")
        #expect(f["empty"] == "")
        #expect(f["flag"] == "")
        #expect(f["missing"] == nil)
    }

    @Test func skipsEmptyPairs() throws {
        #expect(try FormDecoding.decode(Array("&&a=1&".utf8)).fields == [FormField(name: "a", value: "1")])
        #expect(try FormDecoding.decode([]).fields.isEmpty)
        #expect(try FormDecoding.decodeQuery(nil).fields.isEmpty)
    }

    @Test(arguments: ["a=%", "a=%4", "a=%zz", "%g0=1", "a=%%41"])
    func rejectsBrokenPercentEscapes(_ input: String) {
        #expect(throws: FormDecodingError.invalidPercentEncoding) { try FormDecoding.decode(Array(input.utf8)) }
    }

    @Test func rejectsInvalidUTF8() {
        #expect(throws: FormDecodingError.invalidUTF8) { try FormDecoding.decode(Array("a=%FF%FE".utf8)) }
        #expect(throws: FormDecodingError.invalidUTF8) { try FormDecoding.decode([0x61, 0x3d, 0xc3]) }
    }

    @Test func boundsTheNumberOfFields() throws {
        let body = Array(repeating: "a=1", count: FormDecoding.maxFields + 1).joined(separator: "&")
        #expect(throws: FormDecodingError.tooManyFields) { try FormDecoding.decode(Array(body.utf8)) }
        let ok = Array(repeating: "a=1", count: FormDecoding.maxFields).joined(separator: "&")
        #expect(try FormDecoding.decode(Array(ok.utf8)).fields.count == FormDecoding.maxFields)
    }

    @Test func plusStaysInPaths() throws {
        #expect(try FormDecoding.percentDecode(Array("a+b%20c".utf8), plusAsSpace: false) == "a+b c")
    }

    @Test func encodeThenDecodeRoundTrips() throws {
        let values = ["plain", "with space & amp", "ünï=cödé?#", "<script>\"'", "+%+"]
        let q = FormDecoding.encodeQuery(values.enumerated().map { ("k\($0.offset)", $0.element) })
        let f = try FormDecoding.decodeQuery(q)
        for (i, v) in values.enumerated() { #expect(f["k\(i)"] == v) }
        #expect(FormDecoding.encodeQuery([("a", nil), ("b", ""), ("c", "1")]) == "c=1")
    }

    @Test func trimmedIgnoresBlankValues() throws {
        let f = try FormDecoding.decode(Array("a=++x++&b=+++".utf8))
        #expect(f.trimmed("a") == "x")
        #expect(f.trimmed("b") == nil)
    }
}

/// The CSRF token is bound to the browser id and the secret (SHA-256 and HMAC: CredentialsTests).
@Suite struct CSRFProtectionTests {
    @Test func csrfTokensAreBoundToBrowserAndSecret() {
        let a = CSRFProtection(secret: Array("one".utf8)), b = CSRFProtection(secret: Array("two".utf8))
        let t = a.token(forBrowser: "browser-1")
        #expect(a.isValid(token: t, browserID: "browser-1"))
        #expect(!a.isValid(token: t, browserID: "browser-2"))
        #expect(!b.isValid(token: t, browserID: "browser-1"))
        #expect(!a.isValid(token: nil, browserID: "browser-1"))
        #expect(!a.isValid(token: t, browserID: nil))
        #expect(!a.isValid(token: String(t.dropLast()), browserID: "browser-1"))
    }
}
