public import ChatPanelRPC
public import ChatPanelRuntime
public import Logging
public import ServiceLifecycle

/// The insights process's RPC service, `chatpanel.insights.v1.Insights`: the dialogs'
/// messages and their summaries (SUMMARY-1..4), the site tracker's page views and the visit
/// (VISIT-1..6), and moving a client's records on a merge (CLIENT-9).
///
/// Each handler checks the caller (its rights, then its manager id where the call needs one),
/// validates the request (INVALID_ARGUMENT naming every bad field), and calls one
/// ``InsightsStore`` method:
///
/// ```swift
/// let configuration = try InsightsConfiguration.load()
/// let host = try ServiceHost<InsightsService>(configuration: configuration, stateDirectory: stateDirectory, logger: logger)
/// ```
public struct InsightsService: ChatPanelService {
    /// `insights`.
    public static let name = "insights"
    /// The service's database.
    public let store: InsightsStore
    /// Its settings and loaded parts.
    public let configuration: InsightsConfiguration
    private let logger: Logger

    /// The service over its store.
    public init(store: InsightsStore, configuration: InsightsConfiguration, logger: Logger) {
        self.store = store
        self.configuration = configuration
        self.logger = logger
    }

    /// The routes of every method of `chatpanel.insights.v1.Insights`.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        Self.registerMessageMethods(on: &router, store: store, configuration: configuration)
        Self.registerVisitMethods(on: &router, store: store, configuration: configuration)
        return router
    }

    /// The sweep that forgets IP addresses older than the retention.
    public func makeBackgroundServices() -> [any Service] {
        guard let retention = configuration.ipRetention else { return [] }
        return [IPRetentionSweeper(store: store, retention: retention, logger: logger)]
    }
}
