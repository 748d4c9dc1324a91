import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import Testing

/// The feeds' bounds over the real socket: times at most an hour ahead of the service's clock,
/// text lengths in characters with the byte cap behind them, and a batch within one frame.
@Suite struct FeedLimitsContractTests {
    let now = Time.at("2026-05-04T12:00:00Z")
    let hour: Int64 = 3_600_000

    @Test func viewsMoreThanAnHourAheadOfTheClockAreRefused() async throws {
        try await withInsightsService(now: now) { service in
            let views = [
                Make.view("p0", at: now + hour), Make.view("p1", at: now + hour + 1), Make.view("p2", at: now + 24 * hour),
                Make.view("p3", at: 1_000_000_000_000_000),
            ]
            let error = await expectError(
                .invalidArgument, fields: ["views[1].viewed_at_ms", "views[2].viewed_at_ms", "views[3].viewed_at_ms"]
            ) { try await service.record(views) }
            #expect(error?.violations.first?.description.contains("1 hour") == true, "\(String(describing: error))")
            let nothing = try await service.visit(visitor: "v1")
            #expect(nothing.visit == nil)
            // Within the skew: recorded.
            #expect(try await service.record([views[0]]).recorded == 1)
            // The bound follows the service's clock.
            service.clock.set(now + 24 * hour)
            #expect(try await service.record([views[2]]).recorded == 1)
        }
    }

    @Test func messagesSentMoreThanAnHourAheadOfTheClockAreRefused() async throws {
        try await withInsightsService(now: now) { service in
            let messages = [
                Make.message("m0", text: "Здравствуйте", at: now + hour), Make.message("m1", text: "Ещё", at: now + hour + 1),
                Make.message("m2", text: "И ещё", at: 1_000_000_000_000_000),
            ]
            await expectError(.invalidArgument, fields: ["messages[1].sent_at_ms", "messages[2].sent_at_ms"]) {
                try await service.append(messages)
            }
            let appended = try await service.append([messages[0]])
            #expect(appended.appended == 1)
        }
    }

    /// A title is 500 characters, at most 8 bytes of UTF-8 each (4 000 bytes), as the proto
    /// says: 500 flags (8 bytes each) are taken; 500 family emoji (25 bytes each) are not.
    @Test func aTitleIsCharactersWithEightBytesEachBehind() async throws {
        try await withInsightsService(now: now) { service in
            let flags = String(repeating: "🇷🇺", count: 500)
            #expect(flags.count == 500 && flags.utf8.count == 4_000)
            let recorded = try await service.record([Make.view("p1", title: flags, at: now)])
            #expect(recorded.recorded == 1)
            #expect(try await service.visit(visitor: "v1").visit?.currentPage?.title == flags)

            let family = String(repeating: "👨‍👩‍👧‍👦", count: 500)
            #expect(family.count == 500)
            let error = await expectError(.invalidArgument, field: "views[0].title") {
                try await service.record([Make.view("p2", title: family, at: now)])
            }
            #expect(error?.violations.first?.description.contains("4000 bytes") == true, "\(String(describing: error))")
            await expectError(.invalidArgument, field: "views[0].title") {
                try await service.record([Make.view("p3", title: String(repeating: "я", count: 501), at: now)])
            }
        }
    }

    /// The proto's rule for a batch of long views: it must fit in one 1 MiB frame, so the
    /// tracker fills a call up to 1 000 000 bytes of encoded request and sends the rest in the
    /// next. Views near their longest (about 6 400 bytes here): 150 fit, 170 do not (the client
    /// refuses to send the frame; the server would close the connection without an answer).
    @Test func aBatchOfLongViewsIsSplitToFitAFrame() async throws {
        let views = (0..<320).map { index in
            let url = "https://shop.example/p\(index)?q="
            var view = Make.view(
                "view-\(index)-" + String(repeating: "i", count: 100), visitor: "visitor-" + String(repeating: "v", count: 100),
                url: url + String(repeating: "x", count: 2_000 - url.count), title: String(repeating: "я", count: 500),
                at: now - 320_000 + Int64(index) * 1_000, userAgent: String(repeating: "a", count: 1_000),
                referrer: "https://ya.ru/?q=" + String(repeating: "r", count: 1_980))
            view.dialogID = String(repeating: "d", count: 128)
            return view
        }
        var tooLong = InsightsV1.RecordPageViewsRequest()
        tooLong.views = Array(views[..<170])
        #expect(try tooLong.serializedBytes().count > 1_048_576)
        try await withInsightsService(now: now) { service in
            await expectError(.resourceExhausted) { try await service.call(InsightsV1.Insights.recordPageViews, tooLong) }

            // Split as the proto says: each call under 1 000 000 bytes of encoded request.
            var batches: [[InsightsV1.PageView]] = [[]]
            var size = 0
            for view in views {
                var alone = InsightsV1.RecordPageViewsRequest()
                alone.views = [view]
                let viewSize = try alone.serializedBytes().count
                if size + viewSize > 1_000_000 {
                    batches.append([])
                    size = 0
                }
                batches[batches.count - 1].append(view)
                size += viewSize
            }
            #expect(batches.count == 3 && batches[0].count >= 150)
            var recorded: UInt32 = 0
            for batch in batches { recorded += try await service.record(batch).recorded }
            #expect(recorded == 320)
            #expect(try await service.visit(visitor: views[0].visitorID).visit?.pagesLeftOut ?? 0 > 0)
        }
    }
}
