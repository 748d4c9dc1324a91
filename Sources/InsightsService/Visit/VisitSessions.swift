import ChatPanelProto
import ChatPanelStore
import Foundation
import GRDB

/// The view a visit landed on: where it came from, the device and the place.
struct PageViewRow: Sendable {
    let url: String
    let referrer: String
    let userAgent: String
    let countryCode: String
    let city: String
    let language: String
    let viewedAtMs: Int64
    /// Its address's utm_* tags.
    let utm: InsightsV1.UtmTags

    /// From a row of `url, referrer, user_agent, country_code, city, language, viewed_at_ms,
    /// utm_source, utm_medium, utm_campaign, utm_term, utm_content`: the tags as recorded, or
    /// read from the address for a view recorded before they were (NULL).
    init(row: some PositionalValues) {
        url = row[0]
        referrer = row[1]
        userAgent = row[2]
        countryCode = row[3]
        city = row[4]
        language = row[5]
        viewedAtMs = row[6]
        if let source: String = row[7] {
            var utm = InsightsV1.UtmTags()
            utm.source = source
            utm.medium = row[8] ?? ""
            utm.campaign = row[9] ?? ""
            utm.term = row[10] ?? ""
            utm.content = row[11] ?? ""
            self.utm = utm
        } else {
            utm = VisitSessions.utmTags(of: url)
        }
    }
}

/// How many visits a visitor's (or a client's) page views make, and where the last one starts:
/// kept in `visit_count` as views are recorded, so that a panel reads one row instead of every
/// view's time (a visitor with thousands of views read them all on each panel).
struct VisitCount: Sendable, Equatable {
    /// The visits.
    var visits: Int64
    /// When the last visit started, and the newest view.
    var lastStartMs: Int64
    var lastViewMs: Int64

    /// The count of one view at `time`.
    init(first time: Int64) {
        visits = 1
        lastStartMs = time
        lastViewMs = time
    }

    init(visits: Int64, lastStartMs: Int64, lastViewMs: Int64) {
        self.visits = visits
        self.lastStartMs = lastStartMs
        self.lastViewMs = lastViewMs
    }

    /// Counts a new view at `time`. False when the count cannot tell without the other views: a
    /// view before the last visit's start may join two visits or add one between them (the
    /// caller counts again from every view). A view inside the last visit changes nothing.
    mutating func add(_ time: Int64) -> Bool {
        guard time >= lastViewMs else { return time >= lastStartMs }
        if time - lastViewMs > VisitSessions.inactivityMs {
            visits += 1
            lastStartMs = time
        }
        lastViewMs = time
        return true
    }

    /// The count of `subject`, or nil when it has no views.
    static func fetch(_ db: Database, _ subject: VisitSubject) throws -> VisitCount? {
        try db.positionalRow(
            sql: "SELECT visits, last_start_ms, last_view_ms FROM visit_count WHERE subject = ?", [subject.countKey]
        ).map { VisitCount(visits: $0[0], lastStartMs: $0[1], lastViewMs: $0[2]) }
    }

    /// Stores the count of `subject`.
    func save(_ db: Database, _ subject: VisitSubject) throws {
        try db.positionalExecute(
            sql: """
                INSERT INTO visit_count (subject, visits, last_start_ms, last_view_ms) VALUES (?1, ?2, ?3, ?4)
                ON CONFLICT (subject) DO UPDATE SET visits = ?2, last_start_ms = ?3, last_view_ms = ?4
                """, [subject.countKey, visits, lastStartMs, lastViewMs])
    }

    /// Counts `subject`'s visits again from every one of its views, and stores the count (or
    /// removes it when there are none): for views that came late, and for a client whose
    /// views a merge moved. One pass over the subject's index in SQLite.
    static func recount(_ db: Database, _ subject: VisitSubject) throws {
        let count = try db.positionalRow(
            sql: """
                SELECT count(start), max(start), max(viewed_at_ms) FROM (
                    SELECT viewed_at_ms, CASE WHEN viewed_at_ms - lag(viewed_at_ms) OVER (ORDER BY viewed_at_ms) <= ?
                        THEN NULL ELSE viewed_at_ms END AS start
                    FROM page_view WHERE \(subject.column) = ?)
                """, [VisitSessions.inactivityMs, subject.value]
        ).flatMap { row -> VisitCount? in
            let visits: Int64 = row[0]
            guard visits > 0 else { return nil }
            return VisitCount(visits: visits, lastStartMs: row[1], lastViewMs: row[2])
        }
        if let count {
            try count.save(db, subject)
        } else {
            try db.positionalExecute(sql: "DELETE FROM visit_count WHERE subject = ?", [subject.countKey])
        }
    }
}

/// Page views split into visits: a visit is a run of views with no gap longer than 30 minutes
/// between them (a view exactly 30 minutes after the one before is in the same visit), whatever
/// the calendar says: a visit across midnight is one visit.
enum VisitSessions {
    /// The longest gap inside a visit: a view more than this after the one before starts a visit.
    static let inactivityMs: Int64 = 30 * 60 * 1000
    /// Most pages a visit lists (the newest ones when it has more).
    static let maximumPages = 500
    /// Most bytes of addresses and titles a visit lists (the newest pages that fit; the newest
    /// one always): 500 pages of 2 000-character addresses and 500-character titles made an
    /// answer above the 1 MiB a frame may carry, and the panel carries it beside other widgets.
    static let maximumPageBytes = 256 * 1024

    /// The `count`-th visit at `now`: it landed on `first`, and `pages` are its newest views
    /// (at most ``maximumPages`` and ``maximumPageBytes``), oldest first, the newest one by
    /// `visitorID`; `pagesLeftOut` older views of it are not listed.
    static func visit(
        landing first: PageViewRow, pages: [InsightsV1.Page], pagesLeftOut: Int, visitorID: String, count: Int, now: Int64,
        parser: UserAgentParser
    ) -> InsightsV1.Visit? {
        guard let last = pages.last else { return nil }
        var visit = InsightsV1.Visit()
        visit.pages = pages
        visit.pagesLeftOut = UInt32(clamping: pagesLeftOut)
        visit.currentPage = pages.last
        visit.startedAtMs = first.viewedAtMs
        visit.endedAtMs = last.viewedAtMs
        visit.durationMs = last.viewedAtMs - first.viewedAtMs
        visit.onSiteNow = now - last.viewedAtMs < inactivityMs
        visit.visitCount = UInt32(count)
        visit.visitorID = visitorID
        visit.referrer = first.referrer

        let agent = parser.parse(first.userAgent)
        var device = InsightsV1.Device()
        device.browser = agent.browser
        device.browserVersion = ParsedAgent.joined(agent.browserVersion)
        device.os = agent.os
        device.osVersion = ParsedAgent.joined(agent.osVersion)
        device.language = first.language
        visit.device = device

        var location = InsightsV1.Location()
        location.countryCode = first.countryCode
        location.city = first.city
        visit.location = location
        visit.utm = first.utm
        return visit
    }

    /// The utm_* parameters of an address's query (VISIT-6), read as a form's query
    /// (application/x-www-form-urlencoded): '+' is a space, then %XX escapes are decoded
    /// (`%2B` is a '+'); a tag's name in any case; the last of a repeated tag wins. A value
    /// that does not decode to text (a bad escape, bytes that are not UTF-8) or that holds
    /// U+0000 (`%00`) is dropped: the tag is left empty, the others are kept.
    static func utmTags(of url: String) -> InsightsV1.UtmTags {
        var tags = InsightsV1.UtmTags()
        // An address without a query has no tags: not parsed (most of a visit's views).
        guard url.utf8.contains(UInt8(ascii: "?")), let query = URLComponents(string: url)?.percentEncodedQuery else { return tags }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let name = formDecoded(parts[0])?.lowercased(), name.hasPrefix("utm_") else { continue }
            let value = parts.count > 1 ? formDecoded(parts[1]) ?? "" : ""
            switch name {
            case "utm_source": tags.source = value
            case "utm_medium": tags.medium = value
            case "utm_campaign": tags.campaign = value
            case "utm_term": tags.term = value
            case "utm_content": tags.content = value
            default: break
            }
        }
        return tags
    }

    /// A query's name or value decoded as a form encodes it; nil when it does not decode to
    /// text or holds U+0000.
    static func formDecoded(_ encoded: Substring) -> String? {
        let spaced = encoded.contains("+") ? encoded.replacingOccurrences(of: "+", with: " ") : String(encoded)
        guard let decoded = spaced.removingPercentEncoding, !decoded.utf8.contains(0) else { return nil }
        return decoded
    }
}
