public import ChatPanelProto
public import ChatPanelRPC

/// A dialog's contact data as the chat system reports it, validated.
public struct DialogContact: Sendable, Hashable {
    /// The chat system's dialog id.
    public var dialogID: String
    /// The channel.
    public var channel: String
    /// The login on the channel.
    public var externalLogin: String
    /// The name on the channel.
    public var displayName: String
    /// The phone, when the channel gives one.
    public var phone: PhoneNumber?
    /// The normalized email, or "".
    public var email: String

    /// Validates an `UpsertDialog` request, naming every bad field; a phone without `+` is read
    /// as dialled in `phoneRegion`.
    public init(validating request: ClientsV1.UpsertDialogRequest, phoneRegion: String) throws(RPCError) {
        var violations = FieldViolations()
        dialogID = violations.take(TextRule.dialogID.clean(request.dialogID), field: "dialog_id") ?? ""
        channel = violations.take(TextRule.channel.clean(request.channel), field: "channel") ?? ""
        externalLogin = violations.take(TextRule.contactText.clean(request.externalLogin), field: "external_login") ?? ""
        displayName = violations.take(TextRule.contactText.clean(request.displayName), field: "display_name") ?? ""
        phone =
            request.phone.trimmingWhitespace().isEmpty
            ? nil : violations.take(PhoneNumber.parse(request.phone, region: phoneRegion), field: "phone")
        email =
            request.email.trimmingWhitespace().isEmpty ? "" : violations.take(EmailAddress.normalize(request.email), field: "email") ?? ""
        try violations.throwIfAny()
    }
}

/// Name parts given to override the ones parsed from a dialog's display name; nil keeps the parsed one.
public struct NameOverrides: Sendable, Hashable {
    /// First name.
    public var first: String?
    /// Last name.
    public var last: String?
    /// Patronymic.
    public var patronymic: String?

    /// No overrides.
    public init() {}

    /// Validates the overrides of a `SaveClientFromDialog` request.
    public init(validating request: ClientsV1.SaveClientFromDialogRequest) throws(RPCError) {
        var violations = FieldViolations()
        if let value = request.firstName { first = violations.take(TextRule.personName.clean(value), field: "first_name") }
        if let value = request.lastName { last = violations.take(TextRule.personName.clean(value), field: "last_name") }
        if let value = request.patronymic { patronymic = violations.take(TextRule.personName.clean(value), field: "patronymic") }
        try violations.throwIfAny()
    }

    /// `parsed` with the overrides applied.
    public func applied(to parsed: PersonName) -> PersonName {
        PersonName(first: first ?? parsed.first, last: last ?? parsed.last, patronymic: patronymic ?? parsed.patronymic)
    }
}
