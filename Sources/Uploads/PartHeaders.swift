/// The header lines of one part: syntax of a line, and what the lines together must say.
enum PartHeaders {
    /// Splits `Name: value`: the name a token right before the colon, the value without
    /// surrounding spaces and free of control bytes (UTF-8 is allowed: browsers send file names raw).
    static func field(_ line: ArraySlice<UInt8>) throws(MultipartError) -> (name: String, value: [UInt8]) {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
              line[line.startIndex..<colon].allSatisfy(\.isTokenByte)
        else { throw .malformedHeader }
        var value = line[(colon + 1)...]
        while let f = value.first, f == 0x20 || f == 0x09 { value = value.dropFirst() }
        while let l = value.last, l == 0x20 || l == 0x09 { value = value.dropLast() }
        guard value.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else { throw .invalidHeaderValue }
        return (String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased(), Array(value))
    }

    /// The part's head from its header fields (names lowercased).
    static func head(from fields: [(name: String, value: [UInt8])]) throws(MultipartError) -> MultipartPartHead {
        func only(_ name: String, _ display: String) throws(MultipartError) -> [UInt8]? {
            let values = fields.filter { $0.name == name }
            guard values.count <= 1 else { throw .duplicateHeader(display) }
            return values.first?.value
        }
        let disposition = try only("content-disposition", "Content-Disposition")
        let type = try only("content-type", "Content-Type")
        let encoding = try only("content-transfer-encoding", "Content-Transfer-Encoding")

        var declared: String?
        if let type {
            let media = String(decoding: type.prefix { $0 != UInt8(ascii: ";") }, as: UTF8.self)
                .trimmingSpaces().lowercased()
            if media.hasPrefix("multipart/") { throw .nestedMultipart }
            let halves = media.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
            if halves.count == 2, halves.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isTokenByte) }) { declared = media }
        }
        if let encoding {
            let e = String(decoding: encoding, as: UTF8.self).trimmingSpaces().lowercased()
            guard ["7bit", "8bit", "binary"].contains(e) else { throw .unsupportedTransferEncoding(e) }
        }
        guard let disposition else { throw .missingContentDisposition }
        guard let header = HeaderParameters(disposition, backslashEscapes: false), header.first == "form-data" else {
            throw .malformedContentDisposition
        }
        if header["filename*"] != nil { throw .encodedFilename }
        guard let name = header["name"] else { throw .malformedContentDisposition }
        let filename = header["filename"].map { $0.isEmpty ? "" : FilenameSanitizer.sanitise($0) }
        return MultipartPartHead(name: String(decoding: name, as: UTF8.self), filename: filename, declaredType: declared)
    }
}

extension String {
    /// Without leading and trailing spaces and tabs.
    func trimmingSpaces() -> String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s = s.dropFirst() }
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
