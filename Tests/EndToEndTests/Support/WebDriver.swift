import Foundation
import Testing
import TestSupport
#if canImport(Glibc)
import Glibc
#endif

/// A minimal W3C WebDriver client that drives a real headless Chromium through chromedriver.
///
/// Why chromedriver is spawned with `posix_spawn` and not `Foundation.Process`: `Process` starts
/// children from a Dispatch thread whose signal mask blocks almost every signal, and a child keeps
/// that mask across exec. chromedriver then never sees SIGTERM, so `terminate()` followed by
/// `waitUntilExit()` hung forever in `deinit` (the first attempt's hang: the test body had passed).
/// Here the child starts with an empty mask and default dispositions, `deinit` ends the session,
/// sends SIGTERM, waits with a deadline and falls back to SIGKILL, so nothing outlives the test.
final class WebDriver {
    private let driverPID: pid_t
    private let client: RawHTTPClient
    private let sessionID: String
    private let profile: TemporaryDirectory
    private var profileDirectory: URL { profile.url }

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Whether chromedriver and chromium are installed (.ci/run installs them).
    static var isAvailable: Bool {
        FileManager.default.isExecutableFile(atPath: "/usr/bin/chromedriver")
            && FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium")
    }

    /// chromedriver's own log (INFO level), kept in the profile directory for failure messages.
    var driverLog: String {
        (try? String(contentsOf: profileDirectory.appendingPathComponent("chromedriver.log"), encoding: .utf8)) ?? ""
    }

    init(windowWidth: Int = 1280, windowHeight: Int = 900) async throws {
        let port = RawHTTPClient.freePort()
        profile = try TemporaryDirectory("chrome")
        let logPath = profile.url.appendingPathComponent("chromedriver.log").path
        driverPID = try Self.spawn("/usr/bin/chromedriver", ["--port=\(port)", "--log-path=\(logPath)"])
        client = RawHTTPClient(port: port)
        do {
            // Readiness handshake: chromedriver answers GET /status once it listens.
            try await eventually("chromedriver to answer GET /status") { [client] in
                if (try? client.request("GET", "/status"))?.status == 200 { return true }
                client.close()
                return false
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
                                "--user-data-dir=\(profile.url.appendingPathComponent("profile").path)",
                                "--window-size=\(windowWidth),\(windowHeight)", "--hide-scrollbars",
                                "--disable-dev-shm-usage", "--force-device-scale-factor=1",
                            ],
                        ],
                    ]
                ]
            ]
            let response = try Self.call(client, "POST", "/session", capabilities)
            guard let value = response["value"] as? [String: Any], let id = value["sessionId"] as? String else {
                throw Failure(description: "no WebDriver session: \(response)")
            }
            sessionID = id
        } catch {
            Self.stop(driverPID)
            profile.remove()
            throw error
        }
    }

    deinit {
        // Ending the session makes chromedriver close Chromium; then chromedriver itself goes.
        _ = try? Self.call(client, "DELETE", "/session/\(sessionID)", nil)
        client.close()
        Self.stop(driverPID)
        profile.remove()
    }

    /// Starts a program with an empty signal mask, default dispositions and stdio on /dev/null.
    private static func spawn(_ path: String, _ arguments: [String]) throws -> pid_t {
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        var empty = sigset_t()
        sigemptyset(&empty)
        posix_spawnattr_setsigmask(&attr, &empty)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for s in [SIGTERM, SIGINT, SIGPIPE, SIGCHLD, SIGHUP] { sigaddset(&defaults, s) }
        posix_spawnattr_setsigdefault(&attr, &defaults)
        // Its own process group, so `stop` can end chromedriver and any Chromium it left behind.
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETPGROUP))
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        let argv: [UnsafeMutablePointer<CChar>?] = ([path] + arguments).map { strdup($0) } + [nil]
        defer { for p in argv { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, path, &actions, &attr, argv, environ)
        guard rc == 0 else { throw Failure(description: "posix_spawn \(path): errno \(rc)") }
        return pid
    }

    /// SIGTERM to the process group, reap within 5 s, else SIGKILL and reap.
    private static func stop(_ pid: pid_t) {
        kill(-pid, SIGTERM)
        if reapChild(pid, within: .seconds(5)) { kill(-pid, SIGKILL); return }
        kill(-pid, SIGKILL)
        var status: Int32 = 0
        _ = waitpid(pid, &status, 0)
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
    /// The browser's Back button.
    func back() throws { try command("POST", "/back", [String: Any]()) }
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

    /// Chooses a file in an `<input type="file">` as a person picking it would (the path is sent as
    /// the element's keys; chromedriver runs here, so it reads the file itself). No clear first: a
    /// file input is not cleared by WebDriver's Element Clear.
    func chooseFile(_ css: String, path: String) throws {
        try command("POST", "/element/\(try find(css))/value", ["text": path])
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
