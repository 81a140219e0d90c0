/// libFuzzer entry for `FormDecoding` (Sources/WebGateway/FormDecoding.swift): form bodies and
/// query strings.
///
/// Invariants, not only "no crash":
/// - a decoded form has at most `maxFields` fields, no more than it has `&`-separated pieces;
/// - re-encoding the decoded fields with `percentEncode` and decoding again gives them back
///   (the encoder and decoder agree), and the encoding is plain ASCII of unreserved bytes and
///   `%XX` escapes;
/// - `decode(a & b)` is `decode(a)` followed by `decode(b)` (fields are independent), and an
///   error in either half is an error of the whole;
/// - `decodeQuery` of the bytes as a string agrees with `decode`;
/// - `percentDecode(percentEncode(s)) == s` for the input read as text, with `+` either way;
/// - `trimmingWhitespace` leaves no whitespace at either end and is idempotent.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzFormDecoding(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let outcome = FormOutcome(bytes)

    if case .fields(let form) = outcome {
        let pieces = bytes.split(separator: UInt8(ascii: "&"), omittingEmptySubsequences: true).count
        fuzzCheck(form.fields.count <= FormDecoding.maxFields, "\(form.fields.count) fields over the limit")
        fuzzCheck(form.fields.count == pieces, "\(form.fields.count) fields from \(pieces) pieces: \(fuzzDescribe(bytes))")

        let encoded = form.fields.map { FormDecoding.percentEncode($0.name) + "=" + FormDecoding.percentEncode($0.value) }.joined(separator: "&")
        fuzzCheck(encoded.utf8.allSatisfy { $0.isUnreservedOrEscape }, "percentEncode produced a reserved byte: \(encoded)")
        let again = FormOutcome(Array(encoded.utf8))
        fuzzCheck(again == .fields(form), "re-encoded form decodes to \(again), not \(form): \(fuzzDescribe(bytes))")
        for field in form.fields {
            fuzzCheck(form[field.name] != nil, "subscript misses \(field.name)")
        }
    }

    // Split at an `&` chosen by the input: the halves decode independently.
    let amps = bytes.indices.filter { bytes[$0] == UInt8(ascii: "&") }
    if let last = bytes.last, !amps.isEmpty {
        let cut = amps[Int(last) % amps.count]
        let left = FormOutcome(Array(bytes[..<cut])), right = FormOutcome(Array(bytes[(cut + 1)...]))
        switch (left, right) {
        case (.fields(let a), .fields(let b)) where a.fields.count + b.fields.count <= FormDecoding.maxFields:
            fuzzCheck(outcome == .fields(FormFields(a.fields + b.fields)), "halves decode to \(a) + \(b), whole to \(outcome)")
        case (.fields, .fields):
            fuzzCheck(outcome == .failure(.tooManyFields), "halves over the field limit, whole gave \(outcome)")
        case (.failure, _), (_, .failure):
            guard case .failure = outcome else {
                fuzzCheck(false, "a half failed (\(left), \(right)) but the whole decoded: \(fuzzDescribe(bytes))")
                return 0
            }
        }
    }

    // The query path: the target's query is a String; for valid UTF-8 input it is the same bytes.
    if let text = String(validating: bytes, as: UTF8.self) {
        fuzzCheck(FormOutcome(query: text) == outcome, "decodeQuery disagrees with decode: \(fuzzDescribe(bytes))")
        for plus in [true, false] {
            let round = Result { () throws(FormDecodingError) in try FormDecoding.percentDecode(Array(FormDecoding.percentEncode(text).utf8), plusAsSpace: plus) }
            fuzzCheck(round == .success(text), "percentDecode(percentEncode(s)) gave \(round) for \(fuzzDescribe(bytes))")
        }
        let trimmed = text.trimmingWhitespace()
        fuzzCheck(trimmed.unicodeScalars.first.map { !$0.properties.isWhitespace } ?? true, "leading whitespace survived trimming")
        fuzzCheck(trimmed.unicodeScalars.last.map { !$0.properties.isWhitespace } ?? true, "trailing whitespace survived trimming")
        fuzzCheck(trimmed.trimmingWhitespace() == trimmed, "trimming is not idempotent")
    }
    return 0
}

/// One decode call's answer, comparable.
enum FormOutcome: Equatable, CustomStringConvertible {
    case fields(FormFields)
    case failure(FormDecodingError)

    init(_ bytes: [UInt8]) {
        do { self = .fields(try FormDecoding.decode(bytes)) } catch { self = .failure(error) }
    }

    init(query: String) {
        do { self = .fields(try FormDecoding.decodeQuery(query)) } catch { self = .failure(error) }
    }

    var description: String {
        switch self {
        case .fields(let f): "fields(\(f.fields.map { "\($0.name)=\($0.value)" }))"
        case .failure(let e): "failure(\(e))"
        }
    }
}

extension UInt8 {
    /// RFC 3986 §2.3 unreserved, or the `%`, hex digits and `=`/`&` the form encoding adds.
    var isUnreservedOrEscape: Bool {
        switch self {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
             UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "%"), UInt8(ascii: "="), UInt8(ascii: "&"):
            true
        default: false
        }
    }
}
