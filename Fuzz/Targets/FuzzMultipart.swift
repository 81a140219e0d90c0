/// libFuzzer entry for the multipart parser (Sources/Uploads): `MultipartStreamParser`,
/// `MultipartParser`, `MultipartBoundary`, `PartHeaders`, `FilenameSanitizer`, `MultipartWriter`.
///
/// The input is a body for `boundary=XyZ`, or, when it starts with `CT:`, a Content-Type line
/// (up to the first LF) and then the body. Invariants, not only "no crash":
/// - fed whole, split in two at an input-chosen point, and byte by byte (inputs up to 400
///   bytes), the parser gives the same parts or the same error (chunk invariance);
/// - accepted parts respect every limit (count, field and file sizes, total); file names are
///   safe (no `/`, `\`, `"`, controls or bidi overrides, at most 120 scalars, sanitising again
///   changes nothing); no part declares a multipart type;
/// - writing the parts back with `MultipartWriter` and parsing again gives the same parts;
/// - what tight limits accept, the standard limits accept identically;
/// - every error has a message and a 4xx status.
/// The raw input (and each accepted part's body) also goes through `ContentSniffer` and the
/// JPEG and PNG strippers: they never crash; a stripped JPEG has no APPn but JFIF/ICC/Adobe, no
/// COM, ends at EOI, strips to itself again and still sniffs as JPEG; a stripped PNG keeps no
/// text/EXIF chunk and strips to itself again; so does a stripped WebP (no EXIF/XMP chunk) and a
/// stripped GIF; a stripped HEIC keeps its size and strips to itself again. The streaming forms
/// (`ContentSniffer.Stream`, each stripper's `Stream`, HEIC's `Zeroing`) fed the input in two
/// pieces cut at an input-chosen point, and byte by byte (inputs up to 400 bytes), give exactly
/// what the whole-buffer functions give: the same bytes, removals and errors.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzMultipart(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    var bytes = Array(UnsafeBufferPointer(start: data, count: size))
    var contentType = "multipart/form-data; boundary=XyZ"
    if bytes.starts(with: Array("CT:".utf8)), let lf = bytes.firstIndex(of: 0x0A) {
        contentType = String(decoding: bytes[3..<lf], as: UTF8.self)
        bytes = Array(bytes[(lf + 1)...])
    }
    let tight = MultipartLimits(maxParts: 4, maxHeaderBytes: 128, maxFieldBytes: 16, maxFileBytes: 64, maxTotalBytes: 512)
    let standard = MultipartOutcome(bytes, contentType: contentType, limits: .standard)
    let tightOutcome = MultipartOutcome(bytes, contentType: contentType, limits: tight)
    for (outcome, limits) in [(standard, MultipartLimits.standard), (tightOutcome, tight)] {
        checkOutcome(outcome, bytes: bytes, contentType: contentType, limits: limits)
        // Chunk invariance.
        if !bytes.isEmpty {
            let cut = Int(bytes[bytes.count / 2]) * bytes.count / 256
            let split = MultipartOutcome(bytes, contentType: contentType, limits: limits, splits: [cut])
            fuzzCheck(split == outcome, "split at \(cut) gave \(split), whole \(outcome): \(fuzzDescribe(bytes))")
        }
        if bytes.count <= 400, bytes.count > 1 {
            let single = MultipartOutcome(bytes, contentType: contentType, limits: limits, splits: Array(1..<bytes.count))
            fuzzCheck(single == outcome, "byte by byte gave \(single), whole \(outcome): \(fuzzDescribe(bytes))")
        }
    }
    checkContent(bytes)
    if case .parts(let parts) = standard { parts.forEach { checkContent($0.body) } }
    if case .parts = tightOutcome {
        fuzzCheck(tightOutcome == standard, "tight limits accepted what standard limits answered \(standard): \(fuzzDescribe(bytes))")
    }
    return 0
}

private func checkOutcome(_ outcome: MultipartOutcome, bytes: [UInt8], contentType: String, limits: MultipartLimits) {
    switch outcome {
    case .failure(let error):
        fuzzCheck(!error.message.isEmpty, "\(error) has no message")
        fuzzCheck((400...499).contains(error.status), "\(error) maps to \(error.status)")
    case .parts(let parts):
        fuzzCheck((1...limits.maxParts).contains(parts.count), "\(parts.count) parts: \(fuzzDescribe(bytes))")
        fuzzCheck(bytes.count <= limits.maxTotalBytes, "accepted \(bytes.count) bytes over the total limit")
        for part in parts {
            fuzzCheck(part.body.count <= (part.head.isFile ? limits.maxFileBytes : limits.maxFieldBytes), "part \(part.name) over its limit")
            fuzzCheck(!(part.head.declaredType ?? "").hasPrefix("multipart/"), "nested multipart accepted")
            if let name = part.head.filename, !name.isEmpty {
                fuzzCheck(name.unicodeScalars.count <= FilenameSanitizer.maxScalars, "file name too long: \(name)")
                fuzzCheck(!name.unicodeScalars.contains { "/\\\"".unicodeScalars.contains($0) || FilenameSanitizer.isDropped($0) }, "unsafe file name \(fuzzDescribe(Array(name.utf8)))")
                fuzzCheck(name != "." && name != "..", "file name \(name)")
                fuzzCheck(FilenameSanitizer.sanitise(Array(name.utf8)) == name, "sanitising \(name) again changes it")
            }
        }
        // Round trip through the writer (generous limits: the writer quotes what was unquoted).
        guard let boundary = try? MultipartBoundary(contentType: contentType) else {
            fuzzCheck(false, "parts from a Content-Type without a boundary: \(contentType)")
            return
        }
        let written = MultipartWriter.body(parts, boundary: boundary)
        let roomy = MultipartLimits(maxParts: limits.maxParts, maxHeaderBytes: 1 << 20, maxFieldBytes: limits.maxFieldBytes, maxFileBytes: limits.maxFileBytes, maxTotalBytes: 1 << 30)
        let again = MultipartOutcome(written, contentType: contentType, limits: roomy)
        fuzzCheck(again == outcome, "written back and parsed gives \(again), not \(outcome): \(fuzzDescribe(bytes)) -> \(fuzzDescribe(written))")
    }
}

/// One parse's answer, comparable across feeding strategies.
enum MultipartOutcome: Equatable, CustomStringConvertible {
    case parts([MultipartPart])
    case failure(MultipartError)

    init(_ bytes: [UInt8], contentType: String, limits: MultipartLimits, splits: [Int] = []) {
        do {
            var parser = try MultipartStreamParser(contentType: contentType, limits: limits)
            var collector = MultipartCollector()
            var start = 0
            for cut in splits + [bytes.count] where cut >= start {
                collector.add(try parser.feed(bytes[start..<cut]))
                start = cut
            }
            try parser.finish()
            self = .parts(collector.parts)
        } catch {
            self = .failure(error)
        }
    }

    var description: String {
        switch self {
        case .parts(let p): "parts(\(p.map { "\($0.name)|\($0.filename ?? "-")|\($0.head.declaredType ?? "-")|\($0.body.count)B" }))"
        case .failure(let e): "failure(\(e))"
        }
    }
}

private func checkContent(_ bytes: [UInt8]) {
    let sniffed = try? ContentSniffer.sniff(bytes)
    if let (jpeg, _) = try? JPEGMetadataStripper.stripReporting(bytes) {
        fuzzCheck(sniffed == .jpeg, "strippable JPEG sniffed as \(String(describing: sniffed))")
        guard let segments = try? JPEGMetadataStripper.segments(jpeg) else {
            fuzzCheck(false, "stripped JPEG does not walk: \(fuzzDescribe(bytes))")
            return
        }
        for (marker, segment) in segments where (0xE0...0xEF).contains(marker) || marker == 0xFE {
            let id = segment.dropFirst(4)
            let kept = (marker == 0xE0 && id.starts(with: Array("JFIF\0".utf8)))
                || (marker == 0xE2 && id.starts(with: Array("ICC_PROFILE\0".utf8))) || (marker == 0xEE && id.starts(with: Array("Adobe".utf8)))
            fuzzCheck(kept, "stripped JPEG keeps segment FF\(String(marker, radix: 16)): \(fuzzDescribe(bytes))")
        }
        fuzzCheck(jpeg.suffix(2) == [0xFF, 0xD9] && segments.map(\.bytes.count).reduce(0, +) == jpeg.count, "stripped JPEG does not end at EOI")
        fuzzCheck((try? JPEGMetadataStripper.strip(jpeg)) == jpeg, "stripping a stripped JPEG changes it: \(fuzzDescribe(bytes))")
    }
    if let (png, _) = try? PNGMetadataStripper.strip(bytes) {
        let again = try? PNGMetadataStripper.strip(png)
        fuzzCheck(again?.bytes == png && again?.removed == [], "stripping a stripped PNG changes it: \(fuzzDescribe(bytes))")
    }
    if let (webp, _) = try? WebPMetadataStripper.strip(bytes) {
        let again = try? WebPMetadataStripper.strip(webp)
        fuzzCheck(again?.bytes == webp && again?.removed == [], "stripping a stripped WebP changes it: \(fuzzDescribe(bytes))")
    }
    if let (gif, _) = try? GIFMetadataStripper.strip(bytes) {
        fuzzCheck(sniffed == .gif, "strippable GIF sniffed as \(String(describing: sniffed))")
        let again = try? GIFMetadataStripper.strip(gif)
        fuzzCheck(again?.bytes == gif && again?.removed == [], "stripping a stripped GIF changes it: \(fuzzDescribe(bytes))")
    }
    if let (heic, _) = try? HEICMetadataStripper.strip(bytes) {
        fuzzCheck(heic.count == bytes.count, "a stripped HEIC changed size: \(fuzzDescribe(bytes))")
        fuzzCheck((try? HEICMetadataStripper.strip(heic))?.bytes == heic, "stripping a stripped HEIC changes it: \(fuzzDescribe(bytes))")
    }
    checkStreams(bytes)
}

/// The streaming forms against the whole-buffer functions, for two ways of cutting the input.
private func checkStreams(_ bytes: [UInt8]) {
    var cuttings: [[ArraySlice<UInt8>]] = []
    let cut = bytes.isEmpty ? 0 : Int(bytes[bytes.count / 3]) * bytes.count / 256
    cuttings.append([bytes[..<cut], bytes[cut...]])
    if bytes.count <= 400 { cuttings.append(bytes.indices.map { bytes[$0...$0] }) }
    let sniffed = Result { () throws(RefusedContent) in try ContentSniffer.sniff(bytes) }
    let jpeg = outcome { () throws(JPEGError) in let r = try JPEGMetadataStripper.stripReporting(bytes); return (r.bytes, "\(r.removed)") }
    let png = outcome { () throws(PNGMetadataStripper.Failure) in let r = try PNGMetadataStripper.strip(bytes); return (r.bytes, "\(r.removed)") }
    let webp = outcome { () throws(WebPMetadataStripper.Failure) in let r = try WebPMetadataStripper.strip(bytes); return (r.bytes, "\(r.removed)") }
    let gif = outcome { () throws(GIFMetadataStripper.Failure) in let r = try GIFMetadataStripper.strip(bytes); return (r.bytes, "\(r.removed)") }
    let heic = outcome { () throws(HEICMetadataStripper.Failure) in let r = try HEICMetadataStripper.strip(bytes); return (r.bytes, "\(r.removed)") }
    for pieces in cuttings {
        let how = pieces.count == 2 ? "cut at \(cut)" : "byte by byte"
        var sniffer = ContentSniffer.Stream()
        pieces.forEach { sniffer.feed($0) }
        fuzzCheck(Result { () throws(RefusedContent) in try sniffer.finish() } == sniffed, "sniffing \(how) differs: \(fuzzDescribe(bytes))")
        fuzzCheck(jpeg == outcome { () throws(JPEGError) in
            var s = JPEGMetadataStripper.Stream(), out: [UInt8] = []
            for p in pieces { try s.feed(p, into: &out) }
            return (out, "\(try s.finish())")
        }, "JPEG stripping \(how) differs: \(fuzzDescribe(bytes))")
        fuzzCheck(png == outcome { () throws(PNGMetadataStripper.Failure) in
            var s = PNGMetadataStripper.Stream(), out: [UInt8] = []
            for p in pieces { try s.feed(p, into: &out) }
            return (out, "\(try s.finish())")
        }, "PNG stripping \(how) differs: \(fuzzDescribe(bytes))")
        fuzzCheck(webp == outcome { () throws(WebPMetadataStripper.Failure) in
            var s = WebPMetadataStripper.Stream(), out: [UInt8] = []
            for p in pieces { try s.feed(p, into: &out) }
            let (header, removed) = try s.finish()
            out.replaceSubrange(0..<12, with: header)
            return (out, "\(removed)")
        }, "WebP stripping \(how) differs: \(fuzzDescribe(bytes))")
        fuzzCheck(gif == outcome { () throws(GIFMetadataStripper.Failure) in
            var s = GIFMetadataStripper.Stream(), out: [UInt8] = []
            for p in pieces { try s.feed(p, into: &out) }
            return (out, "\(try s.finish())")
        }, "GIF stripping \(how) differs: \(fuzzDescribe(bytes))")
        fuzzCheck(heic == outcome { () throws(HEICMetadataStripper.Failure) in
            let plan = try HEICMetadataStripper.plan(front: bytes.prefix(HEICMetadataStripper.maxFrontBytes), fileSize: bytes.count)
            var zeroing = HEICMetadataStripper.Zeroing(plan.zeroed), out: [UInt8] = []
            for p in pieces {
                var chunk = p
                zeroing.apply(&chunk)
                out += chunk
            }
            return (out, "\(plan.removed)")
        }, "HEIC zeroing \(how) differs: \(fuzzDescribe(bytes))")
    }
}

/// A comparable answer: the bytes and what was removed, or the error.
private func outcome<E: Error>(_ body: () throws(E) -> ([UInt8], String)) -> String {
    do throws(E) {
        let (bytes, removed) = try body()
        return "\(bytes) \(removed)"
    } catch {
        return "error \(error)"
    }
}
