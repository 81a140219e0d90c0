/// Where the body of a request goes when its route streams it instead of holding it in memory.
///
/// Most routes get their body whole in ``HTTPRequest/body``, capped by the parser's limit. A few
/// (uploads) accept larger bodies: for those, ``ServerConfiguration/streamingBody`` names a sink,
/// the event loop hands it each chunk as it is read from the socket, and the handler receives
/// what the sink made of it (``HTTPRequest/streamedBody``). The server knows nothing of what a
/// sink does with the bytes (the gateway parses multipart and writes files to disk).
///
/// A sink lives on the event loop thread only: it is created, fed, finished or abandoned there,
/// so it needs no lock, and a sink that blocks (a disk write) delays the loop for that long.
public protocol RequestBodySink: AnyObject {
    /// The next chunk of the body, in order. Throwing refuses the request: its response is sent
    /// at once and the connection closes without reading the rest of the body.
    func write(_ bytes: UnsafeRawBufferPointer) throws(BodyRefusal)
    /// The body is complete; the value returned rides on the request to the handler.
    func finish() throws(BodyRefusal) -> any Sendable
    /// The body will never complete (refused, peer gone, timeout, shutdown): drop what was kept.
    func abandon()
}

/// A sink's refusal: the response to send instead of running the handler (413, 415, 507, …).
public struct BodyRefusal: Error, Sendable {
    public var response: HTTPResponse
    public init(_ response: HTTPResponse) { self.response = response }
}

/// A route's choice to stream its body: how large it may be and where it goes.
public struct StreamingBody: Sendable {
    /// Largest `Content-Length` accepted; larger is 413 before any byte of the body is read.
    public var maxBodyBytes: Int
    /// Makes the sink for one request (its head: method, target, headers), on the event loop thread.
    public var makeSink: @Sendable (HTTPRequest) throws(BodyRefusal) -> any RequestBodySink

    public init(maxBodyBytes: Int, makeSink: @escaping @Sendable (HTTPRequest) throws(BodyRefusal) -> any RequestBodySink) {
        self.maxBodyBytes = maxBodyBytes
        self.makeSink = makeSink
    }
}

/// A body that was streamed: its length and, once complete, what its sink returned.
///
/// Equal by length and sequence number only: the sink's value is opaque to the server.
public struct StreamedBody: Sendable, Equatable {
    /// The body's `Content-Length`.
    public var length: Int
    /// What ``RequestBodySink/finish()`` returned; nil until the body is complete.
    public var value: (any Sendable)?
    /// Tells two streamed bodies apart for `Equatable`.
    var sequence: UInt64

    init(length: Int, value: (any Sendable)? = nil, sequence: UInt64 = 0) {
        self.length = length
        self.value = value
        self.sequence = sequence
    }

    public static func == (a: StreamedBody, b: StreamedBody) -> Bool { a.length == b.length && a.sequence == b.sequence }
}
