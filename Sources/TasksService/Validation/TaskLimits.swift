public import ChatPanelRPC

/// Sizes a task's fields and task pages may have.
public enum TaskLimits {
    /// A title: required, at most ``titleLength`` characters.
    public static let title = TextRule(maxCharacters: titleLength, required: true)
    /// A description: at most ``textLength`` characters.
    public static let text = TextRule(maxCharacters: textLength)
    /// An order number: required when given, at most ``orderNumberLength`` characters.
    public static let orderNumber = TextRule(maxCharacters: orderNumberLength, required: true)

    /// Longest title, in characters.
    public static let titleLength = 250
    /// Longest description, in characters.
    public static let textLength = 5000
    /// Longest order number, in characters.
    public static let orderNumberLength = 64
    /// Tasks per page when the request names no size.
    public static let defaultPageSize = 20
    /// Most tasks per page.
    public static let maximumPageSize = 100
}
