import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A `multipart/form-data` body as the upload sink leaves it: the fields in memory (small, limited),
/// each file in its own file under `<data>/attachments/incoming/`, never in memory.
///
/// The handler that receives it owns the incoming files and removes them (``discard()``) when it
/// is done, stored or not; a gateway killed before that leaves them to the orphan sweep.
struct ReceivedUpload: Sendable {
    struct File: Sendable, Equatable {
        /// The form field (`file`).
        var field: String
        /// The sanitised name the sender's file had.
        var filename: String
        /// The incoming file holding the bytes as sent.
        var path: String
        var size: Int
    }

    var fields: [(name: String, value: String)] = []
    var files: [File] = []

    /// The form's fields, as the urlencoded decoder would give them.
    var form: FormFields { FormFields(fields.map { FormField(name: $0.name, value: $0.value) }) }

    /// Removes the incoming files.
    func discard() {
        for file in files { unlink(file.path) }
    }
}
