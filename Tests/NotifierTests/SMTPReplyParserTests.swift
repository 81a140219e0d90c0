import Testing
@testable import Notifier

@Suite struct SMTPReplyParserTests {
    let parser = SMTPReplyParser()
    func parse(_ text: String) throws(SMTPError) -> SMTPReplyParser.Result { try parser.parse(Array(text.utf8)[...]) }

    @Test func multiLineReply_IsOneReply() throws {
        let r = try parse("250-relay.test\r\n250-8BITMIME\r\n250 AUTH PLAIN LOGIN\r\n220 next")
        #expect(r == .reply(SMTPReply(code: 250, lines: ["relay.test", "8BITMIME", "AUTH PLAIN LOGIN"]), consumed: 52))
    }

    @Test func partialReply_NeedsMoreData() throws {
        #expect(try parse("250-relay.test\r\n250 8BIT") == .needMoreData)
        #expect(try parse("") == .needMoreData)
    }

    @Test func bareCode_AndBareLF_AreAccepted() throws {
        #expect(try parse("354\n") == .reply(SMTPReply(code: 354, lines: [""]), consumed: 4))
    }

    @Test func malformedLine_IsAProtocolError() {
        #expect(throws: SMTPError.protocolError("malformed reply line \"HTTP/1.1 400\"")) { try parse("HTTP/1.1 400\r\n") }
        #expect(throws: SMTPError.protocolError("reply codes differ within one reply")) { try parse("250-a\r\n251 b\r\n") }
    }

    @Test func classes_AreTemporaryOrPermanent() {
        #expect(SMTPReply(code: 451, lines: []).isTemporary)
        #expect(SMTPReply(code: 550, lines: []).isPermanent)
        #expect(SMTPError.reply(SMTPReply(code: 421, lines: ["closing"]), at: "greeting").kind == .temporary)
        #expect(SMTPError.reply(SMTPReply(code: 554, lines: ["no"]), at: "greeting").kind == .permanent)
    }
}
