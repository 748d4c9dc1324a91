import NIOCore

/// One timer for the deadlines of every call on a connection, instead of one timer per call.
///
/// The timer is armed for the earliest deadline it was told of. Most calls finish long before
/// their deadline, so a call that starts usually costs one comparison: its deadline is later
/// than the armed one. When the timer fires, the connection expires its overdue calls and
/// re-arms for the earliest deadline left (``arm(at:on:_:)``). Used on the connection's event
/// loop only.
struct ConnectionDeadlineTimer {
    private var scheduled: Scheduled<Void>?
    private var firesAt: NIODeadline = .distantFuture

    /// Whether the timer must be re-armed to fire by `deadline` (check before making the
    /// closure for ``arm(at:on:_:)``: most calls need nothing).
    func firesAfter(_ deadline: NIODeadline) -> Bool { deadline < firesAt }

    /// Makes sure the timer fires at `deadline` or earlier; `fire` runs on `loop` when it does.
    mutating func arm(at deadline: NIODeadline, on loop: any EventLoop, _ fire: @escaping @Sendable () -> Void) {
        guard deadline < firesAt else { return }
        scheduled?.cancel()
        firesAt = deadline
        scheduled = loop.scheduleTask(deadline: deadline, fire)
    }

    /// Records that the timer fired (call first thing in `fire`, before re-arming).
    mutating func fired() {
        scheduled = nil
        firesAt = .distantFuture
    }

    /// Stops the timer (the connection closed).
    mutating func cancel() {
        scheduled?.cancel()
        fired()
    }
}
