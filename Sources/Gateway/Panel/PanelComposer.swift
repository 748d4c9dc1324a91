import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore

/// Composes a panel: the base client block first (the one critical part), then every other
/// visible widget from the upstream that composes it (``UpstreamDescriptor/widgets``), each
/// under what is left of the panel's deadline and each coming back with its own state.
struct PanelComposer: Sendable {
    /// The clients service: it answers the base client block.
    let clients: Upstream
    /// Every upstream that composes widgets, with its source.
    let sources: [(Upstream, WidgetSource)]
    /// By a widget kind's wire number: the position in `sources` of the source composing it, and
    /// its entry there.
    private let sourceOfKind: [(Int, WidgetSource.Widget)?]
    /// Layouts and settings.
    let store: GatewayStore
    /// The longest a panel may take.
    let panelTimeout: Duration

    /// A composer over the upstreams that compose widgets.
    init(upstreams: UpstreamSet, store: GatewayStore, panelTimeout: Duration) {
        self.clients = upstreams[.clients]
        let sources = upstreams.all.compactMap { upstream in upstream.descriptor.widgets.map { (upstream, $0) } }
        self.sources = sources
        var sourceOfKind: [(Int, WidgetSource.Widget)?] = []
        for (index, (_, source)) in sources.enumerated() {
            for entry in source.widgets {
                let number = Int(entry.kind.rawValue)
                if number >= sourceOfKind.count { sourceOfKind += Array(repeating: nil, count: number + 1 - sourceOfKind.count) }
                // The first source that composes a kind composes it.
                if sourceOfKind[number] == nil { sourceOfKind[number] = (index, entry) }
            }
        }
        self.sourceOfKind = sourceOfKind
        self.store = store
        self.panelTimeout = panelTimeout
    }

    /// The panel of the calling manager and a dialog, in the manager's layout.
    func panel(dialogID: String, context: RPCCallContext) async throws -> GatewayV1.Panel {
        let started = ContinuousClock.now
        let loadedAt = store.now()
        let deadline = min(context.deadline, started + panelTimeout)
        // Kept in memory by the store (read from the database once): no child tasks for them.
        let layout = try await store.layout(managerID: context.caller.managerID)
        let settings = try await store.settings()
        let (base, card) = try await clientBlock(
            dialogID: dialogID, caller: context.caller, deadline: deadline, requestID: context.requestID)

        let visible = layout.widgets.filter(\.visible)
        var widgets = await self.widgets(
            visible.map(\.kind), card: card, cardBytes: base.data, settings: settings, caller: context.caller, deadline: deadline)
        for (index, placement) in visible.enumerated() { widgets[index].collapsed = placement.collapsed }

        var panel = GatewayV1.Panel()
        panel.dialogID = dialogID
        panel.managerID = context.caller.managerID
        panel.layoutVersion = layout.version
        panel.client = base
        panel.widgets = widgets
        panel.elapsedMs = Self.milliseconds(since: started)
        panel.loadedAtMs = loadedAt
        return panel
    }

    /// The base client block: the panel fails without it.
    func clientBlock(
        dialogID: String, caller: RPCV1.Caller, deadline: ContinuousClock.Instant, requestID: String = ""
    ) async throws -> (GatewayV1.Widget, ClientsV1.ClientCardKeys) {
        let started = ContinuousClock.now
        var request = ClientsV1.GetClientCardRequest()
        request.target = .dialogID(dialogID)
        let bytes: [UInt8]
        do {
            bytes = try await clients.call(
                path: ClientsV1.Clients.getClientCard.path, payload: try request.serializedBytes(),
                options: RPCCallOptions(timeout: Self.remaining(until: deadline), caller: caller))
        } catch let error as RPCError where [.notFound, .invalidArgument, .permissionDenied].contains(error.code) {
            throw error
        } catch let error as RPCError {
            throw RPCError.unavailable("the client block is unavailable: \(error.message)")
        }
        // Only the card's keys are read: the widget carries the card's bytes as they came, and
        // the sources route on the client id and the dialog.
        let card = try ClientsV1.ClientCardKeys(serializedBytes: bytes)
        var widget = GatewayV1.Widget()
        widget.kind = .client
        widget.state = .ok
        widget.data = bytes
        widget.dataType = "chatpanel.clients.v1.ClientCard"
        widget.elapsedMs = Self.milliseconds(since: started)
        if card.client == nil { widget.reason = "the dialog's contact is not saved as a client yet" }
        return (widget, card)
    }

    /// The widgets of `kinds`, in that order. Settings and rights decide some without a call;
    /// the others are filled by the upstream composing them: sources that read only the client
    /// card in place, the one source that calls its service awaited directly, several at once.
    func widgets(
        _ kinds: [GatewayV1.WidgetKind], card: ClientsV1.ClientCardKeys, cardBytes: [UInt8], settings: GatewayV1.Settings,
        caller: RPCV1.Caller, deadline: ContinuousClock.Instant, completedTasksSinceMs: Int64? = nil
    ) async -> [GatewayV1.Widget] {
        var widgets: [GatewayV1.Widget] = []
        // The positions each source fills. (Built by mapping, not `Array(repeating:count:)`,
        // which allocates in unspecialized standard library code: a run-time look-up of the
        // array's storage type on every panel.)
        var pending: [[Int]] = sources.map { _ in [] }
        for kind in kinds {
            if let decided = Self.decided(kind, settings: settings) {
                widgets.append(decided)
                continue
            }
            var widget = GatewayV1.Widget()
            widget.kind = kind
            guard let (index, entry) = source(of: kind) else {
                widgets.append(widget.with(.unavailable, "not configured"))
                continue
            }
            if let right = entry.right, !caller.has(right) {
                widgets.append(widget.with(.forbidden, entry.forbiddenReason))
                continue
            }
            widget.state = .ok
            widget.dataType = entry.dataType
            pending[index].append(widgets.count)
            widgets.append(widget)
        }
        let request = WidgetSource.Request(
            card: card, cardBytes: cardBytes, caller: caller, deadline: deadline, completedTasksSinceMs: completedTasksSinceMs)
        var remote: [Int] = []
        for (index, positions) in pending.enumerated() where !positions.isEmpty {
            if sources[index].1.callsUpstream {
                remote.append(index)
            } else {
                await fill(&widgets, from: index, at: positions, request)
            }
        }
        if remote.count == 1 {
            await fill(&widgets, from: remote[0], at: pending[remote[0]], request)
        } else if remote.count > 1 {
            let filled = await withTaskGroup(of: (Int, [GatewayV1.Widget]).self) { group in
                for index in remote {
                    let (upstream, source) = sources[index]
                    let mine = pending[index].map { widgets[$0] }
                    group.addTask { (index, await source.fill(upstream, request, mine)) }
                }
                var results: [(Int, [GatewayV1.Widget])] = []
                for await result in group { results.append(result) }
                return results
            }
            for (index, results) in filled {
                for (position, widget) in zip(pending[index], results) { widgets[position] = widget }
            }
        }
        GatewayMetrics.record(widgets)
        return widgets
    }

    private func fill(_ widgets: inout [GatewayV1.Widget], from index: Int, at positions: [Int], _ request: WidgetSource.Request) async {
        let (upstream, source) = sources[index]
        let filled = await source.fill(upstream, request, positions.map { widgets[$0] })
        for (position, widget) in zip(positions, filled) { widgets[position] = widget }
    }

    private func source(of kind: GatewayV1.WidgetKind) -> (Int, WidgetSource.Widget)? {
        let number = Int(kind.rawValue)
        return sourceOfKind.indices.contains(number) ? sourceOfKind[number] : nil
    }

    /// A widget the module and chat settings switch off (PANEL-4): nil when they allow it.
    private static func decided(_ kind: GatewayV1.WidgetKind, settings: GatewayV1.Settings) -> GatewayV1.Widget? {
        let reason: String
        switch kind {
        case .tasks where !settings.tasksWidgetEnabled: reason = "the tasks widget is switched off in the chat settings"
        case .summary where !settings.summaryBotEnabled: reason = "the summary bot is switched off"
        case .visit where !settings.siteChatEnabled: reason = "the online-consultant (site chat) module is off"
        default: return nil
        }
        var widget = GatewayV1.Widget()
        widget.kind = kind
        return widget.with(.disabled, reason)
    }

    /// What is left until `deadline` (at least 1 ms, so a call still says it timed out).
    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.milliseconds(1), ContinuousClock.now.duration(to: deadline))
    }

    /// Milliseconds since `start`, for `elapsed_ms`.
    static func milliseconds(since start: ContinuousClock.Instant) -> UInt32 {
        UInt32(clamping: start.duration(to: .now).milliseconds)
    }
}
