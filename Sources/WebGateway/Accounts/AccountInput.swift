import Domain

/// The fields of a new account as a person typed them, checked and tidied before the password is
/// hashed (registration, the admin's staff accounts; forms and API alike).
///
/// The gateway checks early, with the worker's own rules (`AccountRules`), for answers beside the
/// field; the worker checks the account again (a unique e-mail address is its to know: `conflict`).
/// Only the password is the gateway's alone: the worker sees its hash.
struct AccountInput: Sendable, Equatable {
    var name: String
    var email: String
    var phone: String?
    var location: String?
    var password: String

    static let maxEmailLength = AccountRules.maxEmail
    static let maxPhoneLength = AccountRules.maxPhone

    /// The input as the worker will store it (`AccountRules`: trimmed, the e-mail address
    /// lower-cased, empty optional fields nil), or the first refusal, naming its field; and a new
    /// password of the allowed length, the same twice when `confirmation` is given (forms).
    func validated(confirmation: String? = nil, counting: CommandValidation.Counting = .characters) throws(Refusal) -> AccountInput {
        if counting == .scalarsAsSent { try checkLengthsAsSent() }
        var out = self
        out.name = try AccountRules.name(name)
        out.email = try AccountRules.email(email)
        out.phone = try AccountRules.phone(phone)
        out.location = try TicketRules.shortField(location, field: "location")
        try Self.checkNewPassword(password, confirmation: confirmation, field: "password", confirmationField: "password_confirmation", counting: counting)
        return out
    }

    /// The API's limits as its document's `maxLength` counts them: code points of the text as
    /// sent. The rules count characters as people see them, and one of those may be many code
    /// points (a letter with combining marks), so a field the document refuses could pass them.
    private func checkLengthsAsSent() throws(Refusal) {
        let limits: [(String?, Int, String)] = [(name, AccountRules.maxName, "name"), (email, AccountRules.maxEmail, "email"),
                                                (phone, AccountRules.maxPhone, "phone"), (location, TextLimits.maxShortField, "location")]
        for (text, max, field) in limits where (text?.unicodeScalars.count ?? 0) > max {
            throw Refusal(.validation, "Please use at most \(max) characters.", field: field)
        }
    }

    /// A new password: 10 to 1,024 characters (as people see them in forms; code points in the
    /// API, as its document's `minLength` counts), and the same twice when a confirmation is given.
    static func checkNewPassword(_ password: String, confirmation: String?, field: String, confirmationField: String,
                                 counting: CommandValidation.Counting = .characters) throws(Refusal) {
        let length = counting == .characters ? password.count : password.unicodeScalars.count
        guard length >= AccountSettings.minimumPasswordLength else {
            throw Refusal(.validation, "Please choose a password of at least \(AccountSettings.minimumPasswordLength) characters.", field: field)
        }
        guard length <= AccountSettings.maximumPasswordLength else {
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
