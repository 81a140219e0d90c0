import Testing
@testable import Domain

@Suite struct AccountRulesTests {
    @Test func email_IsNormalisedAndShaped() throws {
        #expect(try AccountRules.email("  Ana.López@Campus.EXAMPLE\n") == "ana.lópez@campus.example")
        #expect(try AccountRules.email("a+tag@mail.uni-x.de") == "a+tag@mail.uni-x.de")
        for bad in ["", "ana", "ana@", "@x.org", "a@b", "a@b.c", "a@@b.org", "a@b..org", "a@-b.org", "a b@x.org", "a@x.org\u{7}",
                    "<a@x.org>", "a@x.org,b@x.org", String(repeating: "l", count: 65) + "@x.org", "a@" + String(repeating: "d", count: 250) + ".org"] {
            #expect(throws: Refusal.self, "\(bad)") { try AccountRules.email(bad) }
        }
    }

    @Test func passwordHash_OnlyThePBKDF2Form() throws {
        let good = "pbkdf2-sha256$600000$c2FsdHNhbHRzYWx0c2FsdA==$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g="
        #expect(try AccountRules.passwordHash(good) == good)
        for bad in ["", "hunter2hunter2", "pbkdf2-sha256$600000$c2FsdA==", "pbkdf2-sha256$0600000$AA$AA", "pbkdf2-sha256$x$AA$AA",
                    "pbkdf2-sha1$1$AA$AA", "pbkdf2-sha256$1$A A$AA", "pbkdf2-sha256$1$AA$AA$AA", "pbkdf2-sha256$1$$AA"] {
            #expect(throws: Refusal.self, "\(bad)") { try AccountRules.passwordHash(bad) }
        }
    }

    @Test func phoneNameAndDigest() throws {
        #expect(try AccountRules.phone("  ") == nil)
        #expect(try AccountRules.phone(" +49 (30) 123-45.6/7 ") == "+49 (30) 123-45.6/7")
        #expect(throws: Refusal.self) { try AccountRules.phone("0800-CALLME") }
        #expect(try AccountRules.name(" Zoë ") == "Zoë")
        #expect(throws: Refusal.self) { try AccountRules.name(String(repeating: "n", count: 201)) }
        #expect(try AccountRules.tokenDigest(String(repeating: "a1", count: 32)).count == 64)
        #expect(throws: Refusal.self) { try AccountRules.tokenDigest(String(repeating: "A1", count: 32)) }
    }

    /// The OpenAPI document's `Email` pattern counts Unicode scalars of the text as sent; the rule
    /// counts the same, so an address the document accepts is never refused (a contract finding:
    /// a top label of a letter and a combining mark is two scalars but one character).
    @Test func email_CountsScalarsAsTheDocumentDoes() throws {
        #expect(try AccountRules.email("ana@example.c\u{301}") == "ana@example.c\u{301}")
        #expect(try AccountRules.email(" \u{0B}\t\u{130}@example.org ") == "\u{130}".lowercased() + "@example.org")
        #expect(try AccountRules.email(String(repeating: "e\u{301}", count: 32) + "@example.org").hasSuffix("@example.org"))
        #expect(throws: Refusal.self) { try AccountRules.email(String(repeating: "e\u{301}", count: 33) + "@example.org") }
        #expect(throws: Refusal.self) { try AccountRules.email("ana@example.-\u{301}") }
        #expect(throws: Refusal.self) { try AccountRules.email("ana@example.c") }
    }
}
