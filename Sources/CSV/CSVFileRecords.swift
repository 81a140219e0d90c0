#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The records of a CSV file read from a file descriptor in chunks (`read(2)`), one at a time:
/// memory holds one chunk and the records it completed, whatever the size of the file.
public struct CSVFileRecords {
    /// A read that failed, with its errno.
    public struct ReadError: Error, CustomStringConvertible {
        public var errno: Int32
        public var description: String { "read failed: \(String(cString: strerror(errno)))" }
    }

    /// Either the file could not be read or its CSV is broken.
    public enum Failure: Error, CustomStringConvertible {
        case read(ReadError)
        case csv(CSVError)
        public var description: String {
            switch self {
            case .read(let e): "\(e)"
            case .csv(let e): "\(e)"
            }
        }
    }

    private let fd: Int32
    private var reader = CSVStreamReader()
    private var buffer: [UInt8]
    private var ready: [CSVRecord] = []
    private var next = 0
    private var ended = false
    /// Bytes read from the descriptor so far.
    public private(set) var bytesRead = 0

    /// Reads from `fd` (not closed here) in chunks of `chunkSize` bytes.
    public init(fd: Int32, chunkSize: Int = 64 * 1024) {
        self.fd = fd
        buffer = [UInt8](repeating: 0, count: max(1, chunkSize))
    }

    /// The next record, or nil at the end of the file.
    public mutating func nextRecord() throws(Failure) -> CSVRecord? {
        while next == ready.count {
            if ended { return nil }
            ready.removeAll(keepingCapacity: true)
            next = 0
            let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .read(ReadError(errno: errno))
            }
            bytesRead += n
            do throws(CSVError) {
                if n == 0 {
                    ended = true
                    ready = try reader.finish()
                } else {
                    try reader.feed(buffer[0..<n], into: &ready)
                }
            } catch {
                throw .csv(error)
            }
        }
        defer { next += 1 }
        return ready[next]
    }
}
