import ChatPanelProto
import ChatPanelRPC
import Logging

/// Composes a panel: the base client block first (the one critical part), then every other
/// visible widget at once, each under what is left of the panel's deadline and each coming
/// back with its own state.
struct PanelComposer: Sendable {
    let clients: Upstream
    let tasks: Upstream
    let store: GatewayStore
    let panelTimeout: Duration

    /// Widgets whose service is not part of this deployment yet.
    static let notConfigured: Set<GatewayV1.WidgetKind> = [.products, .order, .cart, .summary, .visit]

    func panel(dialogID: String, context: RPCCallContext) async throws -> GatewayV1.Panel {
        let started = ContinuousClock.now
        let deadline = min(context.deadline, started + panelTimeout)
        async let layoutResult = store.layout(managerID: context.caller.managerID)
        async let settingsResult = store.settings()

        let (base, card) = try await clientBlock(dialogID: dialogID, caller: context.caller, deadline: deadline, requestID: context.requestID)
        let layout = try await layoutResult
        let settings = try await settingsResult

        let visible = layout.widgets.filter(\.visible)
        let widgets = await withTaskGroup(of: (Int, GatewayV1.Widget).self) { group in
            for (index, placement) in visible.enumerated() {
                group.addTask {
                    var widget = await self.widget(placement.kind, card: card, cardBytes: base.data, settings: settings, caller: context.caller, deadline: deadline)
                    widget.collapsed = placement.collapsed
                    return (index, widget)
                }
            }
            var result = [GatewayV1.Widget?](repeating: nil, count: visible.count)
            for await (index, widget) in group { result[index] = widget }
            return result.compactMap { $0 }
        }

        var panel = GatewayV1.Panel()
        panel.dialogID = dialogID
        panel.managerID = context.caller.managerID
        panel.layoutVersion = layout.version
        panel.client = base
        panel.widgets = widgets
        panel.elapsedMs = Self.milliseconds(since: started)
        return panel
    }

    /// The base client block: the panel fails without it.
    func clientBlock(
        dialogID: String, caller: RPCV1.Caller, deadline: ContinuousClock.Instant, requestID: String = ""
    ) async throws -> (GatewayV1.Widget, ClientsV1.ClientCard) {
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
        let card = try ClientsV1.ClientCard(serializedBytes: bytes)
        var widget = GatewayV1.Widget()
        widget.kind = .client
        widget.state = .ok
        widget.data = bytes
        widget.dataType = "chatpanel.clients.v1.ClientCard"
        widget.elapsedMs = Self.milliseconds(since: started)
        if card.client == nil { widget.reason = "the dialog's contact is not saved as a client yet" }
        return (widget, card)
    }

    func widget(
        _ kind: GatewayV1.WidgetKind, card: ClientsV1.ClientCard, cardBytes: [UInt8], settings: GatewayV1.Settings,
        caller: RPCV1.Caller, deadline: ContinuousClock.Instant
    ) async -> GatewayV1.Widget {
        var widget = GatewayV1.Widget()
        widget.kind = kind
        let started = ContinuousClock.now
        switch kind {
        case .tasks where !settings.tasksWidgetEnabled:
            return widget.with(.disabled, "the tasks widget is switched off in the chat settings")
        case .summary where !settings.summaryBotEnabled:
            return widget.with(.disabled, "the summary bot is switched off")
        case .visit where !settings.siteChatEnabled:
            return widget.with(.disabled, "the online-consultant (site chat) module is off")
        case .tasks where !caller.has(.tasks):
            return widget.with(.forbidden, "tasks access is restricted for this manager")
        case let kind where Self.notConfigured.contains(kind):
            return widget.with(.unavailable, "not configured")
        default:
            break
        }
        do {
            switch kind {
            case .tags:
                widget.data = cardBytes
                widget.dataType = "chatpanel.clients.v1.ClientCard"
            case .tasks:
                widget.dataType = "chatpanel.gateway.v1.TasksWidgetData"
                guard let client = card.client else {
                    widget.data = try GatewayV1.TasksWidgetData().serializedBytes()
                    widget.reason = "the dialog has no client yet; creating a task saves it"
                    break
                }
                let options = RPCCallOptions(timeout: Self.remaining(until: deadline), caller: caller)
                async let all = tasks.call(TasksV1.Tasks.listTasks, Self.listTasks(client.clientID, view: .all), options: options)
                async let mine = tasks.call(TasksV1.Tasks.listTasks, Self.listTasks(client.clientID, view: .mine), options: options)
                var data = GatewayV1.TasksWidgetData()
                data.all = try await all
                data.mine = try await mine
                widget.data = try data.serializedBytes()
            case .notes:
                widget.dataType = "chatpanel.tasks.v1.ListNotesResponse"
                guard let client = card.client else {
                    widget.data = try TasksV1.ListNotesResponse().serializedBytes()
                    widget.reason = "the dialog has no client yet"
                    break
                }
                var request = TasksV1.ListNotesRequest()
                request.clientID = client.clientID
                request.pageSize = 5
                widget.data = try await tasks.call(
                    path: TasksV1.Tasks.listNotes.path, payload: try request.serializedBytes(),
                    options: RPCCallOptions(timeout: Self.remaining(until: deadline), caller: caller))
            default:
                return widget.with(.unavailable, "not configured")
            }
            widget.state = .ok
        } catch let error as RPCError {
            widget.data = []
            widget.elapsedMs = Self.milliseconds(since: started)
            switch error.code {
            case .deadlineExceeded: return widget.with(.timedOut, "no answer within the panel's deadline")
            case .permissionDenied: return widget.with(.forbidden, error.message)
            default: return widget.with(.unavailable, error.message)
            }
        } catch {
            return widget.with(.unavailable, "\(error)")
        }
        widget.elapsedMs = Self.milliseconds(since: started)
        return widget
    }

    static func listTasks(_ clientID: Int64, view: TasksV1.TaskView) -> TasksV1.ListTasksRequest {
        var request = TasksV1.ListTasksRequest()
        request.clientID = clientID
        request.view = view
        request.pageSize = 10
        return request
    }

    static func remaining(until deadline: ContinuousClock.Instant) -> Duration {
        max(.milliseconds(1), ContinuousClock.now.duration(to: deadline))
    }

    static func milliseconds(since start: ContinuousClock.Instant) -> UInt32 {
        UInt32(clamping: start.duration(to: .now).milliseconds)
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
}
