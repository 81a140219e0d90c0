// swift-tools-version:6.0
import PackageDescription

// Release builds compile against the static Swift runtime and Foundation (see the executable target).
let staticRelease: [SwiftSetting] = [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]

// No package dependencies, by the customer's design: only the toolchain and the system SQLite.
let package = Package(
    name: "CampusDesk",
    products: [
        .executable(name: "campusdesk", targets: ["campusdesk"]),
        .library(name: "CampusDeskCore", targets: ["CampusDeskCore"]),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            path: "Sources/CSQLite",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        .target(
            name: "CampusDeskCore",
            dependencies: ["CSQLite"],
            resources: [.copy("Classifier/Corpus")],
            swiftSettings: staticRelease
        ),
        .target(name: "HTTPServer", swiftSettings: staticRelease),
        .target(name: "WebGateway", dependencies: ["CampusDeskCore", "HTTPServer"], swiftSettings: staticRelease),
        .executableTarget(
            name: "campusdesk",
            dependencies: ["CampusDeskCore", "HTTPServer", "WebGateway"],
            // Release builds carry the Swift runtime and Foundation inside the binary: each of the five
            // processes then maps one file instead of a dozen shared libraries with their relocation
            // pages (gateway resident memory 29.4 -> 24.5 MB, docs/performance.md "Gateway memory").
            swiftSettings: staticRelease,
            linkerSettings: [.unsafeFlags(["-static-stdlib"], .when(configuration: .release))]
        ),
        // Test-only helpers shared by the test targets (an executor for blocking tests, a tmpfs probe).
        .target(name: "TestSupport", path: "Tests/TestSupport"),
        .testTarget(name: "CampusDeskCoreTests", dependencies: ["CampusDeskCore", "TestSupport"]),
        .testTarget(name: "HTTPServerTests", dependencies: ["HTTPServer"]),
        .testTarget(name: "WebGatewayTests", dependencies: ["WebGateway", "HTTPServer", "CampusDeskCore"]),
        .testTarget(
            name: "EndToEndTests",
            dependencies: ["CampusDeskCore", "HTTPServer", "WebGateway", "campusdesk", "TestSupport"]
        ),
    ]
)
