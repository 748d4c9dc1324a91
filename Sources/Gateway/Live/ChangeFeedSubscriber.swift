import ChatPanelProto
import ChatPanelRPC
import Logging
import ServiceLifecycle
import Synchronization

/// The gateway's one subscription to a service's change feed (`Changes/Watch`): hands every
/// change to the open panel watches, resumes from the last position it saw when the stream
/// breaks (the service restarted, the connection dropped), and asks the watches for whole
/// panels when the service no longer holds that position. A `Service` of the gateway process.
///
/// The feed has a connection of its own (its own client, at the upstream's socket): its
/// reconnect attempts while the service is away do not put the panels' client into backoff,
/// and the panels' calls do not ride on a connection the feed keeps open.
final class ChangeFeedSubscriber: Service, Sendable {
    /// What the gateway's health says of the feed.
    struct Status: Sendable {
        var isConnected = false
        /// The last position seen; nil before the first subscription.
        var position: Int64?
        /// Why the feed is down, when it is.
        var lastError = ""
        /// How often the feed lost its place and the watches were sent whole panels.
        var gaps = 0
        /// How many times the subscription was made.
        var subscriptions = 0
    }

    let upstream: Upstream
    private let client: RPCClient
    private let hub: PanelWatchHub
    private let configuration: LiveConfiguration
    private let logger: Logger
    private let status = Mutex(Status())

    init(upstream: Upstream, hub: PanelWatchHub, configuration: LiveConfiguration, logger: Logger) {
        self.upstream = upstream
        self.client = RPCClient(configuration: upstream.client.configuration)
        self.hub = hub
        self.configuration = configuration
        self.logger = logger
    }

    /// The feed's state now.
    var currentStatus: Status { status.withLock { $0 } }

    /// The widgets the upstream's data feeds (its composed widgets; the base block for clients).
    var kinds: Set<GatewayV1.WidgetKind> {
        var kinds = Set(upstream.descriptor.widgets?.widgets.map(\.kind) ?? [])
        if upstream.descriptor.name == UpstreamDescriptor.clients.name { kinds.insert(.client) }
        return kinds
    }

    /// Subscribes, and again after every break (waiting 50 ms, doubling up to the configured
    /// most), until the gateway shuts down.
    func run() async throws {
        await follow()
        await client.close()
    }

    private func follow() async {
        var wait = configuration.feedRetryInitial
        while !Task.isCancelled, !Task.isShuttingDownGracefully {
            do {
                try await cancelWhenGracefulShutdown { try await self.subscribe() }
            } catch {
                if Task.isCancelled || Task.isShuttingDownGracefully { return }
                let wasConnected = status.withLock { status in
                    defer {
                        status.isConnected = false
                        status.lastError = "\(error)"
                    }
                    return status.isConnected
                }
                if wasConnected {
                    wait = configuration.feedRetryInitial
                    logger.warning(
                        "gateway.feed.lost",
                        metadata: ["chatpanel.gateway.upstream": "\(upstream.name)", "chatpanel.gateway.error": "\(error)"])
                    // The service may be gone: the watches compose its widgets again, so that they
                    // show it (unavailable) instead of their last data as if it were current.
                    hub.markAll(kinds)
                }
            }
            if Task.isCancelled || Task.isShuttingDownGracefully { return }
            do {
                try await cancelWhenGracefulShutdown { [wait] in try await Task.sleep(for: wait) }
            } catch {
                return
            }
            wait = min(wait * 2, configuration.feedRetryMaximum)
        }
    }

    /// One subscription, until it breaks.
    private func subscribe() async throws {
        let (after, resumed) = status.withLock { ($0.position, $0.subscriptions > 0) }
        var request = ChangesV1.WatchRequest()
        // Starting out there is nothing to catch up on: the panels are composed fresh.
        if let after { request.afterPosition = after } else { request.fromHead = true }
        let batches = client.serverStreaming(
            ChangesV1.Changes.watch, request, options: RPCCallOptions(timeout: configuration.feedCallTimeout))
        var first = true
        for try await batch in batches {
            if first {
                first = false
                status.withLock { status in
                    status.isConnected = true
                    status.lastError = ""
                    status.subscriptions += 1
                }
                logger.info(
                    "gateway.feed.subscribed",
                    metadata: ["chatpanel.gateway.upstream": "\(upstream.name)", "chatpanel.gateway.position": "\(batch.headPosition)"])
                // Back after a break: what the watches composed while the service was away
                // (unavailable widgets) is composed again, beside the changes resent below.
                if resumed { hub.markAll(kinds) }
            }
            if batch.gap {
                status.withLock { status in
                    status.gaps += 1
                    status.position = batch.headPosition
                }
                logger.notice("gateway.feed.gap", metadata: ["chatpanel.gateway.upstream": "\(upstream.name)"])
                hub.resendWholePanels()
                continue
            }
            if !batch.changes.isEmpty { hub.deliver(batch.changes) }
            if let position = batch.changes.last?.position ?? (after == nil ? batch.headPosition : nil) {
                status.withLock { $0.position = max($0.position ?? 0, position) }
            }
        }
        throw RPCError.unavailable("the change feed of \(upstream.name) ended")
    }

    /// The feed as a `Health/Check` component of the gateway (`<upstream>.feed`).
    func health(watches: Int) -> HealthV1.ComponentHealth {
        let status = currentStatus
        let detail =
            "position \(status.position.map(String.init) ?? "none"), \(watches) watches, \(status.subscriptions) subscriptions, \(status.gaps) gaps"
            + (status.lastError.isEmpty ? "" : ": \(status.lastError)")
        return HealthV1.ComponentHealth(name: "\(upstream.name).feed", status: status.isConnected ? .serving : .notServing, detail: detail)
    }
}
