public import ChatPanelRPC

/// The clients service's text fields, under the one ``ChatPanelRPC/TextRule`` (lengths in
/// characters as the user counts them, with a byte cap behind).
extension TextRule {
    /// First name, last name, patronymic.
    public static let personName = TextRule(maxCharacters: 200)
    /// A free-text address.
    public static let addressText = TextRule(maxCharacters: 1000)
    /// One part of an address (city, street, …).
    public static let addressPart = TextRule(maxCharacters: 200)
    /// A tag name.
    public static let tagName = TextRule(maxCharacters: 100, required: true)
    /// A search query (tags, fields).
    public static let query = TextRule(maxCharacters: 100)
    /// A dialog id from the chat system.
    public static let dialogID = TextRule(maxCharacters: 128, required: true)
    /// A channel name.
    public static let channel = TextRule(maxCharacters: 64, required: true)
    /// A contact's login or display name on a channel.
    public static let contactText = TextRule(maxCharacters: 255)
    /// A custom field's name.
    public static let fieldName = TextRule(maxCharacters: 100, required: true)
    /// A STRING custom field value.
    public static let fieldString = TextRule(maxCharacters: 255)
    /// A TEXT custom field value.
    public static let fieldText = TextRule(maxCharacters: 10_000, multiline: true)
    /// A product search query taken from a message fragment.
    public static let productQuery = TextRule(maxCharacters: 255, required: true)
}
