import ChatPanelProto
import ChatPanelRPC
import GRDB
import Testing

@testable import ChatPanelStore
@testable import InsightsService

/// A visitor's and a client's visits are counted as views are recorded (`visit_count`), not
/// from every view's time on each panel: the count must always be what all the views make,
/// whatever order the views come in, and after a merge moved a client's views.
@Suite struct VisitCountTests {
    /// What every view's time makes: a view starts a visit when it comes more than 30 minutes
    /// after the one before it.
    private static func counted(_ times: [Int64]) -> VisitCount? {
        let times = times.sorted()
        guard let first = times.first else { return nil }
        var visits: Int64 = 1
        var start = first
        for (previous, time) in zip(times, times.dropFirst()) where time - previous > 30 * Time.minute {
            visits += 1
            start = time
        }
        return VisitCount(visits: visits, lastStartMs: start, lastViewMs: times.last!)
    }

    /// Every subject's stored count beside what its views make.
    private static func expectCounts(
        _ service: InsightsHarness, _ subjects: [VisitSubject], sourceLocation: SourceLocation = #_sourceLocation
    )
        async throws
    {
        try await service.store.database.read { db in
            for subject in subjects {
                let times = try db.positionalValues(
                    Int64.self, sql: "SELECT viewed_at_ms FROM page_view WHERE \(subject.column) = ?", [subject.value])
                #expect(try VisitCount.fetch(db, subject) == counted(times), "\(subject)", sourceLocation: sourceLocation)
            }
        }
    }

    @Test func aViewAfterTheLastVisitsStartIsCountedAloneOneBeforeItIsNot() {
        func add(_ count: inout VisitCount, _ time: Int64) -> Bool { count.add(time) }
        var count = VisitCount(first: 1_000)
        #expect(add(&count, 1_000 + 29 * Time.minute))
        #expect(count == VisitCount(visits: 1, lastStartMs: 1_000, lastViewMs: 1_000 + 29 * Time.minute))
        // Exactly 30 minutes after the view before: the same visit.
        #expect(add(&count, 1_000 + 59 * Time.minute))
        #expect(count == VisitCount(visits: 1, lastStartMs: 1_000, lastViewMs: 1_000 + 59 * Time.minute))
        let next = 1_000 + 89 * Time.minute + 1
        #expect(add(&count, next))
        #expect(count == VisitCount(visits: 2, lastStartMs: next, lastViewMs: next))
        // Inside the last visit, and at its start: nothing changes but the newest view.
        #expect(add(&count, next + 5))
        #expect(add(&count, next + 2))
        #expect(add(&count, next))
        #expect(count == VisitCount(visits: 2, lastStartMs: next, lastViewMs: next + 5))
        // Before it: it may join two visits or add one between them.
        #expect(!add(&count, next - 1))
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6])
    func theCountIsWhatEveryViewMakesWhateverTheOrder(seed: UInt64) async throws {
        var random = SplitMix64(seed: seed)
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 3 * 24 * 60 * Time.minute) { service in
            // Views of three visitors, two of them known as clients 1 and 2, spaced around the
            // 30 minutes that end a visit.
            var views: [InsightsV1.PageView] = []
            for (index, (visitor, client)) in [("va", Int64(1)), ("vb", 2), ("vc", 0)].enumerated() {
                var time = start + Int64(index) * Time.minute
                for number in 0..<40 {
                    time += Int64.random(in: 0...(45 * Time.minute), using: &random)
                    views.append(Make.view("\(visitor)-\(number)", visitor: visitor, at: time, client: client))
                }
            }
            let subjects: [VisitSubject] = [.visitor("va"), .visitor("vb"), .visitor("vc"), .client(1), .client(2)]
            // Mostly in order, some late, some sent twice, in batches of random sizes.
            views.sort { $0.viewedAtMs < $1.viewedAtMs }
            for _ in 0..<12 {
                let a = Int.random(in: 0..<views.count, using: &random)
                let b = min(views.count - 1, a + Int.random(in: 1...6, using: &random))
                views.swapAt(a, b)
            }
            var index = 0
            while index < views.count {
                let size = Int.random(in: 1...15, using: &random)
                var batch = Array(views[index..<min(index + size, views.count)])
                if let again = views[..<index].randomElement(using: &random) { batch.append(again) }
                _ = try await service.record(batch)
                try await Self.expectCounts(service, subjects)
                index += size
            }
            #expect(
                try await service.visit(visitor: "va").visit?.visitCount
                    == UInt32(Self.counted(views.filter { $0.visitorID == "va" }.map(\.viewedAtMs))!.visits))
            // A merge moves client 2's views to client 1: both are counted again.
            var move = InsightsV1.MoveClientRecordsRequest()
            move.fromClientID = 2
            move.toClientID = 1
            _ = try await service.call(InsightsV1.Insights.moveClientRecords, move, as: .manager(1, [.editClients]))
            try await Self.expectCounts(service, subjects)
            #expect(try await service.store.database.read { db in try VisitCount.fetch(db, .client(2)) } == nil)
            let merged = try #require(Self.counted(views.filter { $0.clientID != 0 }.map(\.viewedAtMs)))
            #expect(try await service.visit(client: 1).visit?.visitCount == UInt32(merged.visits))
            // The merged client's id reads the survivor's visit.
            #expect(try await service.visit(client: 2) == (try await service.visit(client: 1)))
        }
    }

    @Test func theVisitIsReadThroughItsIndexesWithoutASort() async throws {
        try await withInsightsService(now: Time.at("2026-05-01T10:00:00Z")) { service in
            for (subject, index) in [(VisitSubject.visitor("v1"), "page_view_by_visitor"), (.client(1), "page_view_by_client")] {
                let (landing, pages) = try await service.store.database.read { db in
                    func plan(_ sql: String, _ arguments: StatementArguments) throws -> String {
                        try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
                            .joined(separator: "\n")
                    }
                    return (
                        try plan(subject.landingSQL, [subject.value.databaseValue, subject.countKey]),
                        try plan(subject.pagesSQL, [subject.value.databaseValue, 0, VisitSessions.maximumPages])
                    )
                }
                // The count's row first, then the subject's views from the last visit's start, in order.
                #expect(landing.split(separator: "\n").first?.hasPrefix("SEARCH c USING PRIMARY KEY (subject=?)") == true, "\(landing)")
                #expect(landing.contains("SEARCH p USING INDEX \(index)"), "\(landing)")
                #expect(pages.contains("SEARCH page_view USING INDEX \(index)"), "\(pages)")
                for plan in [landing, pages] {
                    #expect(!plan.contains("TEMP B-TREE") && !plan.contains("SCAN"), "\(plan)")
                }
            }
        }
    }

    @Test func theMigrationLinksVisitorsToClientsAndCountsTheViewsAlreadyStored() async throws {
        let start = Time.at("2026-05-01T10:00:00Z")
        try await withInsightsService(now: start + 24 * 60 * Time.minute) { service in
            var views: [InsightsV1.PageView] = []
            for (offset, visitor, client) in [
                (Int64(0), "va", Int64(1)), (10, "va", 1), (40, "va", 1), (41, "vb", 1), (200, "vb", 0), (5, "vc", 3), (7, "vd", 0),
            ] {
                views.append(Make.view("\(visitor)-\(offset)", visitor: visitor, at: start + offset * Time.minute, client: client))
            }
            _ = try await service.record(views)
            let sql = try #require(InsightsStore.migrations.steps.first { $0.identifier == "insights.0006.visitor-clients" }).sql
            let read = """
                SELECT 'count ' || subject, visits, last_start_ms, last_view_ms FROM visit_count
                UNION ALL SELECT 'link ' || visitor_id, client_id, 0, 0 FROM visitor_client
                UNION ALL SELECT 'view ' || view_id, coalesce(client_id, 0), viewed_at_ms, 0 FROM page_view ORDER BY 1
                """
            let (kept, migrated) = try await service.store.database.write { db in
                let kept = try db.positionalRows(sql: read).map(Stored.init(row:))
                // As stored before the migration: vb's view naming no client had none.
                try db.execute(sql: "UPDATE page_view SET client_id = NULL WHERE view_id = 'vb-200'")
                try db.execute(sql: "DROP TABLE visitor_client")
                try db.execute(sql: sql)
                return (kept, try db.positionalRows(sql: read).map(Stored.init(row:)))
            }
            #expect(kept == migrated)
            // Minutes: va 0, 10, 40 (exactly 30 minutes after the view before: the same visit);
            // vb 41 | 200, and its view at 200 is client 1's; client 1 0, 10, 40, 41 | 200;
            // client 3 5; vc 5; vd 7, no client.
            let counts = kept.filter { $0.subject.hasPrefix("count ") }
            #expect(counts.map(\.subject) == ["count client:1", "count client:3", "count visitor:va", "count visitor:vb", "count visitor:vc", "count visitor:vd"])
            #expect(counts.map(\.count.visits) == [2, 1, 1, 2, 1, 1])
            #expect(counts[0].count == VisitCount(visits: 2, lastStartMs: start + 200 * Time.minute, lastViewMs: start + 200 * Time.minute))
            #expect(kept.filter { $0.subject.hasPrefix("link ") }.map { "\($0.subject) \($0.count.visits)" } == ["link va 1", "link vb 1", "link vc 3"])
            #expect(kept.first { $0.subject == "view vb-200" }?.count.visits == 1 && kept.first { $0.subject == "view vd-7" }?.count.visits == 0)
        }
    }
}

/// A row of `visit_count`.
private struct Stored: Equatable, Sendable {
    var subject: String
    var count: VisitCount

    init(row: PositionalRow) {
        subject = row[0]
        count = VisitCount(visits: row[1], lastStartMs: row[2], lastViewMs: row[3])
    }
}
