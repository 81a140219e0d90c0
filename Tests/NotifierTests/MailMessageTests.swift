import Testing
import Foundation
import Domain
@testable import Notifier

@Suite struct MailMessageTests {
    static let at = Timestamp(millisecondsSinceEpoch: 1_796_397_707_000) // 2026-12-04 15:21:47 UTC, a Friday

    @Test func date_IsRFC5322InUTC() {
        #expect(MailMessage.rfc5322Date(Self.at) == "Fri, 04 Dec 2026 15:21:47 +0000")
        #expect(MailMessage.rfc5322Date(Timestamp(millisecondsSinceEpoch: 0)) == "Thu, 01 Jan 1970 00:00:00 +0000")
    }

    @Test func asciiSubject_StaysAsIs_NonASCII_IsEncodedWordsFoldedUnder78() {
        #expect(MailMessage.folded("Subject", MailMessage.encodedPhrase("Ticket #12 is now closed")) == "Subject: Ticket #12 is now closed\r\n")
        let long = String(repeating: "Störung im Hörsaal ", count: 6)
        let header = MailMessage.folded("Subject", MailMessage.encodedPhrase(long))
        for line in header.components(separatedBy: "\r\n") where !line.isEmpty {
            #expect(line.count <= 78)
        }
        let words = MailMessage.encodedWords(long)
        #expect(words.allSatisfy { $0.hasPrefix("=?UTF-8?B?") && $0.hasSuffix("?=") && $0.count <= 75 })
        let decoded = words.map { w in
            Data(base64Encoded: String(w.dropFirst(10).dropLast(2)))!
        }.reduce(Data(), +)
        #expect(String(decoding: decoded, as: UTF8.self) == long)
    }

    @Test func quotedPrintable_EscapesEqualsAndUTF8_BreaksLongLines_KeepsTrailingSpaceSafe() {
        #expect(MailMessage.quotedPrintable("a=b é\n") == "a=3Db =C3=A9\r\n")
        #expect(MailMessage.quotedPrintable("end \n") == "end=20\r\n")
        let long = MailMessage.quotedPrintable(String(repeating: "x", count: 200))
        #expect(long.components(separatedBy: "\r\n").allSatisfy { $0.count <= 76 })
    }

    @Test func rendered_HasTheHeadersARelayExpects() {
        let m = MailMessage(from: .init(name: "CampusDesk", email: "desk@campus.test"), to: .init(name: "Zoë", email: "zoe@campus.test"),
                            subject: "Hi", body: "Body\n", date: Self.at, messageID: "n-1@campusdesk")
        let text = m.rendered
        #expect(text.hasPrefix("Date: Fri, 04 Dec 2026 15:21:47 +0000\r\nFrom: \"CampusDesk\" <desk@campus.test>\r\nTo: =?UTF-8?B?"))
        #expect(text.contains("Message-ID: <n-1@campusdesk>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"))
        #expect(text.hasSuffix("\r\n\r\nBody\r\n"))
    }

    @Test func dotStuffing_DoublesLeadingDots_AndEndsWithTheDotLine() {
        let out = String(decoding: SMTPClient.dotStuffed(Array(".one\r\ntwo\n.\r\n".utf8)), as: UTF8.self)
        #expect(out == "..one\r\ntwo\r\n..\r\n.\r\n")
    }
}
