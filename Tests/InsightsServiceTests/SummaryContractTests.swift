import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import InsightsService
import Testing

/// Summaries over the real socket: the token budget (the newest messages that fit, counted
/// with cl100k), the period, the stored summary and its refresh, the structured fields.
@Suite struct SummaryContractTests {
    let start = Time.at("2026-04-01T08:00:00Z")
    let tokenizer: BPETokenizer

    init() throws {
        tokenizer = try loadedConfiguration().tokenizer
    }

    /// What a message costs in the budget: its "author: text" line and the per-message overhead.
    func cost(_ message: InsightsV1.Message) -> Int {
        tokenizer.count("\(message.author): \(message.text)") + TokenBudget.perMessageOverhead
    }

    @Test func anEmptyChatHasNothingToSummarize() async throws {
        try await withInsightsService { service in
            await expectError(.failedPrecondition) { try await service.summarize("d1") }
            try await service.append([Make.message("m1", text: "   ", at: start)])
            await expectError(.failedPrecondition) { try await service.summarize("d1") }
        }
    }

    @Test func exactlyFittingMessagesAreAllUsed() async throws {
        let messages = (0..<6).map { index in
            Make.message("m\(index)", index % 2 == 0 ? .in : .out, text: "Сообщение номер \(index) про кофеварку", at: start + Int64(index) * Time.minute)
        }
        let total = messages.map(cost).reduce(0, +)
        try await withInsightsService(budget: TokenBudget(modelBudget: total, marginPercent: 0)) { service in
            try await service.append(messages)
            let summary = try await service.summarize("d1")
            #expect(summary.messagesUsed == 6 && summary.messagesTotal == 6)
            #expect(summary.tokensUsed == UInt32(total) && summary.tokenBudget == UInt32(total))
            #expect(summary.periodStartMs == start && summary.periodEndMs == start + 5 * Time.minute)
            #expect(!summary.newestMessageCut)
        }
        // One token less: the oldest message no longer fits, and the period starts at the next one.
        try await withInsightsService(budget: TokenBudget(modelBudget: total - 1, marginPercent: 0)) { service in
            try await service.append(messages)
            let summary = try await service.summarize("d1")
            #expect(summary.messagesUsed == 5 && summary.messagesTotal == 6)
            #expect(summary.tokensUsed == UInt32(total - cost(messages[0])))
            #expect(summary.periodStartMs == start + Time.minute)
        }
    }

    @Test func theMarginIsKeptFree() async throws {
        try await withInsightsService(budget: TokenBudget(modelBudget: 1_000, marginPercent: 10)) { service in
            let long = (0..<40).map { index in
                Make.message("m\(index)", text: "Подскажите, пожалуйста, есть ли в наличии кофеварка модели \(index)?", at: start + Int64(index) * Time.minute)
            }
            try await service.append(long)
            let summary = try await service.summarize("d1")
            #expect(summary.tokenBudget == 900)
            #expect(summary.tokensUsed <= 900)
            #expect(summary.tokensUsed + UInt32(cost(long[39 - Int(summary.messagesUsed)])) > 900)
            #expect(summary.periodEndMs == start + 39 * Time.minute)
            #expect(summary.periodStartMs == start + Int64(40 - Int(summary.messagesUsed)) * Time.minute)
        }
    }

    @Test func oneHugeMessageIsCutToTheBudget() async throws {
        let huge = String(repeating: "Очень длинное сообщение о заказе и доставке. ", count: 400)
        try await withInsightsService(budget: TokenBudget(modelBudget: 300, marginPercent: 0)) { service in
            try await service.append([
                Make.message("old", text: "Старое сообщение", at: start),
                Make.message("huge", text: huge, at: start + Time.minute),
            ])
            let summary = try await service.summarize("d1")
            #expect(summary.newestMessageCut)
            #expect(summary.messagesUsed == 1)
            #expect(summary.tokensUsed <= 300 && summary.tokensUsed > 250)
            #expect(summary.periodStartMs == start + Time.minute && summary.periodEndMs == start + Time.minute)
        }
    }

    @Test func theSummaryIsStoredShownUntilRefreshedAndCopied() async throws {
        try await withInsightsService { service in
            try await service.append(RussianChat.messages(start: start))
            let first = try await service.summarize("d1", requestID: "r1")
            #expect(first.createdByID == 1 && first.summarizer == .offlineExtractive)
            #expect(first.text.hasPrefix("Резюме переписки"))
            // A retry of the same request answers the same summary.
            #expect(try await service.summarize("d1", requestID: "r1") == first)

            var get = InsightsV1.GetSummaryRequest()
            get.dialogID = "d1"
            let stored = try await service.call(InsightsV1.Insights.getSummary, get, as: .manager(2))
            #expect(stored.summary == first)
            #expect(stored.messageCount == UInt32(RussianChat.count))
            // The panel's Summary widget: the same answer (a dialog with no client: none forwarded).
            var panel = InsightsV1.GetPanelDataRequest()
            panel.dialogID = "d1"
            #expect(try await service.call(InsightsV1.Insights.getPanelData, panel).summary == stored)

            // New messages do not change the stored summary until it is refreshed.
            service.clock.set(Time.at("2026-05-05T12:00:00Z"))
            try await service.append([Make.message("late", .out, text: "Счёт отправил на почту, заказ №55021.", at: start + 10 * 60 * Time.minute)])
            #expect(try await service.call(InsightsV1.Insights.getSummary, get).summary == first)
            let refreshed = try await service.summarize("d1")
            #expect(refreshed.messagesTotal == UInt32(RussianChat.count + 1))
            #expect(refreshed.periodEndMs == start + 10 * 60 * Time.minute)
            #expect(refreshed.createdAtMs == Time.at("2026-05-05T12:00:00Z"))
            #expect(try await service.call(InsightsV1.Insights.getSummary, get).summary == refreshed)
        }
    }

    @Test func aRussianChatGetsItsFields() async throws {
        try await withInsightsService { service in
            try await service.append(RussianChat.messages(start: start))
            let summary = try await service.summarize("d1")
            #expect(summary.intent.contains("кофемашину"))
            #expect(summary.openQuestions == ["А доставка в субботу возможна?"])
            #expect(summary.promisedActions.contains("Отправлю счёт на почту сегодня до 18:00."))
            #expect(summary.promisedActions.contains("Перезвоню вам завтра, уточню наличие на складе."))
            let entities = summary.entities.map { "\($0.kind.protoName) \($0.text)" }
            #expect(entities.contains("ENTITY_KIND_ORDER_NUMBER заказ №48213"))
            #expect(entities.contains("ENTITY_KIND_SUM 54 990 ₽"))
            #expect(entities.contains("ENTITY_KIND_PHONE +7 (916) 123-45-67"))
            #expect(entities.contains("ENTITY_KIND_EMAIL anna.petrova@example.ru"))
            #expect(entities.contains("ENTITY_KIND_DATE 15 мая"))
            #expect(!summary.highlights.isEmpty && summary.highlights.count <= 5)
            #expect(summary.text.contains("Открытые вопросы:\n• А доставка в субботу возможна?"))
            // Deterministic: the same messages give the same summary.
            let again = try await service.summarize("d1")
            #expect(again.highlights == summary.highlights && again.text == summary.text)
        }
    }

    @Test func anEnglishChatGetsItsFields() async throws {
        let messages = [
            Make.message("e1", author: "John", text: "Hi! I want to buy a coffee grinder for my cafe.", at: start),
            Make.message("e2", .out, author: "Kate", text: "Hello John! We have the Baratza Sette 270 for $349.", at: start + Time.minute),
            Make.message("e3", author: "John", text: "Great. Please reserve it, my order #A-7781 was the last one. Call me at +1 415 555 2671.", at: start + 2 * Time.minute),
            Make.message("e4", .out, author: "Kate", text: "Done. I will send the invoice to john@example.com today.", at: start + 3 * Time.minute),
            Make.message("e5", author: "John", text: "Thanks! Can you deliver it by 2026-05-10?", at: start + 4 * Time.minute),
        ]
        try await withInsightsService { service in
            try await service.append(messages)
            let summary = try await service.summarize("d1")
            #expect(summary.intent == "I want to buy a coffee grinder for my cafe.")
            #expect(summary.openQuestions == ["Can you deliver it by 2026-05-10?"])
            #expect(summary.promisedActions == ["I will send the invoice to john@example.com today."])
            let entities = summary.entities.map { "\($0.kind.protoName) \($0.text)" }
            #expect(entities.contains("ENTITY_KIND_SUM $349"))
            #expect(entities.contains("ENTITY_KIND_ORDER_NUMBER order #A-7781"))
            #expect(entities.contains("ENTITY_KIND_EMAIL john@example.com"))
            #expect(entities.contains("ENTITY_KIND_DATE 2026-05-10"))
            #expect(summary.text.hasPrefix("Conversation summary"))
        }
    }

    @Test func summarizingNeedsAManager() async throws {
        try await withInsightsService { service in
            var request = InsightsV1.SummarizeRequest()
            request.dialogID = "d1"
            await expectError(.unauthenticated) { try await service.call(InsightsV1.Insights.summarize, request, as: .feed) }
            request.dialogID = ""
            await expectError(.invalidArgument, field: "dialog_id") {
                try await service.call(InsightsV1.Insights.summarize, request, as: .manager(1))
            }
        }
    }
}

/// A short Russian conversation about a coffee machine.
enum RussianChat {
    static let lines: [(InsightsV1.Direction, String)] = [
        (.in, "Здравствуйте! Хочу купить кофемашину для офиса, на 20 человек."),
        (.out, "Добрый день! Для офиса подойдёт De'Longhi Dinamica, сейчас она стоит 54 990 ₽."),
        (.in, "А есть зерновая кофемашина с капучинатором подешевле?"),
        (.out, "Есть Philips 3200 за 42 990 ₽, автоматический капучинатор, зерновая."),
        (.in, "Мне нравится Philips. Мой прошлый заказ №48213 привозили быстро."),
        (.out, "Перезвоню вам завтра, уточню наличие на складе. Оставьте телефон, пожалуйста."),
        (.in, "+7 (916) 123-45-67, почта anna.petrova@example.ru"),
        (.out, "Отправлю счёт на почту сегодня до 18:00. Доставка возможна 15 мая."),
        (.in, "Спасибо! А доставка в субботу возможна?"),
    ]

    static var count: Int { lines.count }

    static func messages(start: Int64) -> [InsightsV1.Message] {
        lines.enumerated().map { index, line in
            Make.message("r\(index)", line.0, text: line.1, at: start + Int64(index) * 5 * Time.minute)
        }
    }
}

/// The offline summarizer's choices on a long, repetitive conversation.
@Suite struct RepetitiveChatTests {
    @Test func highlightsDoNotRepeatAndOnlyTheNewestPromisesAreListed() async throws {
        let start = Time.at("2026-03-01T09:00:00Z")
        var messages: [InsightsV1.Message] = []
        for order in 0..<8 {
            let at = start + Int64(order) * 86_400_000
            messages += [
                Make.message("q\(order)", text: "Хочу заказать товар номер \(order). Есть в наличии?", at: at),
                Make.message("a\(order)", .out, text: "Оформил заказ №\(5000 + order). Отправлю счёт на почту в течение часа.", at: at + 60_000),
                Make.message("t\(order)", .out, text: "Заказ №\(5000 + order) передан в доставку, трек-номер пришлю завтра.", at: at + 120_000),
            ]
        }
        try await withInsightsService { service in
            try await service.append(messages)
            let summary = try await service.summarize("d1")
            #expect(summary.intent == "Хочу заказать товар номер 7.")
            #expect(summary.promisedActions.count == 5)
            #expect(summary.promisedActions.last == "Заказ №5007 передан в доставку, трек-номер пришлю завтра.")
            // Each order number is one entity, however it is written.
            let orders = summary.entities.filter { $0.kind == .orderNumber }.map(\.text)
            #expect(orders.count == 8 && Set(orders).count == 8)
            // No two highlights are the same message with another number.
            let shapes = summary.highlights.map { $0.filter { !$0.isNumber } }
            #expect(Set(shapes).count == shapes.count, "\(summary.highlights)")
        }
    }
}
