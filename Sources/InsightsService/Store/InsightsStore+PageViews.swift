public import ChatPanelProto
import ChatPanelStore
import ChatPanelRPC
import GRDB

extension InsightsStore {
    /// Stores the page views whose ids are new, in one transaction; the request must already
    /// be validated. Each view's location is resolved now by `locate` (so the IP address need
    /// not be kept); the address is stored only when `keepIP`.
    public func recordPageViews(
        _ views: [InsightsV1.PageView], locator: Locator, keepIP: Bool
    ) async throws -> InsightsV1.RecordPageViewsResponse {
        let located = views.map { view in view.ip.isEmpty ? InsightsV1.Location() : locator.locate(view.ip) }
        return try await database.write { db in
            var response = InsightsV1.RecordPageViewsResponse()
            let insert = try db.cachedStatement(
                sql: """
                    INSERT INTO page_view (view_id, visitor_id, dialog_id, client_id, url, title, referrer, user_agent, ip,
                        country_code, city, language, viewed_at_ms)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (view_id) DO NOTHING
                    """)
            var visitors: Set<VisitorKey> = []
            for (view, location) in zip(views, located) {
                try insert.execute(arguments: [
                    view.viewID, view.visitorID, view.dialogID, view.clientID == 0 ? nil : view.clientID, view.url, view.title,
                    view.referrer, view.userAgent, keepIP && !view.ip.isEmpty ? view.ip : nil, location.countryCode, location.city,
                    view.language, view.viewedAtMs,
                ])
                if db.changesCount == 0 {
                    response.alreadyKnown += 1
                } else {
                    response.recorded += 1
                    visitors.insert(VisitorKey(visitorID: view.visitorID, clientID: view.clientID, dialogID: view.dialogID))
                }
            }
            // The Visit widget of each visitor (by the visitor, its dialog or its client): one change each.
            for visitor in visitors {
                try db.recordChanges(
                    [.visit], clientID: visitor.clientID, dialogID: visitor.dialogID, visitorID: visitor.visitorID, at: database.now())
            }
            return response
        }
    }

    /// The visitor's (or client's) current visit at `now` (VISIT-2..6).
    public func visit(_ subject: VisitSubject, now: Int64, parser: UserAgentParser) async throws -> InsightsV1.GetVisitResponse {
        try await database.read { db in try Self.visit(db, subject, now: now, parser: parser) }
    }

    /// ``visit(_:now:parser:)`` inside a read transaction.
    static func visit(_ db: Database, _ subject: VisitSubject, now: Int64, parser: UserAgentParser) throws -> InsightsV1.GetVisitResponse {
        var response = InsightsV1.GetVisitResponse()
        response.nowMs = now
        let (column, key): (String, any DatabaseValueConvertible) =
            switch subject {
            case .visitor(let visitor): ("visitor_id", visitor)
            case .client(let client): ("client_id", client)
            }
        let times = try db.positionalValues(Int64.self, sql: "SELECT viewed_at_ms FROM page_view WHERE \(column) = ? ORDER BY viewed_at_ms", [key])
        guard let sessions = VisitSessions(times: times) else { return response }
        // The landing view gives the referrer, the device, the location and the UTM tags; the
        // pages listed are the newest ones, read alone (a long visit's others are not read).
        guard
            let landing = try db.positionalRow(
                sql: """
                    SELECT url, referrer, user_agent, country_code, city, language, viewed_at_ms FROM page_view
                    WHERE \(column) = ? AND viewed_at_ms >= ? ORDER BY viewed_at_ms, id LIMIT 1
                    """, [key, sessions.lastStartMs])
        else { return response }
        let newestFirst = try db.positionalRows(
            sql: """
                SELECT url, title, viewed_at_ms, visitor_id FROM page_view
                WHERE \(column) = ? AND viewed_at_ms >= ? ORDER BY viewed_at_ms DESC, id DESC LIMIT ?
                """, [key, sessions.lastStartMs, VisitSessions.maximumPages])
        response.visit = VisitSessions.visit(
            landing: PageViewRow(row: landing), pages: newestFirst.reversed().map(VisitPage.init(row:)), count: sessions.count, now: now,
            parser: parser)
        return response
    }
}

/// Whose visit: a site visitor's, or a client's (as any visitor known to be them).
public enum VisitSubject: Sendable, Hashable {
    /// The tracker's visitor id.
    case visitor(String)
    /// The client.
    case client(Int64)
}

/// Whose Visit widget a batch of page views changed.
private struct VisitorKey: Hashable {
    let visitorID: String
    let clientID: Int64
    let dialogID: String
}
