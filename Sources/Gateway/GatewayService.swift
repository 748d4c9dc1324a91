public import ChatPanelProto
public import ChatPanelRPC
public import ChatPanelRuntime
import ChatPanelStore
public import Logging
public import ServiceLifecycle

/// The gateway: composes the panel, keeps layouts and settings, forwards widget actions with
/// the caller's identity, deadline and request id, and runs the merge workflow. Its upstreams
/// come from ``UpstreamDescriptor/all``.
///
/// Every handler checks the caller's rights before it validates the request, so a caller
/// without the right learns nothing about the request's other faults.
///
/// ```swift
/// let host = try ServiceHost<GatewayService>(
///     configuration: GatewayConfiguration(clientsSocket: "...", tasksSocket: "..."), stateDirectory: stateDirectory, logger: logger)
/// try await ChatPanelProcess.run(host, configuration: configuration, environment: environment, logger: logger)
/// ```
public final class GatewayService: ChatPanelService {
    /// `gateway`.
    public static let name = "gateway"
    /// Every upstream, one per ``UpstreamDescriptor/all`` entry.
    public let upstreams: UpstreamSet
    /// The gateway's database.
    public let store: GatewayStore
    /// Runs merge workflows; a `Service` for the process's group.
    public let mergeRunner: MergeWorkflowRunner
    /// Composes panels and widget refreshes.
    let composer: PanelComposer
    /// The actions `Act` forwards, by method path.
    let actions: ActionCatalog
    /// The longest a panel or a refresh may take.
    let panelTimeout: Duration
    /// The live panel's settings.
    let live: LiveConfiguration
    /// The open panel watches.
    let watches: PanelWatchHub
    /// One change feed subscription per upstream; `Service`s of the process's group.
    let feeds: [ChangeFeedSubscriber]

    /// A gateway over its upstreams.
    public init(store: GatewayStore, configuration: GatewayConfiguration, logger: Logger) {
        GatewayMetrics.prepare()
        let upstreams = UpstreamSet(UpstreamDescriptor.all, configuration: configuration)
        self.upstreams = upstreams
        self.store = store
        self.panelTimeout = configuration.panelTimeout
        self.live = configuration.live
        let watches = PanelWatchHub()
        self.watches = watches
        self.feeds = upstreams.all.map { upstream in
            ChangeFeedSubscriber(upstream: upstream, hub: watches, configuration: configuration.live, logger: logger)
        }
        self.composer = PanelComposer(
            upstreams: upstreams, store: store, panelTimeout: configuration.panelTimeout, keyHints: configuration.panelKeyHints)
        self.actions = ActionCatalog(upstreams: upstreams)
        self.mergeRunner = MergeWorkflowRunner(
            store: store, steps: Self.mergeSteps(upstreams), retry: configuration.mergeRetry, logger: logger)
    }

    /// How many `WatchPanel` calls are open.
    public var openWatches: Int { watches.count }

    /// The clients service.
    public var clients: Upstream { upstreams[.clients] }
    /// The tasks service.
    public var tasks: Upstream { upstreams[.tasks] }

    /// The gateway's long-lived parts for the process's `ServiceGroup`: every upstream (each
    /// closes its client on shutdown), then the merge runner and the change feed subscriptions.
    /// A group shuts its services down in reverse order, so the runner and the feeds stop before
    /// the upstreams they call close.
    public var services: [any Service] { upstreams.all + [mergeRunner] + feeds }

    /// The steps of a merge (CLIENT-9), one per upstream that keeps something per client, in
    /// ``UpstreamDescriptor/all``'s order: the clients service merges the client records
    /// (dialogs, tags, phones, custom values move), then the merged client's tasks and notes move.
    static func mergeSteps(_ upstreams: UpstreamSet) -> [MergeStep] {
        upstreams.all.compactMap { upstream in
            upstream.descriptor.mergeStep.map { step in MergeStep(name: step.name) { context in try await step.run(upstream, context) } }
        }
    }

    /// Health beside the database: each upstream's, in ``UpstreamDescriptor/all``'s order, then
    /// each upstream's change feed (`clients.feed`: subscribed or not, its position, the open watches).
    public func healthComponents() async -> [HealthV1.ComponentHealth] {
        let watching = watches.count
        return await upstreamHealth() + feeds.map { $0.health(watches: watching) }
    }

    private func upstreamHealth() async -> [HealthV1.ComponentHealth] {
        await withTaskGroup(of: (Int, HealthV1.ComponentHealth).self) { [upstreams] group in
            for (index, upstream) in upstreams.all.enumerated() {
                group.addTask { (index, await upstream.health()) }
            }
            var components: [(Int, HealthV1.ComponentHealth)] = []
            for await component in group { components.append(component) }
            return components.sorted { $0.0 < $1.0 }.map(\.1)
        }
    }

    /// The upstreams and the merge runner (see ``services``).
    public func makeBackgroundServices() -> [any Service] { services }

    /// Every gateway method.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        registerPanel(on: &router)
        registerWatch(on: &router)
        registerLayoutAndSettings(on: &router)
        registerActions(on: &router)
        registerMerge(on: &router)
        return router
    }
}
