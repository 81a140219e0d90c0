// swift-tools-version:6.0
import PackageDescription

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
            resources: [.copy("Classifier/Corpus")]
        ),
        .target(name: "HTTPServer"),
        .target(name: "WebGateway", dependencies: ["CampusDeskCore", "HTTPServer"]),
        .executableTarget(
            name: "campusdesk",
            dependencies: ["CampusDeskCore", "HTTPServer", "WebGateway"]
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
