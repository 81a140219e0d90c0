/// Writes parts as a `multipart/form-data` body: for test clients, benchmarks and the fuzz
/// target's round trip (`parse(write(parts)) == parts`).
public enum MultipartWriter {
    /// The body; names and file names are written quoted as browsers do (`"` as `%22`, CR and
    /// LF as `%0D`/`%0A`), so what the parser returns writes back unchanged.
    public static func body(_ parts: [MultipartPart], boundary: MultipartBoundary) -> [UInt8] {
        var out: [UInt8] = []
        for part in parts {
            out += Array("--".utf8) + boundary.bytes + [0x0D, 0x0A]
            var disposition = "Content-Disposition: form-data; name=\"\(quoted(part.head.name))\""
            if let filename = part.head.filename { disposition += "; filename=\"\(quoted(filename))\"" }
            out += Array(disposition.utf8) + [0x0D, 0x0A]
            if let type = part.head.declaredType { out += Array("Content-Type: \(type)".utf8) + [0x0D, 0x0A] }
            out += [0x0D, 0x0A] + part.body + [0x0D, 0x0A]
        }
        return out + Array("--".utf8) + boundary.bytes + Array("--\r\n".utf8)
    }

    /// The WHATWG form-data escaping of a name.
    static func quoted(_ s: String) -> String {
        var out = ""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "%22"
            case "\r": out += "%0D"
            case "\n": out += "%0A"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
