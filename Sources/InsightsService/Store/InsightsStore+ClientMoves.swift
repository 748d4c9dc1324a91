public import ChatPanelProto
import ChatPanelStore
import GRDB

extension InsightsStore {
    /// Moves every dialog link (and so the dialogs' messages), summary and page view of
    /// `from` to `to` (CLIENT-9), in one transaction. Repeating it moves what was written for
    /// `from` since; the counts are what this call moved.
    public func moveClientRecords(from: Int64, to: Int64, requestID: String) async throws -> InsightsV1.MoveClientRecordsResponse {
        try await database.idempotentWrite(requestID: requestID, method: InsightsV1.Insights.moveClientRecords.path) { db in
            var response = InsightsV1.MoveClientRecordsResponse()
            try db.execute(sql: "UPDATE dialog SET client_id = ? WHERE client_id = ?", arguments: [to, from])
            response.dialogsMoved = UInt32(db.changesCount)
            try db.execute(sql: "UPDATE summary SET client_id = ? WHERE client_id = ?", arguments: [to, from])
            response.summariesMoved = UInt32(db.changesCount)
            try db.execute(sql: "UPDATE page_view SET client_id = ? WHERE client_id = ?", arguments: [to, from])
            response.pageViewsMoved = UInt32(db.changesCount)
            // The visitors known as the merged client are the survivor from now on.
            try db.execute(sql: "UPDATE visitor_client SET client_id = ? WHERE client_id = ?", arguments: [to, from])
            for id in [from, to] {
                try VisitCount.recount(db, .client(id))
                try db.recordChanges([.summary, .visit], clientID: id, at: database.now())
            }
            return response
        }
    }

    /// The panel's Summary and Visit widgets in one snapshot.
    ///
    /// Read at once (``ChatPanelStore/SQLiteStore/readNow(_:)``), for the handler that answers
    /// inside the read of its request.
    func panelDataNow(dialogID: String, visit subject: VisitSubject?, now: Int64, parser: UserAgentParser) throws
        -> InsightsV1.GetPanelDataResponseView
    {
        try database.readNow { db in
            var response = InsightsV1.GetPanelDataResponseView()
            if !dialogID.isEmpty { response.summary = try Self.encodedSummary(db, dialogID: dialogID) }
            if let subject {
                response.visit = try Self.visit(db, subject, now: now, parser: parser).serializedBytes()
            }
            return response
        }
    }

    /// Forgets the IP addresses of page views older than `cutoff` (UTC ms), `batch` rows per
    /// transaction; returns how many.
    @discardableResult
    public func forgetIPAddresses(viewedBefore cutoff: Int64, batch: Int = 5_000) async throws -> Int {
        var total = 0
        while true {
            let changed = try await database.write { db in
                try db.execute(
                    sql: """
                        UPDATE page_view SET ip = NULL WHERE id IN (
                            SELECT id FROM page_view WHERE ip IS NOT NULL AND viewed_at_ms < ? LIMIT ?)
                        """,
                    arguments: [cutoff, batch])
                return db.changesCount
            }
            total += changed
            if changed < batch { return total }
        }
    }
}
