import ChatPanelProto
import ChatPanelRPC

/// The widgets one upstream composes, and how it fills them for a panel.
struct WidgetSource: Sendable {
    /// One widget kind the source composes.
    struct Widget: Sendable {
        /// The kind.
        let kind: GatewayV1.WidgetKind
        /// The full name of the data's message type.
        let dataType: String
        /// A right the manager needs to see it; without it the widget is FORBIDDEN with `forbiddenReason`.
        var right: RPCV1.Right? = nil
        /// Why the widget is forbidden without `right`.
        var forbiddenReason = ""
    }

    /// What a source gets to fill its widgets.
    struct Request: Sendable {
        /// The keys of the dialog's client card: its dialog and client id (the client may be
        /// absent). The whole card is in `cardBytes`.
        let card: ClientsV1.ClientCardKeys
        /// The card as the clients service encoded it.
        let cardBytes: [UInt8]
        /// Who asks.
        let caller: RPCV1.Caller
        /// When the panel (or the refresh) must be answered.
        let deadline: ContinuousClock.Instant
        /// After an action: tasks completed since then stay listed (TASK-3); nil: open tasks only.
        let completedTasksSinceMs: Int64?
    }

    /// The kinds it composes.
    let widgets: [Widget]
    /// True when filling calls the service; false when it reads only the request (the client card).
    let callsUpstream: Bool
    /// Fills `widgets` (each with its kind, OK state and data type set) and returns them in
    /// the same order, each with its data or its own failed state and reason.
    let fill: @Sendable (Upstream, Request, [GatewayV1.Widget]) async -> [GatewayV1.Widget]
}

extension GatewayV1.Widget {
    /// The widget with a state and a reason.
    func with(_ state: GatewayV1.WidgetState, _ reason: String) -> GatewayV1.Widget {
        var copy = self
        copy.state = state
        copy.reason = reason
        return copy
    }

    /// The widget after its fetch failed, with the state the error means (no data).
    func failed(_ error: any Error, since started: ContinuousClock.Instant) -> GatewayV1.Widget {
        var widget = self
        widget.data = []
        widget.elapsedMs = PanelComposer.milliseconds(since: started)
        guard let error = error as? RPCError else { return widget.with(.unavailable, "\(error)") }
        switch error.code {
        case .deadlineExceeded: return widget.with(.timedOut, "no answer within the panel's deadline")
        case .permissionDenied: return widget.with(.forbidden, error.message)
        default: return widget.with(.unavailable, error.message)
        }
    }
}
