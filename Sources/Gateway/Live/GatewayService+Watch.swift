import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Synchronization

extension GatewayService {
    /// `WatchPanel`: the whole panel, then the widgets that changed, until the caller cancels or
    /// the gateway shuts down (a subscription: see ``ChatPanelRPC/RPCRouter``).
    func registerWatch(on router: inout RPCRouter) {
        router.register(GatewayV1.Gateway.watchPanel, isSubscription: true) { [self] request, writer, context in
            _ = try context.managerID(for: "watching a panel")
            guard !request.dialogID.isEmpty else { throw RPCError.invalidArgument(field: "dialog_id", "must not be empty") }
            let watcher = PanelWatcher(
                managerID: context.caller.managerID, dialogID: request.dialogID, wholePanelAfter: live.wholePanelAfter)
            // Filed before the panel is composed: a change made meanwhile is sent after it.
            watches.add(watcher)
            defer {
                watches.remove(watcher)
                watcher.finish()
            }
            // "On the site now" ends without a change to report: a timer marks the Visit widget
            // when the last view it shows turns 30 minutes old.
            let onSiteNow = OnSiteNowTimer(watcher: watcher)
            defer { onSiteNow.cancel() }
            var panel = try await composer.panel(dialogID: request.dialogID, context: context)
            watches.update(watcher, keys: Self.keys(of: panel))
            onSiteNow.schedule(for: panel.widgets.first { $0.kind == .visit })
            try await send(PanelUpdateMaker.whole(panel, changedAtMs: 0), to: writer)
            var wakeUps = watcher.wakeUps.makeAsyncIterator()
            while await wakeUps.next() != nil {
                let pending = watcher.take()
                if pending.isEmpty { continue }
                if !pending.wholePanel {
                    let widgets = await changedWidgets(pending.kinds, of: panel, context: context)
                    if let widgets {
                        guard !widgets.isEmpty else { continue }
                        panel.replace(widgets)
                        if let visit = widgets.first(where: { $0.kind == .visit }) { onSiteNow.schedule(for: visit) }
                        try await send(PanelUpdateMaker.widgets(widgets, changedAtMs: pending.changedAtMs), to: writer)
                        continue
                    }
                }
                panel = try await composer.panel(dialogID: request.dialogID, context: context)
                watches.update(watcher, keys: Self.keys(of: panel))
                onSiteNow.schedule(for: panel.widgets.first { $0.kind == .visit })
                try await send(PanelUpdateMaker.whole(panel, changedAtMs: pending.changedAtMs), to: writer)
            }
        }
    }

    /// The changed widgets of `panel` among `kinds`, recomposed, in the panel's order (the base
    /// block first); nil when the panel is to be sent whole: the dialog's client changed.
    private func changedWidgets(
        _ kinds: Set<GatewayV1.WidgetKind>, of panel: GatewayV1.Panel, context: RPCCallContext
    ) async -> [GatewayV1.Widget]? {
        let shown = [GatewayV1.WidgetKind.client] + panel.widgets.map(\.kind)
        let changed = shown.filter(kinds.contains)
        guard !changed.isEmpty else { return [] }
        // The card the panel shows serves the other widgets unless the change is to the card itself.
        let known = panel.client.flatMap { base in
            base.state == .ok ? (try? ClientsV1.ClientCardKeys(card: base.data)).map { DialogBlock(base: base, keys: $0) } : nil
        }
        var widgets = await refreshed(
            changed, dialogID: panel.dialogID, known: known, completedTasksSinceMs: panel.loadedAtMs, context: context)
        if let base = widgets.first(where: { $0.kind == .client }), base.state == .ok {
            let before = try? ClientsV1.ClientCardKeys(card: panel.client?.data ?? [])
            let after = try? ClientsV1.ClientCardKeys(card: base.data)
            if before?.client?.clientID != after?.client?.clientID { return nil }
        }
        for index in widgets.indices {
            widgets[index].collapsed = panel.widgets.first { $0.kind == widgets[index].kind }?.collapsed ?? false
        }
        return widgets
    }

    /// Sends an update, giving up on a watcher that does not take it within the stall timeout
    /// (its socket stays full): RESOURCE_EXHAUSTED ends the call, and the send left behind
    /// finishes when the socket drains or closes.
    private func send(_ update: GatewayV1.PanelUpdate, to writer: RPCServerStreamWriter<GatewayV1.PanelUpdate>) async throws {
        let timeout = live.stallTimeout
        let outcome = FirstOutcome()
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
                outcome.start(continuation)
                let sending = Task {
                    do {
                        try await writer.send(update, inOnePass: true)  // the live panel: the hot path
                        outcome.resume(with: .success(()))
                    } catch {
                        outcome.resume(with: .failure(error))
                    }
                }
                let timer = Task {
                    guard (try? await Task.sleep(for: timeout)) != nil else { return }
                    outcome.resume(
                        with: .failure(
                            RPCError(
                                code: .resourceExhausted,
                                message: "the watcher took no update for \(timeout.components.seconds) s; watch the panel again")))
                }
                outcome.onResume {
                    sending.cancel()
                    timer.cancel()
                }
            }
        } onCancel: {
            outcome.resume(with: .failure(CancellationError()))
        }
    }

    /// The keys a panel is filed under in the watch hub.
    static func keys(of panel: GatewayV1.Panel) -> PanelKeys {
        var keys = PanelKeys(dialogID: panel.dialogID)
        if let card = try? ClientsV1.ClientCardKeys(card: panel.client?.data ?? []) {
            keys.clientID = card.client?.clientID ?? 0
            if let dialog = card.dialog, dialog.channel == "site" { keys.visitorID = dialog.externalLogin }
        }
        return keys
    }
}

/// Marks a watch's Visit widget when the "on the site now" it shows runs out: its last page
/// view turns 30 minutes old (VISIT-3), which no service reports as a change.
final class OnSiteNowTimer: Sendable {
    /// How long after the last view a visitor is on the site now (insights' rule, VISIT-3).
    static let window: Int64 = 30 * 60_000

    private let watcher: PanelWatcher
    private let timer = Mutex<Task<Void, Never>?>(nil)

    init(watcher: PanelWatcher) {
        self.watcher = watcher
    }

    /// Sets the timer for the Visit widget as now shown (none when it is not on the site now).
    func schedule(for widget: GatewayV1.Widget?) {
        let next = Self.expiry(of: widget).map { expiry in
            Task { [watcher] in
                guard (try? await Task.sleep(for: .milliseconds(expiry.afterMs))) != nil else { return }
                watcher.mark([.visit], changedAtMs: expiry.atMs)
            }
        }
        timer.withLock { timer in
            timer?.cancel()
            timer = next
        }
    }

    func cancel() {
        timer.withLock { timer in
            timer?.cancel()
            timer = nil
        }
    }

    /// When the widget's "on the site now" ends (UTC ms) and how long from now that is, by the
    /// insights service's clock; nil when the widget does not show it.
    static func expiry(of widget: GatewayV1.Widget?) -> (atMs: Int64, afterMs: Int64)? {
        guard let widget, widget.state == .ok, let answer = try? InsightsV1.GetVisitResponse(serializedBytes: widget.data),
            let visit = answer.visit, visit.onSiteNow
        else { return nil }
        let at = visit.endedAtMs + window
        return (at, max(at - answer.nowMs, 0) + 1_000)  // a second past: the service decides with "less than"
    }
}

/// The two kinds of `PanelUpdate`.
enum PanelUpdateMaker {
    /// The whole panel.
    static func whole(_ panel: GatewayV1.Panel, changedAtMs: Int64) -> GatewayV1.PanelUpdate {
        var update = GatewayV1.PanelUpdate()
        update.panel = panel
        update.changedAtMs = changedAtMs
        update.sentAtMs = UTCMilliseconds.now()
        return update
    }

    /// Changed widgets.
    static func widgets(_ widgets: [GatewayV1.Widget], changedAtMs: Int64) -> GatewayV1.PanelUpdate {
        var update = GatewayV1.PanelUpdate()
        update.widgets = widgets
        update.changedAtMs = changedAtMs
        update.sentAtMs = UTCMilliseconds.now()
        return update
    }
}

extension GatewayV1.Panel {
    /// The panel with `widgets` in place of those of the same kind.
    mutating func replace(_ changed: [GatewayV1.Widget]) {
        for widget in changed {
            if widget.kind == .client {
                client = widget
            } else if let index = widgets.firstIndex(where: { $0.kind == widget.kind }) {
                widgets[index] = widget
            }
        }
    }
}
