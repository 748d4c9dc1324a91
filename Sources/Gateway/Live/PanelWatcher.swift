import ChatPanelProto
import Synchronization

/// One open `WatchPanel` call: what changed in its panel since it last sent an update. The
/// feeds mark widgets (``mark(_:changedAtMs:)``) however fast changes come; the call takes
/// the marks when it is ready to send (``take()``), so that a slow reader gets each widget's
/// newest state once and the marks never take more memory than the set of widget kinds.
final class PanelWatcher: Sendable {
    /// What the next update must carry.
    struct Pending: Sendable {
        /// The widgets that changed.
        var kinds: Set<GatewayV1.WidgetKind> = []
        /// The whole panel is to be sent again.
        var wholePanel = false
        /// When the oldest change among them was committed (UTC ms); 0 when unknown.
        var changedAtMs: Int64 = 0
        /// How many changes were coalesced into this update.
        var changes = 0

        /// Nothing to send.
        var isEmpty: Bool { kinds.isEmpty && !wholePanel }
    }

    /// The manager who watches.
    let managerID: Int64
    /// The dialog watched, the keys the watch is filed under before its panel is composed.
    let initialKeys: PanelKeys
    /// Coalesced changes past which the next update is the whole panel.
    let wholePanelAfter: Int
    /// Wakes the call when there is something to send (at most one wake-up pending).
    let wakeUps: AsyncStream<Void>
    private let wakeUp: AsyncStream<Void>.Continuation
    private let pending = Mutex(Pending())

    init(managerID: Int64, dialogID: String, wholePanelAfter: Int) {
        self.managerID = managerID
        self.initialKeys = PanelKeys(dialogID: dialogID)
        self.wholePanelAfter = wholePanelAfter
        let (stream, continuation) = AsyncStream<Void>.makeStream(bufferingPolicy: .bufferingNewest(1))
        self.wakeUps = stream
        self.wakeUp = continuation
    }

    /// Marks widgets changed by a change committed at `changedAtMs` (0: unknown).
    func mark(_ kinds: Set<GatewayV1.WidgetKind>, changedAtMs: Int64) {
        pending.withLock { pending in
            pending.kinds.formUnion(kinds)
            pending.changes += 1
            if pending.changes > wholePanelAfter { pending.wholePanel = true }
            if changedAtMs > 0, pending.changedAtMs == 0 || changedAtMs < pending.changedAtMs { pending.changedAtMs = changedAtMs }
        }
        wakeUp.yield()
    }

    /// Asks for the whole panel in the next update.
    func markWholePanel() {
        pending.withLock { $0.wholePanel = true }
        wakeUp.yield()
    }

    /// What to send now; the marks start over.
    func take() -> Pending {
        pending.withLock { pending in
            defer { pending = Pending() }
            return pending
        }
    }

    /// Ends the wake-ups: the call returns.
    func finish() { wakeUp.finish() }
}
