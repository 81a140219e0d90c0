import Foundation
import Testing
import TestSupport
@testable import Domain
@testable import SpoolBroker
@testable import NATSBroker

/// Credentials in the server list: parsing and redaction (pure), and a real `nats-server`
/// that requires a user and password or a token: the right ones work, wrong or none are refused
/// with the server's reason.
@Suite("NATS credentials", .onDedicatedThreads)
struct NATSCredentialsTests {
    @Test("user:password@ and token@ are taken out of every entry, percent-decoded; entries may leave them out")
    func split() throws {
        let (servers, credentials) = try NATSCredentials.split("nats://campus:s3cr%3At%40x@10.0.0.1:4222,nats://campus:s3cr%3At%40x@10.0.0.2:4222,10.0.0.3")
        #expect(servers == "nats://10.0.0.1:4222,nats://10.0.0.2:4222,10.0.0.3")
        #expect(credentials == .user("campus", password: "s3cr:t@x"))
        #expect(try NATSCredentials.split("nats://T0KEN@h:4222").credentials == .token("T0KEN"))
        #expect(try NATSCredentials.split("nats://h:4222").credentials == .none)
        #expect(throws: NATSError.self) { try NATSCredentials.split("nats://a:b@h1:4222,nats://a:c@h2:4222") }
        #expect(throws: NATSError.self) { try NATSCredentials.split("nats://:pw@h:4222") }
        let configuration = try NATSBrokerConfiguration(url: "nats://campus:pw@127.0.0.1:4222,127.0.0.1:4223?replicas=3")
        #expect(configuration.connection.servers.map(\.description) == ["127.0.0.1:4222", "127.0.0.1:4223"])
        #expect(configuration.connection.credentials == .user("campus", password: "pw"))
        #expect(configuration.replicas == 3)
    }

    @Test("credentials never show in messages: redacted(url:), BrokerFactory.describe, a refused configuration")
    func redaction() throws {
        #expect(NATSCredentials.redacted(url: "nats://campus:pw@h1:4222,tok@h2:4222,h3:4222") == "nats://***@h1:4222,***@h2:4222,h3:4222")
        #expect(!BrokerFactory.describe(url: "nats://campus:pw@h:4222", spoolDirectory: "/x").contains("pw"))
        do {
            _ = try NATSMessageBroker(url: "nats://campus:pw@h:4222?bogus=1")
            Issue.record("an unknown option was accepted")
        } catch {
            #expect(!"\(error)".contains("pw"), "\(error)")
        }
        // A `?` in a password is the password's; options start after the last `@`.
        let question = try NATSBrokerConfiguration(url: "nats://campus:se?cret@h:4222?replicas=3")
        #expect(question.connection.credentials == .user("campus", password: "se?cret"))
        #expect(question.replicas == 3)
        // A `,` left unencoded splits the entry: refused, and no piece of the password is shown.
        #expect(NATSCredentials.redacted(url: "nats://campus:se,cret@h:4222") == "nats://***,***@h:4222")
        #expect(NATSCredentials.redacted(url: "nats://a:b@h1:4222,h2?replicas=3") == "nats://***@h1:4222,h2?replicas=3")
        for url in ["nats://campus:se,cret@h:4222", "nats://campus:s3cret,x:1,y@h:4222?replicas=3"] {
            do {
                _ = try NATSBrokerConfiguration(url: url)
                Issue.record("\(NATSCredentials.redacted(url: url)) was accepted")
            } catch {
                #expect(!"\(error)".contains("campus:se") && !"\(error)".contains("cret"), "\(error)")
            }
        }
    }

    @Test("a server that requires a user and password: the right ones send and claim; a wrong password or none is refused with the server's reason",
          .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    func userAndPassword() throws {
        let dir = try TemporaryDirectory("nats-auth")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"), extraArguments: ["--user", "campus", "--pass", "s3cr:t@x"])
        defer { server.stop() }
        let hostPort = server.url.replacingOccurrences(of: "nats://", with: "")
        let broker = try NATSMessageBroker(url: "nats://campus:s3cr%3At%40x@\(hostPort)", name: "auth")
        defer { broker.close() }
        let sent = try Envelope(type: "t", body: ["n": 1], sentAt: SystemClock().now())
        try broker.send([sent], to: .commands)
        let consumer = try broker.consumer(of: .commands)
        let got = try consumer.claim(max: 1)
        #expect(got.map(\.envelope.id) == [sent.id])
        for d in got { try consumer.ack(d) }

        for url in ["nats://campus:wrong@\(hostPort)", "nats://\(hostPort)"] {
            do {
                _ = try NATSConnection(options: try NATSBrokerConfiguration(url: url).connection)
                Issue.record("\(NATSCredentials.redacted(url: url)) was let in")
            } catch {
                #expect("\(error)".contains("Authorization Violation"), "\(error)")
                #expect(!"\(error)".contains("wrong"))
            }
        }
    }

    @Test("a server that requires a token: the token sends and claims; another token is refused",
          .enabled(if: NATSServerProcess.missingReason == nil, "nats-server is not installed"))
    func token() throws {
        let dir = try TemporaryDirectory("nats-auth")
        defer { dir.remove() }
        let server = try NATSServerProcess(storeDirectory: dir.path("store"), extraArguments: ["--auth", "T0KEN-of-the-desk"])
        defer { server.stop() }
        let hostPort = server.url.replacingOccurrences(of: "nats://", with: "")
        let broker = try NATSMessageBroker(url: "nats://T0KEN-of-the-desk@\(hostPort)", name: "auth")
        defer { broker.close() }
        let sent = try Envelope(type: "t", body: ["n": 2], sentAt: SystemClock().now())
        try broker.send([sent], to: .commands)
        let consumer = try broker.consumer(of: .commands)
        #expect(try consumer.claim(max: 1).map(\.envelope.id) == [sent.id])
        #expect(throws: NATSError.self) {
            _ = try NATSConnection(options: try NATSBrokerConfiguration(url: "nats://other@\(hostPort)").connection)
        }
    }
}
