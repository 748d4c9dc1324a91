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
    /// The orders service (the Products and Cart widgets); nil when not deployed.
    var orders: Upstream? = nil

    /// Widgets whose service is not part of this deployment yet.
    static let notConfigured: Set<GatewayV1.WidgetKind> = [.products, .order, .cart, .summary, .visit]

    func panel(dialogID: String, context: RPCCallContext) async throws -> GatewayV1.Panel {
        let started = ContinuousClock.now
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

    /// The widgets of `kinds`, in that order. Settings and rights decide some without a call,
    /// the Tags widget shows the client card, and the Tasks and Notes widgets come from one
    /// GetPanelData call (one snapshot of the tasks service): the only call made here.
    func widgets(
        _ kinds: [GatewayV1.WidgetKind], card: ClientsV1.ClientCard, cardBytes: [UInt8], settings: GatewayV1.Settings,
        caller: RPCV1.Caller, deadline: ContinuousClock.Instant
    ) async -> [GatewayV1.Widget] {
        var widgets: [GatewayV1.Widget] = []
        var fromTasksService: [Int] = []
        var fromOrdersService: [Int] = []
        for kind in kinds {
            if let decided = decided(kind, settings: settings, caller: caller) {
                widgets.append(decided)
                continue
            }
            var widget = GatewayV1.Widget()
            widget.kind = kind
            widget.state = .ok
            switch kind {
            case .tags:
                widget.data = cardBytes
                widget.dataType = "chatpanel.clients.v1.ClientCard"
            case .tasks:
                widget.dataType = "chatpanel.gateway.v1.TasksWidgetData"
                fromTasksService.append(widgets.count)
            case .notes:
                widget.dataType = "chatpanel.tasks.v1.ListNotesResponse"
                fromTasksService.append(widgets.count)
            case .products:
                widget.dataType = "chatpanel.orders.v1.ProductList"
                fromOrdersService.append(widgets.count)
            case .cart:
                widget.dataType = "chatpanel.orders.v1.Cart"
                fromOrdersService.append(widgets.count)
            default:
                widget = widget.with(.unavailable, "not configured")
            }
            widgets.append(widget)
        }
        if !fromOrdersService.isEmpty {
            // The orders service answers while the tasks service does.
            async let ordersData = fetchFromOrdersService(card: card, caller: caller, deadline: deadline)
            if !fromTasksService.isEmpty {
                await fillFromTasksService(&widgets, at: fromTasksService, card: card, caller: caller, deadline: deadline)
            }
            fillFromOrdersService(&widgets, at: fromOrdersService, await ordersData)
        } else if !fromTasksService.isEmpty {
            await fillFromTasksService(&widgets, at: fromTasksService, card: card, caller: caller, deadline: deadline)
        }
        return widgets
    }

    /// A widget whose state the settings or the caller's rights decide before any call: nil
    /// when it has to be fetched.
    private func decided(_ kind: GatewayV1.WidgetKind, settings: GatewayV1.Settings, caller: RPCV1.Caller) -> GatewayV1.Widget? {
        var widget = GatewayV1.Widget()
        widget.kind = kind
        switch kind {
        case .tasks where !settings.tasksWidgetEnabled:
            return widget.with(.disabled, "the tasks widget is switched off in the chat settings")
        case .summary where !settings.summaryBotEnabled:
            return widget.with(.disabled, "the summary bot is switched off")
        case .visit where !settings.siteChatEnabled:
            return widget.with(.disabled, "the online-consultant (site chat) module is off")
        case .tasks where !caller.has(.tasks):
            return widget.with(.forbidden, "tasks access is restricted for this manager")
        case .products, .cart where orders != nil:
            return nil
        case let kind where Self.notConfigured.contains(kind):
            return widget.with(.unavailable, "not configured")
        default:
            return nil
        }
    }

    /// Fills the Tasks and Notes widgets at `indices` from one GetPanelData call: the tasks
    /// widget gets the first page of All and Mine, the notes widget the newest 5.
    private func fillFromTasksService(
        _ widgets: inout [GatewayV1.Widget], at indices: [Int], card: ClientsV1.ClientCard, caller: RPCV1.Caller,
        deadline: ContinuousClock.Instant
    ) async {
        let started = ContinuousClock.now
        guard let client = card.client else {
            for index in indices {
                if widgets[index].kind == .tasks {
                    widgets[index].data = (try? GatewayV1.TasksWidgetData().serializedBytes()) ?? []
                    widgets[index].reason = "the dialog has no client yet; creating a task saves it"
                } else {
                    widgets[index].data = (try? TasksV1.ListNotesResponse().serializedBytes()) ?? []
                    widgets[index].reason = "the dialog has no client yet"
                }
            }
            return
        }
        var request = TasksV1.GetPanelDataRequest()
        if indices.contains(where: { widgets[$0].kind == .tasks }) {
            request.taskLists = [Self.listTasks(client.clientID, view: .all), Self.listTasks(client.clientID, view: .mine)]
        }
        if indices.contains(where: { widgets[$0].kind == .notes }) {
            var notes = TasksV1.ListNotesRequest()
            notes.clientID = client.clientID
            notes.pageSize = 5
            request.notes = notes
        }
        do {
            let response = try await tasks.call(
                TasksV1.Tasks.getPanelData, request, options: RPCCallOptions(timeout: Self.remaining(until: deadline), caller: caller))
            for index in indices {
                if widgets[index].kind == .tasks {
                    var data = GatewayV1.TasksWidgetData()
                    data.all = response.taskLists.first
                    data.mine = response.taskLists.dropFirst().first
                    widgets[index].data = try data.serializedBytes()
                } else {
                    widgets[index].data = try (response.notes ?? TasksV1.ListNotesResponse()).serializedBytes()
                }
                widgets[index].elapsedMs = Self.milliseconds(since: started)
            }
        } catch {
            for index in indices { widgets[index] = Self.failed(widgets[index], error, since: started) }
        }
    }

    /// A widget whose fetch failed, with the state its error means.
    static func failed(_ widget: GatewayV1.Widget, _ error: any Error, since started: ContinuousClock.Instant) -> GatewayV1.Widget {
        var widget = widget
        widget.data = []
        widget.elapsedMs = milliseconds(since: started)
        guard let error = error as? RPCError else { return widget.with(.unavailable, "\(error)") }
        switch error.code {
        case .deadlineExceeded: return widget.with(.timedOut, "no answer within the panel's deadline")
        case .permissionDenied: return widget.with(.forbidden, error.message)
        default: return widget.with(.unavailable, error.message)
        }
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
