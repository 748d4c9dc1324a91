public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension InsightsStore {
    /// Stores the messages whose ids are new, in one transaction; the request must already be
    /// validated. A message id seen before is counted as already known and left as it was.
    public func appendMessages(_ messages: [InsightsV1.Message]) async throws -> InsightsV1.AppendMessagesResponse {
        try await database.write { db in
            var response = InsightsV1.AppendMessagesResponse()
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO message (message_id, dialog_id, direction, author, text, sent_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (message_id) DO NOTHING
                    """)
            let count = try db.cachedStatement(
                sql: """
                    INSERT INTO dialog (dialog_id, message_count) VALUES (?, 1)
                    ON CONFLICT (dialog_id) DO UPDATE SET message_count = message_count + 1
                    """)
            var changedDialogs: Set<String> = []
            for message in messages {
                try insert.execute(arguments: [
                    message.messageID, message.dialogID, message.direction.rawValue, message.author, message.text, message.sentAtMs,
                ])
                if db.changesCount == 0 {
                    response.alreadyKnown += 1
                } else {
                    response.appended += 1
                    try count.execute(arguments: [message.dialogID])
                    changedDialogs.insert(message.dialogID)
                }
            }
            // The Summary widget shows the dialog's message count beside its summary.
            for dialogID in changedDialogs.sorted() { try db.recordChanges([.summary], dialogID: dialogID, at: database.now()) }
            return response
        }
    }

    /// Links a dialog to a client (a merged client's id: the survivor); answers the client it
    /// was linked to before (0: none).
    public func linkDialog(_ dialogID: String, to clientID: Int64, requestID: String) async throws -> InsightsV1.LinkDialogResponse {
        try await database.idempotentWrite(requestID: requestID, method: InsightsV1.Insights.linkDialog.path) { db in
            let clientID = try ClientMoves.survivor(of: clientID, db)
            var response = InsightsV1.LinkDialogResponse()
            response.previousClientID =
                try Int64.fetchOne(db, sql: "SELECT client_id FROM dialog WHERE dialog_id = ?", arguments: [dialogID]) ?? 0
            try db.execute(
                sql: """
                    INSERT INTO dialog (dialog_id, client_id) VALUES (?, ?)
                    ON CONFLICT (dialog_id) DO UPDATE SET client_id = excluded.client_id
                    """,
                arguments: [dialogID, clientID])
            try db.execute(sql: "UPDATE summary SET client_id = ? WHERE dialog_id = ?", arguments: [clientID, dialogID])
            try db.recordChanges([.summary, .visit], dialogID: dialogID, at: database.now())
            return response
        }
    }

    /// The dialog's messages, newest first, `limit` at a time before `before` (nil: the newest).
    static func messagesNewestFirst(_ db: Database, dialogID: String, before: MessageCursor?, limit: Int) throws -> [StoredMessage] {
        let rows: [Row]
        if let before {
            rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, dialog_id, direction, author, text, sent_at_ms FROM message
                        WHERE dialog_id = ? AND (sent_at_ms, id) < (?, ?)
                        ORDER BY sent_at_ms DESC, id DESC LIMIT ?
                        """),
                arguments: [dialogID, before.sentAtMs, before.id, limit])
        } else {
            rows = try Row.fetchAll(
                db.cachedStatement(
                    sql: """
                        SELECT id, dialog_id, direction, author, text, sent_at_ms FROM message
                        WHERE dialog_id = ? ORDER BY sent_at_ms DESC, id DESC LIMIT ?
                        """),
                arguments: [dialogID, limit])
        }
        return rows.map(StoredMessage.init(row:))
    }

    /// The dialog's link and message count; nil when the service never heard of it.
    static func dialog(_ db: Database, id: String) throws -> (clientID: Int64?, messageCount: Int)? {
        guard let row = try db.positionalRow(sql: "SELECT client_id, message_count FROM dialog WHERE dialog_id = ?", [id])
        else { return nil }
        return (row[0], row[1])
    }
}
