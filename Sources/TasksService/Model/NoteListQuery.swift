/// A page of a client's notes to list, validated.
public struct NoteListQuery: Sendable, Hashable {
    /// The client.
    public var clientID: Int64
    /// Notes per page.
    public var pageSize: Int
    /// Where the previous page ended; nil for the newest notes.
    public var after: NoteCursor?
    /// Longest preview, in characters.
    public var previewLength: Int

    /// A query from its parts.
    public init(clientID: Int64, pageSize: Int, after: NoteCursor? = nil, previewLength: Int) {
        self.clientID = clientID
        self.pageSize = pageSize
        self.after = after
        self.previewLength = previewLength
    }
}
