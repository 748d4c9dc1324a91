import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Foundation
import GRDB
import InsightsService

/// `chatpanel-bench insights`: summaries and visits over a big insights database.
///
/// Seeds 1 000 000 messages over 10 000 dialogs (one of them long: 20 000 messages), records
/// 1 000 000 page views of 10 000 visitors through the real service's `RecordPageViews` (batches
/// of 1 000, the location resolved for each), then prints: page views ingested per second; the
/// long dialog's summary split into the budget selection (tokens counted with cl100k) and the
/// whole `Summarize` call; and p50/p99 of the Visit widget's `GetPanelData`.
struct InsightsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights", abstract: "Benchmarks summaries and visits over a big insights database.")

    @Option(help: "Messages in all.") var messages = 1_000_000
    @Option(help: "Dialogs they are spread over.") var dialogs = 10_000
    @Option(help: "Messages of the long dialog (part of the total).") var longDialog = 20_000
    @Option(help: "Page views in all.") var pageViews = 1_000_000
    @Option(help: "Visitors they are spread over.") var visitors = 10_000
    @Option(help: "Timed visit calls.") var samples = 3000
    @Option(help: "Timed summaries of the long dialog.") var summaries = 10
    @Option(help: "Where the database goes.") var directory = "/tmp/cp-insights-bench"

    func run() async throws {
        guard dialogs > 1, messages > longDialog, visitors > 0, pageViews >= visitors else {
            throw ValidationError("need more than one dialog, more messages than the long dialog holds, and a view per visitor")
        }
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let (configuration, loaded) = try await measure { try InsightsConfiguration.load() }
        print("Insights benchmark: the real insights service over a Unix socket (loaded vocabulary, rules and ranges in \(format(loaded.inSeconds)) s)\n")
        let path = "\(directory)/insights.sqlite"
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        let store = try InsightsStore(path: path)
        let (_, seeded) = try await measure { try await seedMessages(store) }
        print("seeded \(messages) messages over \(dialogs) dialogs in \(format(seeded.inSeconds)) s")

        try await withTemporaryDirectory { socketDirectory in
            let service = InsightsService(store: store, configuration: configuration, logger: testLogger("insights"))
            try await withLiveServer(router: service.makeRouter(), in: socketDirectory, name: "insights") { _, socket in
                var clientConfiguration = RPCClientConfiguration(socketPath: socket)
                clientConfiguration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [.admin])
                let client = RPCClient(configuration: clientConfiguration)
                do {
                    try await ingest(client)
                    try await summarize(client, store: store, configuration: configuration)
                    try await visits(client)
                } catch {
                    await client.close()
                    throw error
                }
                await client.close()
            }
        }
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
        print("\n(client and server on this machine's 2 vCPUs, unpinned)")
    }

    /// The messages, straight into the database: dialog 0 is the long one, the rest share the remainder.
    private func seedMessages(_ store: InsightsStore) async throws {
        let others = messages - longDialog
        let perDialog = others / (dialogs - 1)
        let (dialogs, longDialog) = (self.dialogs, self.longDialog)
        try await store.database.write { db in
            try db.execute(sql: "PRAGMA cache_size = -262144")
            var writer = try Self.MessageWriter(db)
            for index in 0..<dialogs {
                let count = index == 0 ? longDialog : perDialog + (index <= others % (dialogs - 1) ? 1 : 0)
                try writer.dialog("dialog-\(index)", clientID: Int64(index + 1), messages: count, variant: index)
            }
        }
    }

    /// Writes dialogs and their messages straight into the insights database, in the caller's
    /// transaction: a conversation about an order, a message every ten minutes up to now.
    struct MessageWriter {
        static let lines = [
            "Здравствуйте! Хочу заказать кофемашину, есть в наличии?", "Добрый день! Да, есть на складе, цена 42 990 ₽.",
            "А доставка в субботу возможна?", "Да, с 10:00 до 18:00. Оформить заказ?", "Оформляйте, пожалуйста. Оплачу картой.",
            "Оформил заказ №48213. Отправлю счёт на почту в течение часа.", "Спасибо, счёт получила и оплатила.",
            "Заказ передан в доставку, трек-номер пришлю завтра утром.", "Hello! Can you deliver to Kazan by Friday?",
            "Курьер позвонит за час до приезда.",
        ]
        private let insert: Statement
        private let dialog: Statement
        private let now = UTCMilliseconds.now()
        private var nextID = 0

        init(_ db: Database) throws {
            insert = try db.makeStatement(
                sql: "INSERT INTO message (message_id, dialog_id, direction, author, text, sent_at_ms) VALUES (?, ?, ?, ?, ?, ?)")
            dialog = try db.makeStatement(sql: "INSERT INTO dialog (dialog_id, client_id, message_count) VALUES (?, ?, ?)")
        }

        /// Dialog `id` of `clientID` with `messages` messages; `variant` picks where in the
        /// conversation it starts.
        mutating func dialog(_ id: String, clientID: Int64?, messages: Int, variant: Int) throws {
            for message in 0..<messages {
                let incoming = message % 2 == 0
                insert.setUncheckedArguments([
                    "m\(nextID)", id, incoming ? 1 : 2, incoming ? "Клиент \(variant)" : "Менеджер",
                    Self.lines[(message + variant) % Self.lines.count], now - Int64(messages - message) * 600_000,
                ])
                try insert.execute()
                nextID += 1
            }
            dialog.setUncheckedArguments([id, clientID, messages])
            try dialog.execute()
        }
    }

    /// Page views through RecordPageViews: each visitor's views two minutes apart, a new visit every 25 views.
    private func ingest(_ client: RPCClient) async throws {
        let agents = [
            "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.113 Mobile Safari/537.36",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:125.0) Gecko/20100101 Firefox/125.0",
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Mobile/15E148 Safari/604.1",
        ]
        let perVisitor = pageViews / visitors
        let now = UTCMilliseconds.now()
        var random = SplitMix64(seed: 11)
        var batch: [InsightsV1.PageView] = []
        var recorded = 0
        let started = ContinuousClock.now
        for step in 0..<perVisitor {
            for visitor in 0..<visitors {
                var view = InsightsV1.PageView()
                view.viewID = "v\(visitor)-\(step)"
                view.visitorID = "visitor-\(visitor)"
                view.url = "https://shop.example/catalog/\(step % 40)?utm_source=yandex&utm_medium=cpc&utm_campaign=c\(visitor % 7)"
                view.title = "Каталог \(step % 40)"
                view.userAgent = agents[visitor % agents.count]
                view.ip = "\(1 + random.next() % 223).\(random.next() % 256).\(random.next() % 256).\(random.next() % 256)"
                view.language = "ru-RU"
                // A 45-minute gap every 25 views starts a new visit.
                view.viewedAtMs = now - Int64(perVisitor - step) * 120_000 - Int64((perVisitor - step) / 25) * 2_700_000
                batch.append(view)
                if batch.count == 1_000 {
                    var request = InsightsV1.RecordPageViewsRequest()
                    request.views = batch
                    recorded += Int(try await client.unary(InsightsV1.Insights.recordPageViews, request).recorded)
                    batch.removeAll(keepingCapacity: true)
                }
            }
        }
        if !batch.isEmpty {
            var request = InsightsV1.RecordPageViewsRequest()
            request.views = batch
            recorded += Int(try await client.unary(InsightsV1.Insights.recordPageViews, request).recorded)
        }
        let seconds = started.duration(to: .now).inSeconds
        print("page views ingested: \(recorded) in \(format(seconds)) s = \(Int(Double(recorded) / seconds)) views/s (batches of 1 000)")
    }

    /// The long dialog: the budget selection alone, then whole summaries.
    private func summarize(_ client: RPCClient, store: InsightsStore, configuration: InsightsConfiguration) async throws {
        let engine = SummaryEngine(tokenizer: configuration.tokenizer, budget: configuration.budget)
        var selection = LatencySamples()
        var picked = (messages: 0, tokens: 0, periodStartMs: Int64(0))
        for _ in 0..<summaries {
            let (result, elapsed) = try await measure { try await store.budgetSelection(dialogID: "dialog-0", engine: engine) }
            picked = result
            selection.add(elapsed)
        }
        var whole = LatencySamples()
        var request = InsightsV1.SummarizeRequest()
        request.dialogID = "dialog-0"
        for _ in 0..<summaries {
            let start = ContinuousClock.now
            _ = try await client.unary(InsightsV1.Insights.summarize, request)
            whole.add(start.duration(to: .now))
        }
        print(
            "summary of the long dialog (\(longDialog) messages): \(picked.messages) fit \(configuration.budget.usable) tokens "
                + "(\(picked.tokens) used)")
        print("  budget selection: p50 \(format(selection.percentile(50) / 1000)) ms, max \(format(selection.percentile(100) / 1000)) ms")
        print("  Summarize (selection + offline summary + store): p50 \(format(whole.percentile(50) / 1000)) ms, max \(format(whole.percentile(100) / 1000)) ms")
    }

    /// The Visit widget's call for random visitors.
    private func visits(_ client: RPCClient) async throws {
        var random = SplitMix64(seed: 5)
        func call() async throws -> Bool {
            var request = InsightsV1.GetPanelDataRequest()
            request.visitorID = "visitor-\(random.next() % UInt64(visitors))"
            request.visit = true
            return try await client.unary(InsightsV1.Insights.getPanelData, request).visit?.visit != nil
        }
        for _ in 0..<min(300, samples) { _ = try await call() }
        var result = LatencySamples()
        for _ in 0..<samples {
            let start = ContinuousClock.now
            guard try await call() else { throw ValidationError("a visitor had no visit") }
            result.add(start.duration(to: .now))
        }
        print("Visit widget (GetPanelData, \(pageViews / visitors) views a visitor): \(result.summary)")
    }
}
