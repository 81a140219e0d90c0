import Foundation

/// A fresh directory under the system temp dir for one test; `remove()` it in a `defer`.
///
/// Why a value with an explicit `remove()` rather than a class that removes in `deinit`: Swift
/// may release an object after its last use, before the test is done with the paths it handed out.
public struct TemporaryDirectory: Sendable {
    public let url: URL
    /// The directory itself.
    public var path: String { url.path }

    /// Creates `<temp>/campusdesk-<label>-<UUID>`.
    public init(_ label: String = "test") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("campusdesk-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    /// The path of `name` inside the directory (not created).
    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Removes the directory and everything in it.
    public func remove() { try? FileManager.default.removeItem(at: url) }
}

/// An error thrown on purpose by test bodies, to tell it apart from the code's own errors.
public struct DeliberateError: Error, Equatable {
    public init() {}
}
