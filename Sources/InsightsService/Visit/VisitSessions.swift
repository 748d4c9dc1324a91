import ChatPanelProto
import ChatPanelStore
import Foundation
import GRDB

/// A page the visit lists.
struct VisitPage: Sendable {
    let url: String
    let title: String
    let viewedAtMs: Int64
    let visitorID: String

    /// From a row of `url, title, viewed_at_ms, visitor_id`.
    init(row: some PositionalValues) {
        url = row[0]
        title = row[1]
        viewedAtMs = row[2]
        visitorID = row[3]
    }
}

/// The view a visit landed on: where it came from, the device and the place.
struct PageViewRow: Sendable {
    let url: String
    let referrer: String
    let userAgent: String
    let countryCode: String
    let city: String
    let language: String
    let viewedAtMs: Int64

    /// From a row of `url, referrer, user_agent, country_code, city, language, viewed_at_ms`.
    init(row: some PositionalValues) {
        url = row[0]
        referrer = row[1]
        userAgent = row[2]
        countryCode = row[3]
        city = row[4]
        language = row[5]
        viewedAtMs = row[6]
    }
}

/// Page views split into visits: a visit ends after 30 minutes without a view (whatever the
/// calendar says: a visit across midnight is one visit).
struct VisitSessions: Sendable {
    /// The inactivity that ends a visit.
    static let inactivityMs: Int64 = 30 * 60 * 1000
    /// Most pages a visit lists (the newest ones when it has more).
    static let maximumPages = 500

    /// How many visits the views make.
    let count: Int
    /// When the last visit started.
    let lastStartMs: Int64

    /// The visits of `times` (ascending); nil when there are none.
    init?(times: [Int64]) {
        guard var start = times.first else { return nil }
        var count = 1
        for (previous, time) in zip(times, times.dropFirst()) where time - previous >= Self.inactivityMs {
            count += 1
            start = time
        }
        self.count = count
        self.lastStartMs = start
    }

    /// The `count`-th visit at `now`: it landed on `first`, and `pages` are its newest views
    /// (at most ``maximumPages``), oldest first.
    static func visit(landing first: PageViewRow, pages rows: [VisitPage], count: Int, now: Int64, parser: UserAgentParser)
        -> InsightsV1.Visit?
    {
        guard let last = rows.last else { return nil }
        var visit = InsightsV1.Visit()
        let pages = rows.map { row in
            var page = InsightsV1.Page()
            page.url = row.url
            page.title = row.title
            page.viewedAtMs = row.viewedAtMs
            return page
        }
        visit.pages = pages
        visit.currentPage = pages.last
        visit.startedAtMs = first.viewedAtMs
        visit.endedAtMs = last.viewedAtMs
        visit.durationMs = last.viewedAtMs - first.viewedAtMs
        visit.onSiteNow = now - last.viewedAtMs < inactivityMs
        visit.visitCount = UInt32(count)
        visit.visitorID = last.visitorID
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
        visit.utm = utmTags(of: first.url)
        return visit
    }

    /// The utm_* parameters of an address's query (VISIT-6).
    static func utmTags(of url: String) -> InsightsV1.UtmTags {
        var tags = InsightsV1.UtmTags()
        for item in URLComponents(string: url)?.queryItems ?? [] {
            let value = item.value ?? ""
            switch item.name.lowercased() {
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
}
