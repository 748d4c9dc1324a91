public import ChatPanelProto
import ChatPanelStore
import GRDB

extension InsightsStore {
    /// Moves every dialog link (and so the dialogs' messages), summary and page view of
    /// `from` to `to` (CLIENT-9), in one transaction, and records the merge (`client_move`):
    /// from then on a page view, a link or a read naming `from` is `to`'s. Repeating it moves
    /// what was written for `from` since; the counts are what this call moved.
    ///
    /// - Throws: FAILED_PRECONDITION when `from` was merged into another client than `to`, or
    ///   `to` was itself merged away.
    public func moveClientRecords(from: Int64, to: Int64, requestID: String) async throws -> InsightsV1.MoveClientRecordsResponse {
        try await database.idempotentWrite(requestID: requestID, method: InsightsV1.Insights.moveClientRecords.path) { db in
            try ClientMoves.record(from: from, to: to, at: database.now(), db)
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
    ///
    /// When the visit is asked for with no subject (no visitor, no client) the answer's visit
    /// is a `GetVisitResponse` with no visit, as for a visitor with no views.
    func panelDataNow(dialogID: String, visit: Bool, of subject: VisitSubject?, now: Int64, parser: UserAgentParser) throws
        -> InsightsV1.GetPanelDataResponseView
    {
        try database.readNow { db in
            var response = InsightsV1.GetPanelDataResponseView()
            if !dialogID.isEmpty { response.summary = try Self.encodedSummary(db, dialogID: dialogID) }
            if visit {
                var answer = InsightsV1.GetVisitResponse()
                answer.nowMs = now
                if let subject { answer = try Self.visit(db, subject, now: now, parser: parser) }
                response.visit = try answer.onePassBytes()
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
