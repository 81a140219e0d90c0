import Domain

/// The reporter's contact fields (e-mail, phone, best time to call), on the report and edit forms.
enum ContactFields {
    static func render(idPrefix: String, state: FormState, ticket: Ticket?, into b: inout HTMLBuffer) {
        Field.control(.email, name: "contact_email", label: "Contact e-mail", idPrefix: idPrefix, state: state,
                      value: ticket?.contactEmail, maxLength: AccountRules.maxEmail, into: &b)
        Field.control(.tel, name: "contact_phone", label: "Contact phone", idPrefix: idPrefix, state: state,
                      value: ticket?.contactPhone, maxLength: AccountRules.maxPhone, into: &b)
        Field.control(.text, name: "preferred_contact_time", label: "Best time to reach you", idPrefix: idPrefix, state: state,
                      value: ticket?.preferredContactTime, maxLength: TextLimits.maxShortField,
                      hint: "Days and hours, such as \u{201C}weekdays 09:00-12:00\u{201D} or \u{201C}mon,wed 14:00-16:00\u{201D}.", into: &b)
    }
}
