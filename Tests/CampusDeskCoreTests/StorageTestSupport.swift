import Foundation
@testable import CampusDeskCore

/// A fresh directory under the system temp dir, removed by `remove()` (call it in `defer`).
struct TemporaryDirectory {
    let url: URL
    init() throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-store-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    func path(_ name: String) -> String { url.appendingPathComponent(name).path }
    func remove() { try? FileManager.default.removeItem(at: url) }
}

/// An error thrown on purpose by test bodies, to tell it apart from SQLite's.
struct DeliberateError: Error, Equatable {}
