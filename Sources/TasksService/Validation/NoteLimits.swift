public import ChatPanelRPC

/// Sizes a note and note pages may have (NOTE-1, NOTE-2, NOTE-3).
public enum NoteLimits {
    /// A note's text: required, at most ``textLength`` characters.
    public static let text = TextRule(maxCharacters: textLength, required: true)

    /// Longest note, in characters (NOTE-1).
    public static let textLength = 2000
    /// Notes on the first page when the request names no size (NOTE-2).
    public static let firstPageSize = 5
    /// Notes on each further page when the request names no size (NOTE-2).
    public static let nextPageSize = 3
    /// Most notes per page.
    public static let maximumPageSize = 50
    /// Preview length when the request names none, in characters (NOTE-3).
    public static let defaultPreviewLength = 300
}
