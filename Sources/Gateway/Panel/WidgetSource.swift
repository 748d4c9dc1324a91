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
    /// Starts filling `widgets` (each with its kind, OK state and data type set) and returns at
    /// once, its service's call made: ``Filling/widgets()`` gives them in the same order, each
    /// with its data or its own failed state and reason.
    let start: @Sendable (Upstream, Request, [GatewayV1.Widget]) -> Filling

    /// A source's widgets being filled: filled already, or waiting for its service's answer.
    ///
    /// A panel starts every source's call before it awaits any (the calls are under way
    /// together), then awaits them in turn: no task for each source.
    enum Filling: Sendable {
        /// Widgets filled without a call.
        case filled([GatewayV1.Widget])
        /// Widgets waiting for a call: made by the closure from its outcome and the moment it completed.
        case waiting(RPCClient.UnaryCall, @Sendable (Result<[UInt8], any Error>, ContinuousClock.Instant) -> [GatewayV1.Widget])

        /// The widgets, once the call has completed. Cancelling the awaiting task cancels the call.
        func widgets() async -> [GatewayV1.Widget] {
            switch self {
            case .filled(let widgets):
                return widgets
            case .waiting(let call, let complete):
                let outcome: Result<[UInt8], any Error>
                do {
                    outcome = .success(try await call.answer())
                } catch {
                    outcome = .failure(error)
                }
                return complete(outcome, call.completedAt ?? .now)
            }
        }

        /// Gives up on the call: its widgets are not to be awaited.
        func cancel() {
            if case .waiting(let call, _) = self { call.cancel() }
        }

        /// A source's widgets from one call of its service: the call started now, its answer read
        /// as `View` (an answer that does not read is INTERNAL), and `fill` giving each widget
        /// its data and reason from it. Each widget's elapsed time runs to the call's completion;
        /// when the call fails, or `fill` throws for any widget, every widget fails with the state
        /// the error means.
        static func calling<Request, Response, View: ProtoMessage>(
            _ upstream: Upstream, _ method: UnaryMethod<Request, Response>, _ message: Request,
            for request: WidgetSource.Request, _ widgets: [GatewayV1.Widget], answerAs view: View.Type,
            fill: @escaping @Sendable (View, inout GatewayV1.Widget) throws -> Void
        ) -> Filling {
            let started = ContinuousClock.now
            let path = method.path
            let call = upstream.start(
                method, message, options: RPCCallOptions(timeout: PanelComposer.remaining(until: request.deadline), caller: request.caller))
            return .waiting(call) { answer, completed in
                var widgets = widgets
                do {
                    let response = try upstream.read(answer.get(), of: path, as: view)
                    for index in widgets.indices {
                        try fill(response, &widgets[index])
                        widgets[index].elapsedMs = PanelComposer.milliseconds(from: started, to: completed)
                    }
                } catch {
                    for index in widgets.indices { widgets[index] = widgets[index].failed(error, since: started, until: completed) }
                }
                return widgets
            }
        }
    }
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
    func failed(_ error: any Error, since started: ContinuousClock.Instant, until ended: ContinuousClock.Instant = .now) -> GatewayV1.Widget {
        var widget = self
        widget.data = []
        widget.elapsedMs = PanelComposer.milliseconds(from: started, to: ended)
        guard let error = error as? RPCError else { return widget.with(.unavailable, "\(error)") }
        switch error.code {
        case .deadlineExceeded: return widget.with(.timedOut, "no answer within the panel's deadline")
        case .permissionDenied: return widget.with(.forbidden, error.message)
        default: return widget.with(.unavailable, error.message)
        }
    }
}
