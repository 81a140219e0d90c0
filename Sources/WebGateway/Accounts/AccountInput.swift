import Domain

/// The fields of a new account as a person typed them, checked and tidied before the password is
/// hashed (registration, the admin's staff accounts; forms and API alike).
///
/// The gateway's check is the early one, for answers beside the field; the worker checks the
/// account again (a unique e-mail address is its to know: `conflict`).
struct AccountInput: Sendable, Equatable {
    var name: String
    var email: String
    var phone: String?
    var location: String?
    var password: String

    static let maxEmailLength = 254
    static let maxPhoneLength = 40

    /// The input trimmed (empty optional fields become nil, the e-mail address lower-cased), or
    /// the first refusal, naming its field. `confirmation` is checked when given (forms).
    func validated(confirmation: String? = nil) throws(Refusal) -> AccountInput {
        var out = self
        out.name = name.trimmingWhitespace()
        guard !out.name.isEmpty else { throw Refusal(.validation, "Please give your name.", field: "name") }
        guard out.name.count <= TextLimits.maxShortField else {
            throw Refusal(.validation, "Please use at most \(TextLimits.maxShortField) characters.", field: "name")
        }
        out.email = try Self.email(email)
        out.phone = phone.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        if let p = out.phone {
            guard p.count <= Self.maxPhoneLength, p.unicodeScalars.allSatisfy({ "0123456789+-()/. ".unicodeScalars.contains($0) }),
                  p.unicodeScalars.contains(where: { ("0"..."9").contains($0) }) else {
                throw Refusal(.validation, "Please give a phone number: digits, spaces and + - ( ) / . only, at most \(Self.maxPhoneLength).", field: "phone")
            }
        }
        out.location = location.map { $0.trimmingWhitespace() }.flatMap { $0.isEmpty ? nil : $0 }
        if let l = out.location, l.count > TextLimits.maxShortField {
            throw Refusal(.validation, "Please use at most \(TextLimits.maxShortField) characters.", field: "location")
        }
        try Self.checkNewPassword(password, confirmation: confirmation, field: "password", confirmationField: "password_confirmation")
        return out
    }

    /// The address trimmed and lower-cased, or a refusal: one `@` between a local part and a
    /// domain with a dot, no spaces, at most 254 characters. (Whether mail arrives is not checked.)
    static func email(_ raw: String) throws(Refusal) -> String {
        let e = Authentication.normalizedEmail(raw)
        guard !e.isEmpty else { throw Refusal(.validation, "Please give your e-mail address.", field: "email") }
        let parts = e.split(separator: "@", omittingEmptySubsequences: false)
        guard e.count <= maxEmailLength, parts.count == 2, !parts[0].isEmpty, parts[0].count <= 64,
              parts[1].contains("."), !parts[1].hasPrefix("."), !parts[1].hasSuffix("."),
              !e.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 || $0.value == 0x7F }) else {
            throw Refusal(.validation, "Please give an e-mail address such as name@example.org.", field: "email")
        }
        return e
    }

    /// A new password: 10 to 1,024 characters, and the same twice when a confirmation is given.
    static func checkNewPassword(_ password: String, confirmation: String?, field: String, confirmationField: String) throws(Refusal) {
        guard password.count >= AccountSettings.minimumPasswordLength else {
            throw Refusal(.validation, "Please choose a password of at least \(AccountSettings.minimumPasswordLength) characters.", field: field)
        }
        guard password.count <= AccountSettings.maximumPasswordLength else {
            throw Refusal(.validation, "Please choose a password of at most \(AccountSettings.maximumPasswordLength) characters.", field: field)
        }
        if let confirmation, confirmation != password {
            throw Refusal(.validation, "The two passwords are not the same.", field: confirmationField)
        }
    }

    /// The command's fields, with the password replaced by its hash.
    func fields(passwordHash: String) -> AccountFields {
        AccountFields(name: name, email: email, phone: phone, location: location, passwordHash: passwordHash)
    }
}

extension Role {
    /// A role named by its current name only (new input; `Role(rawValue:)` also reads the old names).
    static func named(_ raw: String) -> Role? { allCases.first { $0.rawValue == raw } }
}
