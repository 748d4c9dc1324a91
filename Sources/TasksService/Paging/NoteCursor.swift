/// Where a page of a client's notes ended: the last note's creation time and id. The next
/// page lists notes strictly older, so notes written meanwhile (always newer) or deleted
/// never shift the pages that follow.
public struct NoteCursor: Sendable, Hashable {
    /// The client the listing is for.
    public let clientID: Int64
    /// The last listed note's creation time, UTC ms.
    public let createdAtMilliseconds: Int64
    /// The last listed note's id.
    public let noteID: Int64

    /// A cursor after a note.
    public init(clientID: Int64, createdAtMilliseconds: Int64, noteID: Int64) {
        self.clientID = clientID
        self.createdAtMilliseconds = createdAtMilliseconds
        self.noteID = noteID
    }

    private static let kind = "n1"

    /// The cursor a page token stands for; nil when the token is not one of ours.
    public init?(token: String) {
        guard let values = PageToken.decode(token, kind: Self.kind, count: 3) else { return nil }
        self.init(clientID: values[0], createdAtMilliseconds: values[1], noteID: values[2])
    }

    /// The opaque page token.
    public var token: String {
        PageToken.encode(kind: Self.kind, [clientID, createdAtMilliseconds, noteID])
    }
}
