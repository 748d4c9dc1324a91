import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore

/// Composes a panel: the base client block (the one critical part) and every other visible
/// widget from the upstream that composes it (``UpstreamDescriptor/widgets``), each under what
/// is left of the panel's deadline and each coming back with its own state. The other widgets
/// are asked for with the card's keys: after the card, or beside it with the keys the dialog's
/// card had last time (``DialogKeyHints``).
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
    /// The keys of the cards of dialogs whose panels were composed lately (nil: not remembered).
    let hints: DialogKeyHints?

    /// A composer over the upstreams that compose widgets.
    init(upstreams: UpstreamSet, store: GatewayStore, panelTimeout: Duration, keyHints: Int) {
        hints = keyHints > 0 ? DialogKeyHints(capacity: keyHints) : nil
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
    ///
    /// The widgets of services other than clients need the card's keys (the client id above
    /// all). When the dialog's panel was composed lately, they are asked for with the keys its
    /// card had then, while the card is read: a sequential panel waits for one round of calls
    /// instead of two. They are kept only when the card comes back with the same keys, and
    /// asked for again with the card's keys otherwise (see ``DialogKeyHints``).
    func panel(dialogID: String, context: RPCCallContext) async throws -> GatewayV1.Panel {
        let started = ContinuousClock.now
        let loadedAt = store.now()
        let deadline = min(context.deadline, started + panelTimeout)
        // Kept in memory by the store (read from the database once): no child tasks for them.
        let layout = try await store.layout(managerID: context.caller.managerID)
        let settings = try await store.settings()
        // Gathered into arrays sized once (`filter` grows its array as it goes).
        var visible: [GatewayV1.WidgetLayout] = []
        visible.reserveCapacity(layout.widgets.count)
        var kinds: [GatewayV1.WidgetKind] = []
        kinds.reserveCapacity(layout.widgets.count)
        for widget in layout.widgets where widget.visible {
            visible.append(widget)
            kinds.append(widget.kind)
        }
        var plan = plan(kinds, settings: settings, caller: context.caller)
        let caller = context.caller
        func request(_ card: ClientsV1.ClientCardKeys, _ cardBytes: [UInt8] = []) -> WidgetSource.Request {
            WidgetSource.Request(card: card, cardBytes: cardBytes, caller: caller, deadline: deadline, completedTasksSinceMs: nil)
        }

        let base: GatewayV1.Widget
        let card: ClientsV1.ClientCardKeys
        let remote: [(Int, [GatewayV1.Widget])]
        let hint = plan.callsUpstream ? hints?.keys(of: dialogID) : nil
        if let hint {
            // The card's call first (the panel waits for it), then the calls with the hinted
            // keys: all under way while the card is read.
            let block = startClientBlock(dialogID: dialogID, caller: caller, deadline: deadline)
            let early = startRemote(plan, request(hint))
            do {
                (base, card) = try await clientBlock(block)
            } catch {
                for (_, filling) in early { filling.cancel() }
                hints?.forget(dialogID)
                throw error
            }
            GatewayMetrics.recordHint(kept: card == hint)
            if card == hint {
                remote = await finish(early)
            } else {
                for (_, filling) in early { filling.cancel() }
                remote = await finish(startRemote(plan, request(card)))
            }
        } else {
            (base, card) = try await clientBlock(dialogID: dialogID, caller: caller, deadline: deadline)
            remote = await finish(startRemote(plan, request(card)))
        }
        // (A hint that was looked up and held is remembered already.)
        if card != hint { hints?.remember(card, for: dialogID) }
        await fillLocal(&plan, request(card, base.data))
        plan.place(remote)
        GatewayMetrics.record(plan.widgets)
        // Set in the plan's own array: a second variable holding it would copy every widget on
        // the first change.
        for (index, placement) in visible.enumerated() { plan.widgets[index].collapsed = placement.collapsed }

        var panel = GatewayV1.Panel()
        panel.dialogID = dialogID
        panel.managerID = context.caller.managerID
        panel.layoutVersion = layout.version
        panel.client = base
        panel.widgets = plan.widgets
        panel.elapsedMs = Self.milliseconds(since: started)
        panel.loadedAtMs = loadedAt
        return panel
    }

    /// The base client block: the panel fails without it.
    func clientBlock(
        dialogID: String, caller: RPCV1.Caller, deadline: ContinuousClock.Instant
    ) async throws -> (GatewayV1.Widget, ClientsV1.ClientCardKeys) {
        try await clientBlock(startClientBlock(dialogID: dialogID, caller: caller, deadline: deadline))
    }

    /// The base client block's call, under way: ``clientBlock(_:)`` awaits it.
    struct StartedClientBlock {
        let started: ContinuousClock.Instant
        let call: RPCClient.UnaryCall
    }

    /// Starts the base client block's call and returns at once.
    func startClientBlock(dialogID: String, caller: RPCV1.Caller, deadline: ContinuousClock.Instant) -> StartedClientBlock {
        let started = ContinuousClock.now
        var request = ClientsV1.GetClientCardRequest()
        request.target = .dialogID(dialogID)
        return StartedClientBlock(
            started: started,
            call: clients.start(
                ClientsV1.Clients.getClientCard, request, options: RPCCallOptions(timeout: Self.remaining(until: deadline), caller: caller)))
    }

    /// The base client block of a started call.
    func clientBlock(_ block: StartedClientBlock) async throws -> (GatewayV1.Widget, ClientsV1.ClientCardKeys) {
        let bytes: [UInt8]
        do {
            bytes = try await block.call.answer()
        } catch let error as RPCError where [.notFound, .invalidArgument, .permissionDenied].contains(error.code) {
            throw error
        } catch let error as RPCError {
            throw RPCError.unavailable("the client block is unavailable: \(error.message)")
        }
        // Only the card's keys are read: the widget carries the card's bytes as they came, and
        // the sources route on the client id and the dialog.
        let card = try ClientsV1.ClientCardKeys(card: bytes)
        var widget = GatewayV1.Widget()
        widget.kind = .client
        widget.state = .ok
        widget.data = bytes
        widget.dataType = "chatpanel.clients.v1.ClientCard"
        widget.elapsedMs = Self.milliseconds(from: block.started, to: block.call.completedAt ?? .now)
        if card.client == nil { widget.reason = "the dialog's contact is not saved as a client yet" }
        return (widget, card)
    }

    /// The widgets of `kinds`, in that order. Settings and rights decide some without a call;
    /// the others are filled by the upstream composing them: sources that read only the client
    /// card in place, and the calls of the others all started before any is awaited.
    func widgets(
        _ kinds: [GatewayV1.WidgetKind], card: ClientsV1.ClientCardKeys, cardBytes: [UInt8], settings: GatewayV1.Settings,
        caller: RPCV1.Caller, deadline: ContinuousClock.Instant, completedTasksSinceMs: Int64? = nil
    ) async -> [GatewayV1.Widget] {
        var plan = plan(kinds, settings: settings, caller: caller)
        let request = WidgetSource.Request(
            card: card, cardBytes: cardBytes, caller: caller, deadline: deadline, completedTasksSinceMs: completedTasksSinceMs)
        let remote = startRemote(plan, request)
        await fillLocal(&plan, request)
        plan.place(await finish(remote))
        GatewayMetrics.record(plan.widgets)
        return plan.widgets
    }

    /// Widgets decided, and the positions each source is to fill.
    private struct WidgetPlan: Sendable {
        /// Every widget in order: decided ones final, the others with their kind, OK state and data type.
        var widgets: [GatewayV1.Widget]
        /// By source (as in ``sources``): the positions it fills.
        var pending: [[Int]]
        /// The sources with positions to fill that call their service.
        var remote: [Int]
        /// The sources with positions to fill that read only the card.
        var local: [Int]

        /// Whether a source calls its service.
        var callsUpstream: Bool { !remote.isEmpty }

        /// Puts sources' widgets in their positions.
        mutating func place(_ filled: [(Int, [GatewayV1.Widget])]) {
            for (index, results) in filled {
                for (position, widget) in zip(pending[index], results) { widgets[position] = widget }
            }
        }
    }

    /// Decides what settings and rights decide, and which source fills each other widget.
    private func plan(_ kinds: [GatewayV1.WidgetKind], settings: GatewayV1.Settings, caller: RPCV1.Caller) -> WidgetPlan {
        var widgets: [GatewayV1.Widget] = []
        widgets.reserveCapacity(kinds.count)
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
        var remote: [Int] = []
        var local: [Int] = []
        for (index, positions) in pending.enumerated() where !positions.isEmpty {
            if sources[index].1.callsUpstream { remote.append(index) } else { local.append(index) }
        }
        return WidgetPlan(widgets: widgets, pending: pending, remote: remote, local: local)
    }

    /// Fills the widgets of the sources that read only the card.
    private func fillLocal(_ plan: inout WidgetPlan, _ request: WidgetSource.Request) async {
        for index in plan.local {
            let (upstream, source) = sources[index]
            let filled = await source.start(upstream, request, plan.pending[index].map { plan.widgets[$0] }).widgets()
            plan.place([(index, filled)])
        }
    }

    /// Starts the calls of the sources that call their services: all of them are under way
    /// when this returns (``finish(_:)`` awaits them, each filling's ``WidgetSource/Filling/cancel()``
    /// gives one up).
    private func startRemote(_ plan: WidgetPlan, _ request: WidgetSource.Request) -> [(Int, WidgetSource.Filling)] {
        plan.remote.map { index in
            let (upstream, source) = sources[index]
            return (index, source.start(upstream, request, plan.pending[index].map { plan.widgets[$0] }))
        }
    }

    /// The widgets of started sources, awaited in turn: the calls were under way together, so
    /// this takes as long as the slowest, with no task for each source. A cancelled panel
    /// cancels each call as it comes to it.
    private func finish(_ fillings: [(Int, WidgetSource.Filling)]) async -> [(Int, [GatewayV1.Widget])] {
        var results: [(Int, [GatewayV1.Widget])] = []
        results.reserveCapacity(fillings.count)
        for (index, filling) in fillings { results.append((index, await filling.widgets())) }
        return results
    }

    private func source(of kind: GatewayV1.WidgetKind) -> (Int, WidgetSource.Widget)? {
        let number = Int(kind.rawValue)
        return sourceOfKind.indices.contains(number) ? sourceOfKind[number] : nil
    }

    /// A widget the module and chat settings switch off (PANEL-4): nil when they allow it.
    private static func decided(_ kind: GatewayV1.WidgetKind, settings: GatewayV1.Settings) -> GatewayV1.Widget? {
        let reason: String
        switch kind {
        case .tasks where !settings.tasksWidgetEnabled: reason = RequiredSetting.tasksWidget.reason
        case .summary where !settings.summaryBotEnabled: reason = RequiredSetting.summaryBot.reason
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
        milliseconds(from: start, to: .now)
    }

    /// Milliseconds from `start` to `end`, for `elapsed_ms`.
    static func milliseconds(from start: ContinuousClock.Instant, to end: ContinuousClock.Instant) -> UInt32 {
        UInt32(clamping: start.duration(to: end).milliseconds)
    }
}
