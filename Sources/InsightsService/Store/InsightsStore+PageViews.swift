public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB

extension InsightsStore {
    /// Stores the page views whose ids are new, in one transaction; the request must already
    /// be validated. Each view's location is resolved now by `locate` (so the IP address need
    /// not be kept); the address is stored only when `keepIP`.
    ///
    /// A view naming a client merged into another (MoveClientRecords) is the survivor's, as if
    /// it named the survivor.
    ///
    /// A visitor once seen as a client (a view naming the client) stays known as that client
    /// (`visitor_client`): its views that name no client are the client's, those recorded
    /// before (its visit before it logged in: the landing page, its tags, its place) and those
    /// after, so that the client's visit is the visitor's. A view naming another client later
    /// makes the visitor that client's from then on.
    public func recordPageViews(
        _ views: [InsightsV1.PageView], locator: Locator, keepIP: Bool
    ) async throws -> InsightsV1.RecordPageViewsResponse {
        let located = views.map { view in view.ip.isEmpty ? InsightsV1.Location() : locator.locate(view.ip) }
        return try await database.write { db in
            var response = InsightsV1.RecordPageViewsResponse()
            var visitors: Set<VisitorKey> = []
            var newViews: [VisitSubject: [Int64]] = [:]
            // The client each visitor of the batch is known as (0: none), read once.
            var knownAs: [String: Int64] = [:]
            func client(of visitor: String) throws -> Int64 {
                if let client = knownAs[visitor] { return client }
                let client: Int64 = try db.positionalRow(sql: "SELECT client_id FROM visitor_client WHERE visitor_id = ?", [visitor])?[0] ?? 0
                knownAs[visitor] = client
                return client
            }
            // The client each client id of the batch names: the survivor of a merged client, read once.
            var survivors: [Int64: Int64] = [:]
            func survivor(of named: Int64) throws -> Int64 {
                if let survivor = survivors[named] { return survivor }
                let survivor = try ClientMoves.survivor(of: named, db)
                survivors[named] = survivor
                return survivor
            }
            // Clients whose views a visitor's earlier views joined: counted again from every view.
            var recount: Set<Int64> = []
            for (view, location) in zip(views, located) {
                let utm = VisitSessions.utmTags(of: view.url)
                let named = try survivor(of: view.clientID)
                let clientID = named != 0 ? named : try client(of: view.visitorID)
                try db.positionalExecute(
                    sql: """
                        INSERT INTO page_view (view_id, visitor_id, dialog_id, client_id, url, title, referrer, user_agent, ip,
                            country_code, city, language, viewed_at_ms, utm_source, utm_medium, utm_campaign, utm_term, utm_content)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (view_id) DO NOTHING
                        """,
                    [
                        view.viewID, view.visitorID, view.dialogID, clientID == 0 ? nil : clientID, view.url, view.title,
                        view.referrer, view.userAgent, keepIP && !view.ip.isEmpty ? view.ip : nil, location.countryCode, location.city,
                        view.language, view.viewedAtMs, utm.source, utm.medium, utm.campaign, utm.term, utm.content,
                    ])
                if db.changesCount == 0 {
                    response.alreadyKnown += 1
                    continue
                }
                response.recorded += 1
                visitors.insert(VisitorKey(visitorID: view.visitorID, clientID: clientID, dialogID: view.dialogID))
                newViews[.visitor(view.visitorID), default: []].append(view.viewedAtMs)
                if clientID != 0 { newViews[.client(clientID), default: []].append(view.viewedAtMs) }
                if named != 0, try client(of: view.visitorID) != named {
                    try db.positionalExecute(
                        sql: """
                            INSERT INTO visitor_client (visitor_id, client_id) VALUES (?1, ?2)
                            ON CONFLICT (visitor_id) DO UPDATE SET client_id = ?2
                            """, [view.visitorID, named])
                    knownAs[view.visitorID] = named
                    try db.positionalExecute(
                        sql: "UPDATE page_view SET client_id = ? WHERE visitor_id = ? AND client_id IS NULL", [named, view.visitorID])
                    if db.changesCount > 0 { recount.insert(named) }
                }
            }
            for (subject, times) in newViews {
                if case .client(let id) = subject, recount.contains(id) { continue }
                try Self.count(times, of: subject, db)
            }
            for id in recount.sorted() { try VisitCount.recount(db, .client(id)) }
            // The Visit widget of each visitor (by the visitor, its dialog or its client): one change each.
            for visitor in visitors {
                try db.recordChanges(
                    [.visit], clientID: visitor.clientID, dialogID: visitor.dialogID, visitorID: visitor.visitorID, at: database.now())
            }
            return response
        }
    }

    /// The visitor's (or client's) current visit at `now` (VISIT-2..6). A merged client's id
    /// reads the survivor's visit.
    public func visit(_ subject: VisitSubject, now: Int64, parser: UserAgentParser) async throws -> InsightsV1.GetVisitResponse {
        try await database.read { db in try Self.visit(db, subject, now: now, parser: parser) }
    }

    /// ``visit(_:now:parser:)`` inside a read transaction.
    static func visit(_ db: Database, _ subject: VisitSubject, now: Int64, parser: UserAgentParser) throws -> InsightsV1.GetVisitResponse {
        let subject = try subject.resolved(db)
        var response = InsightsV1.GetVisitResponse()
        response.nowMs = now
        // The subject's count and the landing view, in one statement. The landing view gives
        // the referrer, the device, the location and the UTM tags; the pages listed are the
        // newest ones, read alone (a long visit's others are not read).
        guard let landing = try db.positionalRow(sql: subject.landingSQL, [subject.value, subject.countKey]) else { return response }
        let visits: Int64 = landing[12]
        let lastStartMs: Int64 = landing[13]
        // Each row made a page as it comes, newest first, while the pages' addresses and titles
        // fit their share of the answer; the visitor is the newest view's (the first row).
        var pages: [InsightsV1.Page] = []
        var pageBytes = 0
        var full = false
        var visitorID = ""
        try db.forEachPositionalRow(sql: subject.pagesSQL, [subject.value, lastStartMs, VisitSessions.maximumPages]) { row in
            guard !full else { return }
            var page = InsightsV1.Page()
            page.url = row[0]
            page.title = row[1]
            page.viewedAtMs = row[2]
            let bytes = page.url.utf8.count + page.title.utf8.count
            if !pages.isEmpty, pageBytes + bytes > VisitSessions.maximumPageBytes {
                full = true
                return
            }
            if pages.isEmpty { visitorID = row[3] }
            pageBytes += bytes
            pages.append(page)
        }
        pages.reverse()
        // The older views not listed, counted only when some may be left out.
        var leftOut = 0
        if full || pages.count == VisitSessions.maximumPages {
            let views: Int = try db.positionalRow(sql: subject.viewCountSQL, [subject.value, lastStartMs])?[0] ?? pages.count
            leftOut = max(0, views - pages.count)
        }
        response.visit = VisitSessions.visit(
            landing: PageViewRow(row: landing), pages: pages, pagesLeftOut: leftOut, visitorID: visitorID, count: Int(visits), now: now,
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

    /// The `page_view` column that names the subject, and its value there.
    var column: String {
        switch self {
        case .visitor: "visitor_id"
        case .client: "client_id"
        }
    }

    var value: any DatabaseValueConvertible & Sendable {
        switch self {
        case .visitor(let visitor): visitor
        case .client(let client): client
        }
    }

    /// The subject's key in `visit_count`.
    var countKey: String {
        switch self {
        case .visitor(let visitor): "visitor:" + visitor
        case .client(let client): "client:\(client)"
        }
    }

    /// The first view of the last visit (`value`, ``countKey``): what ``PageViewRow/init(row:)``
    /// reads, then the subject's visits and the last one's start (`visit_count`); no row when
    /// the subject has no views.
    var landingSQL: String {
        switch self {
        case .visitor: Self.landingByVisitor
        case .client: Self.landingByClient
        }
    }

    /// The newest views of the last visit (`value`, its start, how many): `url, title,
    /// viewed_at_ms, visitor_id`.
    var pagesSQL: String {
        switch self {
        case .visitor: Self.pagesByVisitor
        case .client: Self.pagesByClient
        }
    }

    /// How many views the last visit has (`value`, its start).
    var viewCountSQL: String {
        switch self {
        case .visitor: Self.viewCountByVisitor
        case .client: Self.viewCountByClient
        }
    }

    private static let landingByVisitor = landing("visitor_id")
    private static let landingByClient = landing("client_id")
    private static let pagesByVisitor = pages("visitor_id")
    private static let pagesByClient = pages("client_id")
    private static let viewCountByVisitor = viewCount("visitor_id")
    private static let viewCountByClient = viewCount("client_id")

    private static func landing(_ column: String) -> String {
        """
        SELECT p.url, p.referrer, p.user_agent, p.country_code, p.city, p.language, p.viewed_at_ms,
            p.utm_source, p.utm_medium, p.utm_campaign, p.utm_term, p.utm_content, c.visits, c.last_start_ms
        FROM visit_count c JOIN page_view p ON p.\(column) = ?1 AND p.viewed_at_ms >= c.last_start_ms
        WHERE c.subject = ?2 ORDER BY p.viewed_at_ms, p.id LIMIT 1
        """
    }

    private static func viewCount(_ column: String) -> String {
        "SELECT count(*) FROM page_view WHERE \(column) = ? AND viewed_at_ms >= ?"
    }

    private static func pages(_ column: String) -> String {
        """
        SELECT url, title, viewed_at_ms, visitor_id FROM page_view
        WHERE \(column) = ? AND viewed_at_ms >= ? ORDER BY viewed_at_ms DESC, id DESC LIMIT ?
        """
    }
}

extension InsightsStore {
    /// Counts new views of `subject` at `times` into its `visit_count` row: one after the
    /// other when they come after the last visit's start (as a tracker sends them), else again
    /// from every view of the subject.
    static func count(_ times: [Int64], of subject: VisitSubject, _ db: Database) throws {
        let times = times.sorted()
        var count = try VisitCount.fetch(db, subject) ?? VisitCount(first: times[0])
        for time in times where !count.add(time) { return try VisitCount.recount(db, subject) }
        try count.save(db, subject)
    }
}

/// Whose Visit widget a batch of page views changed.
private struct VisitorKey: Hashable {
    let visitorID: String
    let clientID: Int64
    let dialogID: String
}
