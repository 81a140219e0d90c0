/// What a part's headers say, once validated: delivered before its body bytes.
public struct MultipartPartHead: Sendable, Equatable {
    /// The form field name (`name=` of Content-Disposition), as UTF-8 text.
    public var name: String
    /// The file name, sanitised (``FilenameSanitizer``); nil for a plain field. Empty when the
    /// browser sent `filename=""`, which is how a form with no file chosen arrives.
    public var filename: String?
    /// The declared Content-Type (`type/subtype`, lowercased, parameters dropped), when it is
    /// well-formed. Untrusted: the stored type comes from ``ContentSniffer``.
    public var declaredType: String?

    public init(name: String, filename: String? = nil, declaredType: String? = nil) {
        self.name = name
        self.filename = filename
        self.declaredType = declaredType
    }

    /// True for a part with a `filename` parameter: a file, held to the file limit.
    public var isFile: Bool { filename != nil }
}

/// One whole part, as the whole-body parser returns it.
public struct MultipartPart: Sendable, Equatable {
    public var head: MultipartPartHead
    public var body: [UInt8]

    public init(head: MultipartPartHead, body: [UInt8]) {
        self.head = head
        self.body = body
    }

    public var name: String { head.name }
    public var filename: String? { head.filename }
}

/// What the streaming parser reports while it reads.
public enum MultipartEvent: Sendable, Equatable {
    /// A part starts: its headers are complete and valid.
    case partBegin(MultipartPartHead)
    /// Some of the current part's body, in order; a part's body may arrive in many slices.
    case bodyBytes([UInt8])
    /// The current part's body is complete.
    case partEnd
}
