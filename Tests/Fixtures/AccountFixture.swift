import Domain

/// Accounts for store and worker tests: well-formed fields and the commands that make them.
///
/// The hashes are of the right form only (`AccountRules.passwordHash`); no password matches them,
/// which these tests never need (checking passwords is the gateway's and the CLI's part).
public enum AccountFixture {
    /// A well-formed `pbkdf2-sha256` hash (salt and hash of zero bytes).
    public static let hash = "pbkdf2-sha256$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
    /// Another one, for password changes.
    public static let otherHash = "pbkdf2-sha256$2$AQEBAQEBAQEBAQEBAQEBAQ==$AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE="

    /// The fields of an account called `name` at `<name>@campus.example`.
    public static func fields(_ name: String, email: String? = nil, phone: String? = nil, location: String? = nil) -> AccountFields {
        AccountFields(name: name, email: email ?? "\(name.lowercased())@campus.example", phone: phone, location: location, passwordHash: hash)
    }

    /// `create_user` sent by the operator (role admin, no account), as `campusdesk users add` does.
    public static func operatorCreates(_ name: String, _ role: Role, email: String? = nil) -> Command {
        Command(role: .admin, action: .createUser(CreateUser(account: fields(name, email: email), role: role)))
    }

    /// A session token digest (64 lower-case hex digits) made from a small number.
    public static func digest(_ n: Int) -> String {
        let hex = String(n, radix: 16)
        return String(repeating: "0", count: 64 - hex.count) + hex
    }
}
