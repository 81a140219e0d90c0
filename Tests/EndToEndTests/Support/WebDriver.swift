import Foundation

/// A minimal W3C WebDriver client that drives a real headless Chromium through chromedriver.
final class WebDriver {
    private let driverProcess: Process
    private let client: RawHTTPClient
    private let sessionID: String
    private let profileDirectory: URL

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Whether chromedriver and chromium are installed (.ci/run installs them).
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
    }

    init(windowWidth: Int = 1280, windowHeight: Int = 900) throws {
        let port = RawHTTPClient.freePort()
        driverProcess = Process()
        driverProcess.executableURL = URL(fileURLWithPath: "/usr/bin/chromedriver")
        driverProcess.arguments = ["--port=\(port)"]
        driverProcess.standardOutput = FileHandle.nullDevice
        driverProcess.standardError = FileHandle.nullDevice
        try driverProcess.run()
        client = RawHTTPClient(port: port)
        profileDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("chrome-\(UUID().uuidString)")
        let deadline = Date().addingTimeInterval(20)
        var ready = false
        while Date() < deadline {
            if (try? client.request("GET", "/status"))?.status == 200 { ready = true; break }
            client.close()
            Thread.sleep(forTimeInterval: 0.05)
        }
        guard ready else {
            driverProcess.terminate()
            throw Failure(description: "chromedriver did not start")
        }
        let capabilities: [String: Any] = [
            "capabilities": [
                "alwaysMatch": [
                    "browserName": "chrome",
                    "goog:chromeOptions": [
                        "binary": "/usr/bin/chromium",
                        "args": [
                            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                            "--disable-component-update", "--disable-sync", "--no-first-run",
                            "--user-data-dir=\(profileDirectory.path)", "--window-size=\(windowWidth),\(windowHeight)",
                            "--disable-dev-shm-usage",
                        ],
                    ],
                ]
            ]
        ]
        let response = try Self.call(client, "POST", "/session", capabilities)
        guard let value = response["value"] as? [String: Any], let id = value["sessionId"] as? String else {
            driverProcess.terminate()
            throw Failure(description: "no WebDriver session: \(response)")
        }
        sessionID = id
    }

    deinit {
        _ = try? Self.call(client, "DELETE", "/session/\(sessionID)", nil)
        driverProcess.terminate()
        driverProcess.waitUntilExit()
        try? FileManager.default.removeItem(at: profileDirectory)
    }

    private static func call(_ client: RawHTTPClient, _ method: String, _ path: String, _ body: Any?) throws -> [String: Any] {
        var bytes: [UInt8] = []
        if let body { bytes = Array(try JSONSerialization.data(withJSONObject: body)) }
        let r = try client.request(method, path, headers: [("Content-Type", "application/json")], body: bytes)
        guard let json = try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any] else {
            throw Failure(description: "WebDriver answered \(r.status) without JSON")
        }
        if r.status >= 400 { throw Failure(description: "WebDriver \(method) \(path) → \(r.status): \(json["value"] ?? "")") }
        return json
    }

    @discardableResult
    private func command(_ method: String, _ path: String, _ body: Any? = nil) throws -> Any? {
        try Self.call(client, method, "/session/\(sessionID)\(path)", body)["value"]
    }

    func navigate(_ url: String) throws { try command("POST", "/url", ["url": url]) }
    var currentURL: String { get throws { try command("GET", "/url") as? String ?? "" } }
    var title: String { get throws { try command("GET", "/title") as? String ?? "" } }
    var pageSource: String { get throws { try command("GET", "/source") as? String ?? "" } }

    /// Finds one element by CSS selector.
    func find(_ css: String) throws -> String {
        guard let v = try command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any],
              let id = v.values.first as? String else { throw Failure(description: "no element \(css)") }
        return id
    }

    func findAll(_ css: String) throws -> [String] {
        guard let list = try command("POST", "/elements", ["using": "css selector", "value": css]) as? [[String: Any]] else { return [] }
        return list.compactMap { $0.values.first as? String }
    }

    func click(_ css: String) throws { try command("POST", "/element/\(try find(css))/click", [String: Any]()) }

    func type(_ css: String, _ text: String) throws {
        let id = try find(css)
        try command("POST", "/element/\(id)/clear", [String: Any]())
        try command("POST", "/element/\(id)/value", ["text": text])
    }

    func text(_ css: String) throws -> String { try command("GET", "/element/\(try find(css))/text") as? String ?? "" }

    /// Evaluates a script (used only for reading state, never to bypass the UI).
    func execute(_ script: String) throws -> Any? { try command("POST", "/execute/sync", ["script": script, "args": [Any]()]) }

    func setWindowSize(width: Int, height: Int) throws { try command("POST", "/window/rect", ["width": width, "height": height]) }

    /// A PNG of the viewport.
    func screenshot() throws -> Data {
        guard let b64 = try command("GET", "/screenshot") as? String, let data = Data(base64Encoded: b64) else {
            throw Failure(description: "no screenshot")
        }
        return data
    }
}
