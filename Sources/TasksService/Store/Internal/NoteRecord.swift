import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

/// A `note` row as read from the database.
struct NoteRecord: Sendable {
    /// The columns, in the order ``init(row:)`` reads them.
    static let columns = "id, client_id, author_id, text, length, created_at_ms"

    /// The note's id.
    var id: Int64
    /// Its client.
    var clientID: Int64
    /// Who wrote it.
    var authorID: Int64
    /// The whole text.
    var text: String
    /// The text's length in characters.
    var length: Int64
    /// Written, UTC ms.
    var createdAt: Int64

    /// A record from a row of ``columns``.
    init(row: some PositionalValues) {
        id = row[0]
        clientID = row[1]
        authorID = row[2]
        text = row[3]
        length = row[4]
        createdAt = row[5]
    }

    /// A page of a client's notes, newest first, older than a cursor: one range of
    /// `note_by_client_newest`, read in order. Arguments: client, cursor time, cursor id, limit.
    static let pageSQL = """
        SELECT \(columns) FROM note
        WHERE client_id = ? AND (created_at_ms, id) < (?, ?)
        ORDER BY created_at_ms DESC, id DESC LIMIT ?
        """

    /// The row with this id, if any.
    static func fetch(_ db: Database, id: Int64) throws -> NoteRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM note WHERE id = ?"), arguments: [id]).map(NoteRecord.init(row:))
    }

    /// Where a page of `clientID`'s notes ending at this note ends (the client asked for, which
    /// may be a merged client's id the note's client holds the notes of).
    func cursor(clientID: Int64) -> NoteCursor {
        NoteCursor(clientID: clientID, createdAtMilliseconds: createdAt, noteID: id)
    }

    /// The wire form with the whole text, or with a preview of at most `previewLength` characters.
    func proto(previewLength: Int? = nil) -> TasksV1.Note {
        var note = TasksV1.Note()
        note.noteID = id
        note.clientID = clientID
        note.authorID = authorID
        note.createdAtMs = createdAt
        note.length = UInt32(clamping: length)
        if let previewLength, length > previewLength {
            (note.text, note.truncated) = TextRule.preview(of: text, length: previewLength)
        } else {
            // The stored length counts the text's characters: a text that fits needs no walk
            // over its grapheme clusters to learn so (for Cyrillic text, the most costly part
            // of a notes page).
            note.text = text
        }
        return note
    }
}
