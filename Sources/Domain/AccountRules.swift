import Foundation

/// The rules every account field must pass, as pure functions (the ticket worker checks them on
/// `register_user`, `create_user`, `change_password` and `start_session`; the gateway and the CLI
/// may check the same ones early for a friendlier answer).
///
/// Each throws a `validation` `Refusal` naming the field, like `TicketRules`.
public enum AccountRules {
    /// A name: 1...200 characters after trimming.
    public static let maxName = 200
    /// An e-mail address: at most 254 characters (RFC 5321's path limit).
    public static let maxEmail = 254
    /// A phone number: at most 40 characters.
    public static let maxPhone = 40
    /// The shortest password the CLI and the gateway accept (the store only ever sees hashes).
    public static let minPasswordLength = 10
    /// The longest password accepted: hashing cost grows with it, and nobody types more.
    public static let maxPasswordLength = 1_024

    /// The fields of a new account, normalised: trimmed, the e-mail address lower-cased, empty
    /// optional fields as nil.
    public static func validate(_ fields: AccountFields) throws(Refusal) -> AccountFields {
        AccountFields(
            name: try name(fields.name), email: try email(fields.email), phone: try phone(fields.phone),
            location: try TicketRules.shortField(fields.location, field: "location"),
            passwordHash: try passwordHash(fields.passwordHash))
    }

    /// A person's name, trimmed, 1...200 characters.
    public static func name(_ text: String) throws(Refusal) -> String {
        let t = trimmed(text)
        guard !t.isEmpty else { throw Refusal(.validation, "Name is required.", field: "name") }
        guard t.count <= maxName else { throw Refusal(.validation, "Name is longer than \(maxName) characters.", field: "name") }
        return t
    }

    /// The form an address is stored and looked up in: trimmed and lower-cased.
    public static func normalizedEmail(_ text: String) -> String { trimmed(text).lowercased() }

    /// An e-mail address, normalised, of the simple shape `local@domain.tld`: one `@`, no white
    /// space or control characters, a domain of non-empty labels with a dot, a top label of two or
    /// more characters. (Deliverability is not checked; nothing here sends mail.)
    ///
    /// Lengths and label ends are counted in Unicode scalars of the text as sent (trimmed), before it
    /// is lower-cased: what JSON Schema's `pattern` and `maxLength` in the OpenAPI document count, so
    /// an address the document accepts is never refused here (a label ending in a combining mark is
    /// one character but two scalars; lower-casing "İ" makes two scalars of one).
    public static func email(_ text: String) throws(Refusal) -> String {
        let t = trimmed(text)
        guard !t.isEmpty else { throw Refusal(.validation, "E-mail address is required.", field: "email") }
        guard t.count <= maxEmail else { throw Refusal(.validation, "E-mail address is longer than \(maxEmail) characters.", field: "email") }
        let invalid = Refusal(.validation, "This is not an e-mail address (name@example.org).", field: "email")
        let scalars = Array(t.unicodeScalars)
        // White space as the document's `\s` means it (ECMAScript's set: U+FEFF in, U+0085 out).
        guard !scalars.contains(where: { isPatternSpace($0) || $0.value < 0x20 || $0.value == 0x7F || "<>()[],;:\\\"".unicodeScalars.contains($0) })
        else { throw invalid }
        let parts = scalars.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, (1...64).contains(parts[0].count) else { throw invalid }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2, labels.allSatisfy({ !$0.isEmpty && $0.first != "-" && $0.last != "-" }),
              let top = labels.last, top.count >= 2 else { throw invalid }
        return normalizedEmail(t)
    }

    /// An optional phone number: trimmed, empty means none, at most 40 characters of digits, spaces
    /// and `+ ( ) - . /`.
    public static func phone(_ text: String?) throws(Refusal) -> String? {
        guard let text else { return nil }
        let t = trimmed(text)
        guard !t.isEmpty else { return nil }
        guard t.count <= maxPhone else { throw Refusal(.validation, "Phone is longer than \(maxPhone) characters.", field: "phone") }
        guard t.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || " +()-./".unicodeScalars.contains($0) }) else {
            throw Refusal(.validation, "Phone may hold only digits, spaces and + ( ) - . /", field: "phone")
        }
        return t
    }

    /// A stored password hash as `PasswordHash` makes it: `pbkdf2-sha256$<iterations>$<salt>$<hash>`,
    /// base64 salt and hash. The store never sees a plain password; anything else is refused, so a
    /// client that forgot to hash cannot store a password in clear.
    public static func passwordHash(_ text: String) throws(Refusal) -> String {
        let refusal = Refusal(.validation, "The password hash is not in the pbkdf2-sha256 form.", field: "password_hash")
        let fields = text.split(separator: "$", omittingEmptySubsequences: false)
        guard text.utf8.count <= 256, fields.count == 4, fields[0] == "pbkdf2-sha256",
              let iterations = Int(fields[1]), iterations > 0, fields[1].first != "0",
              fields[1].utf8.allSatisfy({ (48...57).contains($0) }),
              fields[2...].allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy(isBase64) })
        else { throw refusal }
        return text
    }

    /// A session token's digest as `SessionToken.digest` makes it: 64 lower-case hex digits.
    public static func tokenDigest(_ text: String) throws(Refusal) -> String {
        guard text.utf8.count == 64, text.utf8.allSatisfy({ (48...57).contains($0) || (97...102).contains($0) }) else {
            throw Refusal(.validation, "The session token digest is not 64 lower-case hex digits.", field: "token_digest")
        }
        return text
    }

    private static func isBase64(_ byte: UInt8) -> Bool {
        (65...90).contains(byte) || (97...122).contains(byte) || (48...57).contains(byte) || byte == 43 || byte == 47 || byte == 61
    }

    /// ECMAScript's `\s`, which the OpenAPI document's patterns use.
    public static func isPatternSpace(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x09...0x0D, 0x20, 0xA0, 0x1680, 0x2000...0x200A, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    private static func trimmed(_ text: String) -> String { text.trimmingCharacters(in: .whitespacesAndNewlines) }
}
