import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import ChatPanelTesting
import Foundation
import InsightsService
import Synchronization
import Testing

/// A live insights service on a temporary socket (its own directory and database), and a client.
struct InsightsHarness {
    /// The client connected to the service's socket.
    let client: RPCClient
    /// The service's store.
    let store: InsightsStore
    /// The store's clock (tests move it).
    let clock: TestClock

    /// Calls `method` as `caller`, with an optional request id.
    func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = .feed, requestID: String = ""
    ) async throws -> Response {
        // A deadline far above the 5 s default: a summary waits for the model's answer (a local
        // test server), which took longer under a sanitizer with the whole suite running. Tests of
        // the model's deadline set it in the provider's settings.
        try await client.unary(method, request, options: RPCCallOptions(timeout: .seconds(30), caller: caller, requestID: requestID))
    }

    /// Feeds `messages` as the chat back end.
    @discardableResult
    func append(_ messages: [InsightsV1.Message]) async throws -> InsightsV1.AppendMessagesResponse {
        var request = InsightsV1.AppendMessagesRequest()
        request.messages = messages
        return try await call(InsightsV1.Insights.appendMessages, request)
    }

    /// Feeds `views` as the site tracker.
    @discardableResult
    func record(_ views: [InsightsV1.PageView]) async throws -> InsightsV1.RecordPageViewsResponse {
        var request = InsightsV1.RecordPageViewsRequest()
        request.views = views
        return try await call(InsightsV1.Insights.recordPageViews, request)
    }

    /// Summarizes `dialog` as manager 1.
    func summarize(_ dialog: String, requestID: String = "") async throws -> InsightsV1.Summary {
        var request = InsightsV1.SummarizeRequest()
        request.dialogID = dialog
        return try #require(try await call(InsightsV1.Insights.summarize, request, as: .manager(1), requestID: requestID).summary)
    }

    /// The visit of a visitor.
    func visit(visitor: String = "", client: Int64 = 0) async throws -> InsightsV1.GetVisitResponse {
        var request = InsightsV1.GetVisitRequest()
        request.visitorID = visitor
        request.clientID = client
        return try await call(InsightsV1.Insights.getVisit, request, as: .manager(1))
    }
}

/// A settable clock, in UTC ms.
final class TestClock: Sendable {
    private let value: Mutex<Int64>
    init(_ start: Int64) { value = Mutex(start) }
    /// Now.
    func now() -> Int64 { value.withLock { $0 } }
    /// Sets now.
    func set(_ time: Int64) { value.withLock { $0 = time } }
}

/// The process's loaded parts (vocabulary, uap-core rules, country ranges), loaded once.
func loadedConfiguration() throws -> InsightsConfiguration {
    try InsightsConfiguration.load()
}

/// Runs `body` against a fresh insights service over a real Unix socket, with the store's clock
/// at `now`, `budget` as the summary's token budget, and the summary provider and the city
/// database when given.
func withInsightsService<T>(
    now: Int64 = Time.at("2026-05-04T12:00:00Z"), budget: TokenBudget = TokenBudget(), ipRetention: Duration? = .seconds(86_400),
    provider: ChatCompletionsSettings? = nil, cityDatabase: String? = nil, _ body: (InsightsHarness) async throws -> T
) async throws -> T {
    var configuration = try cityDatabase.map { try InsightsConfiguration.load(cityDatabasePath: $0) } ?? loadedConfiguration()
    configuration.budget = budget
    configuration.ipRetention = ipRetention
    configuration.summaryProvider = provider
    let clock = TestClock(now)
    var storeConfiguration = StoreConfiguration()
    storeConfiguration.now = { clock.now() }
    return try await withTemporaryDirectory { directory in
        try await withLiveServiceClient(
            InsightsService.self, configuration: configuration, in: directory, storeConfiguration: storeConfiguration
        ) { host, client in
            try await body(InsightsHarness(client: client, store: host.store, clock: clock))
        }
    }
}

extension RPCV1.Caller {
    /// The chat back end or the site tracker (feeds need RIGHT_ADMIN).
    static let feed = RPCV1.Caller(managerID: 0, rights: [.admin])

    /// A manager with `rights`.
    static func manager(_ id: Int64, _ rights: [RPCV1.Right] = []) -> RPCV1.Caller {
        RPCV1.Caller(managerID: id, rights: rights)
    }
}

/// UTC times written as ISO 8601.
enum Time {
    /// "2026-05-04T12:00:00Z" in UTC ms.
    static func at(_ text: String) -> Int64 {
        Int64(ISO8601DateFormatter().date(from: text)!.timeIntervalSince1970 * 1000)
    }

    static let minute: Int64 = 60_000
}

/// Request builders.
enum Make {
    static func message(
        _ id: String, dialog: String = "d1", _ direction: InsightsV1.Direction = .in, author: String = "", text: String, at: Int64
    ) -> InsightsV1.Message {
        var message = InsightsV1.Message()
        message.messageID = id
        message.dialogID = dialog
        message.direction = direction
        message.author = author.isEmpty ? (direction == .in ? "Анна" : "Менеджер") : author
        message.text = text
        message.sentAtMs = at
        return message
    }

    static func view(
        _ id: String, visitor: String = "v1", url: String = "https://shop.example/", title: String = "Магазин", at: Int64,
        client: Int64 = 0, userAgent: String = chromeOnAndroid, ip: String = "77.88.8.8", language: String = "ru-RU",
        referrer: String = ""
    ) -> InsightsV1.PageView {
        var view = InsightsV1.PageView()
        view.viewID = id
        view.visitorID = visitor
        view.url = url
        view.title = title
        view.viewedAtMs = at
        view.clientID = client
        view.userAgent = userAgent
        view.ip = ip
        view.language = language
        view.referrer = referrer
        return view
    }

    static let chromeOnAndroid =
        "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.113 Mobile Safari/537.36"
}
