/// A metadata stripper fed a file chunk by chunk (JPEG, PNG, WebP, GIF): it appends what it keeps
/// of each chunk to the output, holding at most one segment, chunk or block of the file.
public protocol ChunkedStripper {
    associatedtype Failure: Error
    /// Takes the next bytes of the file and appends what is kept of them to `out`.
    mutating func feed(_ chunk: ArraySlice<UInt8>, into out: inout [UInt8]) throws(Failure)
}

extension ChunkedStripper {
    /// Takes the next bytes of the file (a whole array) and appends what is kept of them to `out`.
    public mutating func feed(_ chunk: [UInt8], into out: inout [UInt8]) throws(Failure) {
        try feed(chunk[...], into: &out)
    }
}
