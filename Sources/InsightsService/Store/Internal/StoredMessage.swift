import GRDB

/// A message as the store keeps it.
struct StoredMessage: Sendable, Hashable {
    /// The row id (orders messages sent in the same millisecond).
    let id: Int64
    /// The dialog.
    let dialogID: String
    /// From the customer (true) or the shop (false).
    let isIncoming: Bool
    /// Who wrote it.
    let author: String
    /// What it says.
    let text: String
    /// When it was sent, UTC ms.
    let sentAtMs: Int64

    /// A message made in memory (the summarizer's tests and the budget's).
    init(id: Int64, dialogID: String = "", isIncoming: Bool, author: String, text: String, sentAtMs: Int64) {
        self.id = id
        self.dialogID = dialogID
        self.isIncoming = isIncoming
        self.author = author
        self.text = text
        self.sentAtMs = sentAtMs
    }

    /// From a row of `id, dialog_id, direction, author, text, sent_at_ms`.
    init(row: Row) {
        self.init(id: row[0], dialogID: row[1], isIncoming: (row[2] as Int64) == 1, author: row[3], text: row[4], sentAtMs: row[5])
    }

    /// Where it stands in the dialog's order.
    var cursor: MessageCursor { MessageCursor(sentAtMs: sentAtMs, id: id) }

    /// The message as one line of the conversation a summarizer reads: "author: text".
    var line: String {
        let who = author.isEmpty ? (isIncoming ? "Client" : "Manager") : author
        return "\(who): \(text)"
    }
}

/// A position in a dialog's messages: (sent at, row id).
struct MessageCursor: Sendable, Hashable {
    let sentAtMs: Int64
    let id: Int64
}
