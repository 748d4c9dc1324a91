import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import InsightsService
import Testing

/// Page views and the visit over the real socket: 30-minute sessions (across midnight too),
/// the current page, first or n-th visit, device, location and UTM tags.
@Suite struct VisitContractTests {
    @Test func aVisitEndsAfterThirtyMinutesWithoutAView() async throws {
        let day1 = Time.at("2026-05-01T10:00:00Z")
        let day2 = Time.at("2026-05-03T23:50:00Z")
        try await withInsightsService(now: day2 + 25 * Time.minute) { service in
            try await service.record([
                Make.view("a1", at: day1),
                Make.view("a2", at: day1 + 29 * Time.minute),
                // More than 30 minutes without a view: a new visit.
                Make.view("b1", url: "https://shop.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&utm_term=coffee&utm_content=ad1",
                          title: "Главная", at: day1 + 59 * Time.minute + 1, referrer: "https://yandex.ru/search/?text=coffee"),
                // Across midnight: still one visit.
                Make.view("c1", url: "https://shop.example/?utm_source=mail", title: "Главная", at: day2),
                Make.view("c2", url: "https://shop.example/coffee", title: "Кофемашины", at: day2 + 8 * Time.minute),
                Make.view("c3", url: "https://shop.example/coffee/philips-3200", title: "Philips 3200", at: day2 + 15 * Time.minute),
            ])
            let visit = try #require(try await service.visit(visitor: "v1").visit)
            #expect(visit.visitCount == 3)
            #expect(visit.pages.map(\.title) == ["Главная", "Кофемашины", "Philips 3200"])
            #expect(visit.currentPage?.url == "https://shop.example/coffee/philips-3200")
            #expect(visit.startedAtMs == day2 && visit.endedAtMs == day2 + 15 * Time.minute)
            #expect(visit.durationMs == 15 * Time.minute)
            #expect(visit.onSiteNow)
            #expect(visit.utm?.source == "mail" && visit.utm?.medium == "")
            #expect(visit.pagesLeftOut == 0)

            // The current page follows the visitor.
            try await service.record([Make.view("c4", url: "https://shop.example/cart", title: "Корзина", at: day2 + 20 * Time.minute)])
            #expect(try await service.visit(visitor: "v1").visit?.currentPage?.title == "Корзина")

            // Thirty minutes after the last view the visitor has left.
            service.clock.set(day2 + 50 * Time.minute)
            let left = try #require(try await service.visit(visitor: "v1").visit)
            #expect(!left.onSiteNow && left.endedAtMs == day2 + 20 * Time.minute)
        }
    }

    /// The proto's "no gap longer than 30 minutes": a view exactly 30 minutes after the one
    /// before is in the same visit; a millisecond more starts one.
    @Test func aGapOfExactlyThirtyMinutesKeepsTheVisit() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 90 * Time.minute) { service in
            try await service.record([
                Make.view("a1", at: start, client: 4), Make.view("a2", at: start + 30 * Time.minute, client: 4),
                Make.view("a3", at: start + 60 * Time.minute, client: 4),
            ])
            let one = try #require(try await service.visit(visitor: "v1").visit)
            #expect(one.visitCount == 1 && one.pages.count == 3 && one.startedAtMs == start)
            #expect(try await service.visit(client: 4).visit == one)
            try await service.record([Make.view("b1", at: start + 90 * Time.minute + 1, client: 4)])
            let two = try #require(try await service.visit(visitor: "v1").visit)
            #expect(two.visitCount == 2 && two.pages.count == 1 && two.startedAtMs == start + 90 * Time.minute + 1)
            #expect(try await service.visit(client: 4).visit?.visitCount == 2)
        }
    }

    /// A visitor who logs in: its views before (the landing page, its tags, its place) and after
    /// it, naming no client, are the client's visit too.
    @Test func aVisitorLaterKnownAsAClientBringsItsVisitToTheClient() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 10 * Time.minute) { service in
            try await service.record([
                Make.view("p1", url: "https://shop.example/?utm_source=vk&utm_campaign=spring", title: "Главная", at: start, referrer: "https://vk.com/"),
                Make.view("p2", url: "https://shop.example/coffee", title: "Кофемашины", at: start + Time.minute),
            ])
            #expect(try await service.visit(client: 9).visit == nil)
            try await service.record([Make.view("p3", url: "https://shop.example/account", title: "Кабинет", at: start + 2 * Time.minute, client: 9)])
            let visit = try #require(try await service.visit(client: 9).visit)
            #expect(visit.pages.map(\.title) == ["Главная", "Кофемашины", "Кабинет"] && visit.visitCount == 1)
            #expect(visit.startedAtMs == start && visit.utm?.source == "vk" && visit.utm?.campaign == "spring")
            #expect(visit.referrer == "https://vk.com/" && visit.location?.countryCode == "RU" && visit.visitorID == "v1")
            #expect(try await service.visit(visitor: "v1").visit == visit)

            // Later views naming no client are the client's too, counted as they come.
            service.clock.set(start + 2 * 60 * Time.minute)
            try await service.record([
                Make.view("p4", url: "https://shop.example/cart", title: "Корзина", at: start + 3 * Time.minute),
                Make.view("p5", url: "https://shop.example/", title: "Главная", at: start + 2 * 60 * Time.minute),
            ])
            let next = try #require(try await service.visit(client: 9).visit)
            #expect(next.visitCount == 2 && next.currentPage?.title == "Главная" && next.pages.count == 1)
            #expect(try await service.visit(visitor: "v1").visit == next)
            // A merge takes the visitor along: its next views are the survivor's.
            var move = InsightsV1.MoveClientRecordsRequest()
            move.fromClientID = 9
            move.toClientID = 2
            _ = try await service.call(InsightsV1.Insights.moveClientRecords, move, as: .manager(1, [.editClients]))
            try await service.record([Make.view("p6", url: "https://shop.example/coffee", title: "Кофемашины", at: start + 121 * Time.minute)])
            let merged = try #require(try await service.visit(client: 2).visit)
            #expect(merged.visitCount == 2 && merged.currentPage?.url == "https://shop.example/coffee" && merged.pages.count == 2)
            #expect(try await service.visit(client: 9).visit == merged)
        }
    }

    @Test func aLongVisitListsItsNewestPagesAndKeepsItsLandingPage() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 30 * Time.minute) { service in
            // A view every two seconds for 20 minutes: one visit of 600 views.
            let views = (0..<600).map { index in
                Make.view(
                    "v\(index)", url: index == 0 ? "https://shop.example/?utm_source=vk" : "https://shop.example/p\(index)",
                    title: "Стр. \(index)", at: start + Int64(index) * 2_000, referrer: index == 0 ? "https://vk.com/" : "")
            }
            try await service.record(Array(views[..<300]))
            try await service.record(Array(views[300...]))
            let visit = try #require(try await service.visit(visitor: "v1").visit)
            #expect(visit.visitCount == 1)
            #expect(visit.pages.count == 500 && visit.pages.first?.title == "Стр. 100" && visit.pages.last?.title == "Стр. 599")
            #expect(visit.pages.map(\.viewedAtMs) == visit.pages.map(\.viewedAtMs).sorted())
            #expect(visit.startedAtMs == start && visit.endedAtMs == start + 599 * 2_000 && visit.durationMs == 599 * 2_000)
            #expect(visit.referrer == "https://vk.com/" && visit.utm?.source == "vk" && visit.currentPage?.title == "Стр. 599")
            #expect(visit.pagesLeftOut == 100)
        }
    }

    /// 500 views with 2 000-character addresses and 500-character titles (1.5 MB): the answer
    /// was above the 1 MiB a frame may carry (RESOURCE_EXHAUSTED, for the panel's Summary too).
    @Test func aVisitOfLongAddressesListsItsNewestPagesWithinItsShare() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        let views = (0..<500).map { index in
            let url = "https://shop.example/p\(index)?q="
            let title = "Стр. \(index) "
            return Make.view(
                "v\(index)", url: url + String(repeating: "x", count: 2_000 - url.count),
                title: title + String(repeating: "я", count: 500 - title.count), at: start + Int64(index) * 2_000)
        }
        try await withInsightsService(now: start + 20 * Time.minute) { service in
            for batch in stride(from: 0, to: views.count, by: 100) { try await service.record(Array(views[batch..<batch + 100])) }
            try await service.append([Make.message("m1", text: "Хочу кофемашину", at: start)])
            _ = try await service.summarize("d1")

            let answer = try await service.visit(visitor: "v1")
            let visit = try #require(answer.visit)
            let listed = visit.pages.map { $0.url.utf8.count + $0.title.utf8.count }.reduce(0, +)
            #expect(listed <= 256 * 1024 && visit.pages.count > 50 && visit.pages.count < 500)
            #expect(visit.pagesLeftOut == UInt32(500 - visit.pages.count))
            #expect(visit.pages.map(\.url) == views.suffix(visit.pages.count).map(\.url))
            #expect(visit.currentPage?.url == views[499].url && visit.startedAtMs == start && visit.visitCount == 1)
            #expect(try answer.serializedBytes().count < 300 * 1024)

            // The panel's call answers both widgets.
            var panel = InsightsV1.GetPanelDataRequest()
            panel.dialogID = "d1"
            panel.visitorID = "v1"
            panel.visit = true
            let data = try await service.call(InsightsV1.Insights.getPanelData, panel)
            #expect(data.visit == answer && data.summary?.summary?.messagesUsed == 1)
        }
    }

    @Test func theLandingPageGivesTheUTMTagsAndTheReferrer() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + Time.minute) { service in
            try await service.record([
                Make.view(
                    "p1", url: "https://shop.example/?utm_source=yandex&utm_medium=cpc&utm_campaign=spring&utm_term=coffee&utm_content=ad1",
                    at: start, referrer: "https://yandex.ru/search/?text=coffee"),
                Make.view("p2", url: "https://shop.example/coffee?utm_source=other", at: start + 30_000),
            ])
            let visit = try #require(try await service.visit(visitor: "v1").visit)
            #expect(visit.visitCount == 1)
            #expect(visit.utm?.source == "yandex" && visit.utm?.medium == "cpc" && visit.utm?.campaign == "spring")
            #expect(visit.utm?.term == "coffee" && visit.utm?.content == "ad1")
            #expect(visit.referrer == "https://yandex.ru/search/?text=coffee")
        }
    }

    @Test func theTagsAreReadFromTheAddressOnceWhenTheViewIsRecorded() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + Time.minute) { service in
            try await service.record([
                // Percent-encoded, and a tag's name in capitals: as the address means them.
                Make.view("p1", url: "https://shop.example/?UTM_Source=ya&utm_campaign=%D0%B2%D0%B5%D1%81%D0%BD%D0%B0&x=1", at: start),
                Make.view("p2", url: "https://shop.example/coffee", at: start + 30_000),
            ])
            let stored = "SELECT utm_source, utm_medium, utm_campaign, utm_term, utm_content FROM page_view WHERE view_id = ?"
            func tags(_ view: String) async throws -> [String?] {
                try await service.store.database.read { db in
                    let row = try #require(try db.positionalRow(sql: stored, [view]))
                    return (0..<5).map { row[$0] }
                }
            }
            #expect(try await tags("p1") == ["ya", "", "весна", "", ""])
            #expect(try await tags("p2") == ["", "", "", "", ""])
            let visit = try #require(try await service.visit(visitor: "v1").visit)
            #expect(visit.utm?.source == "ya" && visit.utm?.campaign == "весна" && visit.utm?.medium == "")

            // The visit shows the recorded tags, not the address read again.
            try await service.store.database.write { db in
                try db.execute(sql: "UPDATE page_view SET utm_medium = 'recorded' WHERE view_id = 'p1'")
            }
            #expect(try await service.visit(visitor: "v1").visit?.utm?.medium == "recorded")

            // A view recorded before the tags were kept (all five NULL): read from its address.
            try await service.store.database.write { db in
                try db.execute(
                    sql: """
                        UPDATE page_view SET utm_source = NULL, utm_medium = NULL, utm_campaign = NULL, utm_term = NULL,
                            utm_content = NULL
                        """)
            }
            let older = try #require(try await service.visit(visitor: "v1").visit)
            #expect(older.utm == visit.utm)
        }
    }

    /// A query as a form encodes it: '+' is a space ('%2B' a plus); a value with U+0000 (%00)
    /// is dropped, not cut at it, and the other tags are kept.
    @Test func tagsAreReadAsAFormEncodesThemAndAValueWithNULIsDropped() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + Time.minute) { service in
            try await service.record([
                Make.view(
                    "p1",
                    url: "https://shop.example/?utm_source=yandex+direct&utm_medium=cpc%00x&utm_campaign=spring%2B2026"
                        + "&utm_term=%D0%BA%D0%BE%D1%84%D0%B5+%D0%BC%D0%B0%D1%88%D0%B8%D0%BD%D0%B0&utm_content=a%FFb#top",
                    at: start)
            ])
            let stored = try await service.store.database.read { db in
                try db.positionalRow(sql: "SELECT utm_source, utm_medium, utm_campaign, utm_term, utm_content FROM page_view")
                    .map { row in (0..<5).map { row[$0] as String } }
            }
            #expect(stored == ["yandex direct", "", "spring+2026", "кофе машина", ""])
            let utm = try #require(try await service.visit(visitor: "v1").visit?.utm)
            #expect(utm.source == "yandex direct" && utm.medium == "" && utm.campaign == "spring+2026")
            #expect(utm.term == "кофе машина" && utm.content == "")
        }
    }

    @Test func aClientsVisitIsByTheVisitorOfItsNewestView() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 10 * Time.minute) { service in
            // The client came on a phone, then went on on a computer: one visit, two visitors.
            try await service.record([
                Make.view("p1", visitor: "phone", url: "https://shop.example/", at: start, client: 5),
                Make.view("p2", visitor: "laptop", url: "https://shop.example/coffee", at: start + 2 * Time.minute, client: 5),
                Make.view("p3", visitor: "phone", url: "https://shop.example/cart", at: start + Time.minute, client: 5),
            ])
            let visit = try #require(try await service.visit(client: 5).visit)
            #expect(visit.visitorID == "laptop")
            #expect(visit.pages.map(\.url) == ["https://shop.example/", "https://shop.example/cart", "https://shop.example/coffee"])
            #expect(visit.currentPage?.url == "https://shop.example/coffee")
        }
    }

    @Test func deviceAndLocationComeFromTheAgentAndTheAddress() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start) { service in
            try await service.record([
                Make.view("p1", visitor: "ru", at: start),
                Make.view(
                    "p2", visitor: "us", at: start,
                    userAgent: "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0", ip: "8.8.8.8",
                    language: "en-US"),
                Make.view("p3", visitor: "v6", at: start, ip: "2a02:6b8::feed:0ff"),
                Make.view("p4", visitor: "none", at: start, ip: ""),
                // An IPv4 client as a dual-stack server reports it: located as 8.8.8.8.
                Make.view("p5", visitor: "mapped", at: start, ip: "::ffff:8.8.8.8"),
            ])
            let russian = try #require(try await service.visit(visitor: "ru").visit)
            #expect(russian.device?.os == "Android" && russian.device?.osVersion == "13")
            #expect(russian.device?.browser == "Chrome Mobile" && russian.device?.browserVersion == "124.0.6367")
            #expect(russian.device?.language == "ru-RU")
            #expect(russian.location?.countryCode == "RU")
            let american = try #require(try await service.visit(visitor: "us").visit)
            #expect(american.device?.os == "Windows" && american.device?.osVersion == "10")
            #expect(american.device?.browser == "Firefox" && american.device?.browserVersion == "125.0")
            #expect(american.location?.countryCode == "US")
            #expect(try await service.visit(visitor: "v6").visit?.location?.countryCode == "RU")
            #expect(try await service.visit(visitor: "none").visit?.location?.countryCode == "")
            #expect(try await service.visit(visitor: "mapped").visit?.location?.countryCode == "US")
        }
    }

    /// The panel's call asked for the visit with no visitor and no client: the visit part is
    /// there, with no visit and the server's time, as for a visitor with no views.
    @Test func thePanelsVisitOfNoOneIsAnAnswerWithNoVisit() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start) { service in
            try await service.record([Make.view("p1", at: start)])
            var panel = InsightsV1.GetPanelDataRequest()
            panel.visit = true
            let data = try await service.call(InsightsV1.Insights.getPanelData, panel)
            let visit = try #require(data.visit)
            #expect(visit.visit == nil && visit.nowMs == start)
            #expect(data.summary == nil)
            // Not asked for: absent.
            panel.visit = false
            #expect(try await service.call(InsightsV1.Insights.getPanelData, panel).visit == nil)
        }
    }

    @Test func ipAddressesAreKeptOnlyAsLongAsConfigured() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 2 * 86_400_000, ipRetention: .seconds(86_400)) { service in
            try await service.record([Make.view("old", at: start), Make.view("new", at: start + 2 * 86_400_000 - Time.minute)])
            let forgotten = try await service.store.forgetIPAddresses(viewedBefore: service.clock.now() - 86_400_000)
            #expect(forgotten == 1 || forgotten == 0)
            let kept = try await service.store.database.read { db in
                try String?.fetchAll(db, sql: "SELECT ip FROM page_view ORDER BY viewed_at_ms")
            }
            // The sweeper runs at start too: the old address is gone either way; the country stays.
            #expect(kept == [nil, "77.88.8.8"])
            #expect(try await service.visit(visitor: "v1").visit?.location?.countryCode == "RU")
        }
        try await withInsightsService(now: start, ipRetention: nil) { service in
            try await service.record([Make.view("p1", at: start)])
            let kept = try await service.store.database.read { db in try String?.fetchAll(db, sql: "SELECT ip FROM page_view") }
            #expect(kept == [nil])
            #expect(try await service.visit(visitor: "v1").visit?.location?.countryCode == "RU")
        }
    }

    @Test func feedsAreIdempotentAndCheckEveryField() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start) { service in
            let first = try await service.record([Make.view("p1", at: start), Make.view("p2", at: start + 1000)])
            #expect(first.recorded == 2 && first.alreadyKnown == 0)
            let again = try await service.record([Make.view("p2", at: start + 1000), Make.view("p3", at: start + 2000)])
            #expect(again.recorded == 1 && again.alreadyKnown == 1)
            #expect(try await service.visit(visitor: "v1").visit?.pages.count == 3)

            var bad = Make.view("", visitor: "", url: "ftp://shop.example/", at: 0, ip: "999.1.1.1", referrer: "not a url")
            bad.clientID = -1
            await expectError(
                .invalidArgument,
                fields: [
                    "views[0].view_id", "views[0].visitor_id", "views[0].url", "views[0].referrer", "views[0].ip", "views[0].viewed_at_ms",
                    "views[0].client_id",
                ]
            ) { try await service.record([bad]) }
            await expectError(.invalidArgument, field: "visitor_id") { try await service.visit() }
            #expect(try await service.visit(visitor: "nobody").visit == nil)
        }
    }
}
