import GRDB

/// What one read of the change feed found.
public struct ChangeFeedPage: Sendable {
    /// The changes after the position asked for, in order (at most the limit asked for).
    public var changes: [PanelChange]
    /// The newest position committed when the page was read (0: no change ever).
    public var head: Int64
    /// The positions after the one asked for are no longer held (pruned, or the database is
    /// older than the position: restored from a backup); `changes` is then empty.
    public var gap: Bool
}

extension SQLiteStore {
    /// Up to `limit` changes after `position` (0: from the oldest held), with the feed's head.
    public func changes(after position: Int64, limit: Int = 1_000) async throws -> ChangeFeedPage {
        try await read { db in
            let head = try Self.changeFeedHead(db)
            let oldest =
                try Int64.fetchOne(db, sql: "SELECT position FROM panel_change ORDER BY position LIMIT 1") ?? (head + 1)
            if position > head || position + 1 < oldest {
                return ChangeFeedPage(changes: [], head: head, gap: true)
            }
            let rows = try Row.fetchCursor(
                db.cachedStatement(
                    sql: """
                        SELECT position, widget, client_id, dialog_id, visitor_id, at_ms FROM panel_change
                        WHERE position > ? ORDER BY position LIMIT ?
                        """),
                arguments: [position, limit])
            var changes: [PanelChange] = []
            while let row = try rows.next() {
                // A widget name this binary does not know (written by a newer one) is skipped.
                guard let widget = PanelWidget(rawValue: row[1]) else { continue }
                changes.append(
                    PanelChange(position: row[0], widget: widget, clientID: row[2], dialogID: row[3], visitorID: row[4], atMs: row[5]))
            }
            return ChangeFeedPage(changes: changes, head: head, gap: false)
        }
    }

    /// The newest position committed (0: no change ever).
    public func changeFeedHead() async throws -> Int64 {
        try await read { db in try Self.changeFeedHead(db) }
    }

    private static func changeFeedHead(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT seq FROM sqlite_sequence WHERE name = 'panel_change'") ?? 0
    }

    /// Forgets the changes recorded before `cutoff` (UTC ms); returns how many. A watcher
    /// that asks for a position before them is told of the gap.
    @discardableResult
    public func pruneChanges(before cutoff: Int64) async throws -> Int {
        try await write { db in
            // Positions follow commit order, so the first change to keep bounds the delete.
            let keepFrom = try Int64.fetchOne(
                db, sql: "SELECT position FROM panel_change WHERE at_ms >= ? ORDER BY position LIMIT 1", arguments: [cutoff])
            if let keepFrom {
                try db.execute(sql: "DELETE FROM panel_change WHERE position < ?", arguments: [keepFrom])
            } else {
                try db.execute(sql: "DELETE FROM panel_change")
            }
            return db.changesCount
        }
    }
}
