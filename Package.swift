// swift-tools-version:6.0
import PackageDescription

// Release builds compile against the static Swift runtime and Foundation (see the executable target).
let staticRelease: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
// Linking them statically: the static FoundationNetworking (URLSession, the notifier's webhook)
// calls libcurl and asks for `-lcurl`, that is a `libcurl.so`, which only Debian's
// libcurl4-openssl-dev installs. Sources/campusdesk/Linking/libcurl.so is a one-line linker script
// naming the shared library every Debian with curl has (`libcurl.so.4`), found first on this path.
let staticReleaseLink: [LinkerSetting] = [
    .unsafeFlags(["-static-stdlib", "-Xlinker", "-L\(Context.packageDirectory)/Sources/campusdesk/Linking"], .when(configuration: .release)),
]

/// A library target under Sources/<name> holding one concept; `docs/architecture.md` draws the graph.
func library(
    _ name: String, _ dependencies: [Target.Dependency] = [], resources: [Resource]? = nil, swiftSettings: [SwiftSetting] = []
) -> Target {
    .target(name: name, dependencies: dependencies, resources: resources, swiftSettings: staticRelease + swiftSettings)
}

// No package dependencies, by the customer's design: only the toolchain and the system SQLite.
let package = Package(
    name: "CampusDesk",
    products: [
        .executable(name: "campusdesk", targets: ["campusdesk"]),
        .executable(name: "campusdesk-bench", targets: ["campusdesk-bench"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        library("Domain"),
        library("Logging", ["Domain"]),
        library("SQLiteKit", ["CSQLite"]),
        library("SpoolBroker", ["Domain", "Logging"]),
        library("Classifier", ["Domain"], resources: [.copy("Corpus")]),
        library("CSV", ["Domain"]),
        library("TicketStore", ["Domain", "SQLiteKit"]),
        library("Analytics", ["Domain", "Logging", "SQLiteKit", "SpoolBroker", "ServiceLifecycle"]),
        library("TicketService", ["Domain", "Logging", "SQLiteKit", "SpoolBroker", "TicketStore", "Classifier", "ServiceLifecycle"]),
        library("SLAMonitor", ["Domain", "Logging", "SpoolBroker", "Analytics", "ServiceLifecycle"]),
        // Who hears of what, the templates, the SMTP client, the Maildir mock and the delivery queue.
        library("Notifier", ["Domain", "Logging", "SQLiteKit", "SpoolBroker", "TicketStore", "ServiceLifecycle"]),
        // The same broker protocol on NATS JetStream, the client protocol written by hand over sockets (docs/nats.md).
        library("NATSBroker", ["Domain", "Logging", "SpoolBroker"]),
        library("Supervisor", ["Domain", "Logging"]),
        library("Operations", ["Credentials", "Domain", "Logging", "SQLiteKit", "SpoolBroker", "TicketStore", "Classifier"]),
        library("ServiceLifecycle", ["Domain", "Logging"]),
        library("HTTPServer"),
        // The QR code encoder and the place posters built on it; pure Swift, no Foundation. Optimised in
        // debug builds too: encoding the round trips' 330 symbols took 22 s at -Onone and 2.5 s at -O
        // (`swift test --no-parallel`, 2-core VM, load ~11), the rest of those tests being zbarimg's 9 s.
        library("QRCode", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Attachments' pure parts: the multipart/form-data parser, content sniffing, metadata stripping.
        library("Uploads"),
        // Optimised in debug builds too, where the tests run: PBKDF2's RFC 7914 vector of 80,000
        // iterations took 4.4-5.2 s at -Onone and 0.22-0.31 s at -O (`swift test`, 2-core VM, load ~7).
        library("Credentials", swiftSettings: [.unsafeFlags(["-O"], .when(configuration: .debug))]),
        // Gateways on other machines (CAMPUSDESK_GATEWAY_FILES=own): attachments' bytes and the web
        // inbox over NATS request/reply, both sides (docs/nats.md).
        library("RemoteFiles", ["Domain", "Logging", "TicketStore", "Notifier", "NATSBroker", "Credentials", "ServiceLifecycle"]),
        library("WebGateway", [
            "Credentials", "Domain", "Logging", "SQLiteKit", "SpoolBroker", "TicketStore", "Analytics", "Classifier", "ServiceLifecycle", "HTTPServer", "QRCode", "Uploads",
            // The web inbox: reads notifications.db (InboxReader) and sends InboxCommands to the notifier.
            "Notifier",
        ], resources: [.copy("Resources/openapi.yaml")]),
        .executableTarget(
            name: "campusdesk",
            dependencies: [
                "Domain", "Logging", "SQLiteKit", "SpoolBroker", "Classifier", "CSV", "TicketStore", "Analytics",
                "TicketService", "Supervisor", "Operations", "ServiceLifecycle", "HTTPServer", "WebGateway", "Credentials", "QRCode",
                "SLAMonitor", "Notifier", "NATSBroker", "RemoteFiles",
            ],
            exclude: ["Linking"],
            // Release builds carry the Swift runtime and Foundation inside the binary: each of the five
            // processes then maps one file instead of a dozen shared libraries with their relocation
            // pages (gateway resident memory 29.4 -> 24.5 MB, docs/performance.md "Gateway memory").
            swiftSettings: staticRelease,
            linkerSettings: staticReleaseLink
        ),
        // The benchmarks (`swift build -c release && .build/release/campusdesk-bench PART`), not shipped.
        .executableTarget(
            name: "campusdesk-bench",
            dependencies: [
                "Domain", "Logging", "SQLiteKit", "SpoolBroker", "Classifier", "TicketStore", "Analytics",
                "TicketService", "Supervisor", "ServiceLifecycle", "HTTPServer", "WebGateway", "Credentials", "SLAMonitor", "Notifier",
                "NATSBroker", "RemoteFiles",
            ],
            swiftSettings: staticRelease,
            linkerSettings: staticReleaseLink
        ),
        // Processes that tests start and kill (a queue consumer, a sender under RLIMIT_FSIZE), not shipped.
        .executableTarget(
            name: "campusdesk-test-process", dependencies: ["Domain", "Logging", "SpoolBroker", "NATSBroker", "TicketStore", "RemoteFiles"], path: "Tests/TestProcesses",
            swiftSettings: staticRelease,
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        // The one test-support library every test target uses: a temporary directory, a test clock,
        // `eventually` with deadlines that scale, a raw HTTP client, the built-binary locator, readiness
        // handshakes for child processes, an executor for tests that block (docs/reliability.md, "Writing a test").
        .target(name: "TestSupport", dependencies: ["Domain"], path: "Tests/TestSupport"),
        // Fixtures of the ticket store and the analytics that several test targets share.
        .target(name: "Fixtures", dependencies: ["Domain", "SQLiteKit", "SpoolBroker", "TicketStore", "TestSupport"], path: "Tests/Fixtures"),
        // One test target per library target; none of them starts a process (those tests are in EndToEndTests).
        .testTarget(name: "DomainTests", dependencies: ["Domain", "TestSupport"]),
        .testTarget(name: "SQLiteKitTests", dependencies: ["SQLiteKit", "CSQLite", "TestSupport"]),
        // The conformance suite runs on the spool, in memory and on a real nats-server (NATSBroker).
        .testTarget(name: "SpoolBrokerTests", dependencies: ["Domain", "Logging", "SpoolBroker", "NATSBroker", "TestSupport"]),
        // Starts real `nats-server -js` processes (Debian's nats-server, .ci/install); skipped when it is absent.
        .testTarget(name: "NATSBrokerTests", dependencies: [
            "Domain", "Logging", "SpoolBroker", "NATSBroker", "TestSupport",
            // The consumer processes its crash test kills with SIGKILL.
            "campusdesk-test-process",
        ]),
        .testTarget(name: "ClassifierTests", dependencies: ["Domain", "Classifier", "TestSupport"]),
        .testTarget(name: "CSVTests", dependencies: ["Domain", "CSV", "TestSupport"]),
        .testTarget(name: "TicketStoreTests", dependencies: ["Domain", "SQLiteKit", "TicketStore", "Fixtures", "TestSupport"]),
        .testTarget(name: "AnalyticsTests", dependencies: [
            "Domain", "Logging", "SQLiteKit", "SpoolBroker", "Analytics", "TicketStore", "Fixtures", "TestSupport",
        ]),
        .testTarget(name: "TicketServiceTests", dependencies: [
            "Domain", "Logging", "SQLiteKit", "SpoolBroker", "TicketStore", "TicketService", "Fixtures", "TestSupport",
        ]),
        .testTarget(name: "SLAMonitorTests", dependencies: ["Domain", "Logging", "SpoolBroker", "SLAMonitor", "TestSupport"]),
        // Sends to a real SMTP server: Debian's python3-aiosmtpd under /usr/bin/python3 (.ci/install);
        // posts to a real HTTP server: the same Python's http.server.
        .testTarget(name: "NotifierTests", dependencies: [
            "Domain", "Logging", "SQLiteKit", "SpoolBroker", "TicketStore", "Notifier", "Fixtures", "TestSupport",
        ], resources: [.copy("Resources/smtp_server.py"), .copy("Resources/webhook_server.py")]),
        .testTarget(name: "SupervisorTests", dependencies: ["Supervisor", "TestSupport"]),
        .testTarget(name: "OperationsTests", dependencies: [
            "Domain", "SQLiteKit", "SpoolBroker", "TicketStore", "Analytics", "Operations", "Notifier", "Fixtures", "TestSupport", "Credentials",
            // A restore followed by the SLA monitor's rebuild, served by the real ticket worker.
            "Logging", "SLAMonitor", "TicketService",
        ]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer", "TestSupport"]),
        // Decodes the encoder's output with zbarimg (Debian's zbar-tools), which must be installed.
        .testTarget(name: "QRCodeTests", dependencies: ["QRCode", "TestSupport"]),
        // Chunked transfer, hash checks and the inbox over request/reply; against a real nats-server when installed.
        .testTarget(name: "RemoteFilesTests", dependencies: [
            "RemoteFiles", "Domain", "Logging", "TicketStore", "Notifier", "NATSBroker", "Credentials", "SpoolBroker", "SQLiteKit",
            "TicketService", "WebGateway", "HTTPServer", "ServiceLifecycle", "Classifier", "Uploads", "Analytics", "Fixtures", "TestSupport",
            // The uploader its crash test kills with SIGKILL half way.
            "campusdesk-test-process",
        ]),
        .testTarget(name: "UploadsTests", dependencies: ["Uploads", "TestSupport"]),
        .testTarget(name: "CredentialsTests", dependencies: ["Credentials", "TestSupport"]),
        // The pure parts of `campusdesk-bench scale` (its arguments, the table and its ratio column); the bench itself is not a test.
        .testTarget(name: "BenchTests", dependencies: ["campusdesk-bench"]),
        .testTarget(name: "WebGatewayTests", dependencies: [
            "WebGateway", "Credentials", "HTTPServer", "Domain", "Logging", "SpoolBroker", "TicketStore", "Analytics", "Classifier",
            "ServiceLifecycle", "TicketService", "SQLiteKit", "TestSupport", "QRCode", "Uploads", "Notifier",
        ]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Domain", "Logging", "SQLiteKit", "SpoolBroker", "Classifier", "CSV", "TicketStore", "Analytics",
                "TicketService", "Supervisor", "Operations", "ServiceLifecycle", "HTTPServer", "WebGateway",
                "campusdesk", "campusdesk-test-process", "TestSupport", "Fixtures", "Credentials", "SLAMonitor", "Notifier",
                // NATSClusterEndToEndTests asks JetStream which node leads a stream (the one it kills);
                // NATSReplicaEndToEndTests removes a batch from the change stream, as a limit would.
                "NATSBroker",
            ]
        ),
    ]
)

// CAMPUSDESK_TEST_TARGETS=A,B (set by CI's sanitizer steps): the package holds only those test
// targets and the library targets they need, no executables. Each sanitizer is a full instrumented
// build of its own, and CI runs three test targets under them: compiling and linking the rest
// (the end-to-end tests, the binaries) there cost minutes and was never run.
if let only = Context.environment["CAMPUSDESK_TEST_TARGETS"] {
    let wanted = Set(only.split(separator: ",").map(String.init))
    let byName = Dictionary(uniqueKeysWithValues: package.targets.map { ($0.name, $0) })
    var kept = Set<String>()
    var pending = package.targets.filter { $0.type == .test && wanted.contains($0.name) }.map(\.name)
    while let name = pending.popLast() {
        guard kept.insert(name).inserted, let target = byName[name] else { continue }
        for dependency in target.dependencies {
            switch dependency {
            case .targetItem(let name, _), .byNameItem(let name, _): pending.append(name)
            default: break
            }
        }
    }
    package.targets.removeAll { !kept.contains($0.name) }
    package.products = []
}
