import ChatPanelProto
public import ChatPanelRPC
import ChatPanelStore
import ChatPanelRuntime
public import Logging

/// The gateway: composes the panel, keeps layouts and settings, forwards widget actions with
/// the caller's identity, deadline and request id, and runs the merge workflow.
///
/// ```swift
/// let gateway = GatewayService(configuration: .init(clientsSocket: "...", tasksSocket: "..."), store: store, logger: logger)
/// let server = RPCServer(configuration: ..., router: gateway.makeRouter(), health: gateway.makeHealthReporter(), logger: logger)
/// // run `server` and `gateway.mergeRunner` in one ServiceGroup
/// ```
public final class GatewayService: Sendable {
    /// The clients service.
    public let clients: Upstream
    /// The tasks service.
    public let tasks: Upstream
    /// The orders service (the Products and Cart widgets); nil when not configured.
    public let orders: Upstream?
    /// The gateway's database.
    public let store: GatewayStore
    /// Runs merge workflows; a `Service` for the process's group.
    public let mergeRunner: MergeWorkflowRunner
    private let composer: PanelComposer

    /// A gateway over its upstreams.
    public init(configuration: GatewayConfiguration, store: GatewayStore, logger: Logger) {
        let clients = Upstream(name: "clients", socketPath: configuration.clientsSocket, breaker: configuration.breaker)
        let tasks = Upstream(name: "tasks", socketPath: configuration.tasksSocket, breaker: configuration.breaker)
        self.clients = clients
        self.tasks = tasks
        let orders = configuration.ordersSocket.map { Upstream(name: "orders", socketPath: $0, breaker: configuration.breaker) }
        self.orders = orders
        self.store = store
        var composer = PanelComposer(clients: clients, tasks: tasks, store: store, panelTimeout: configuration.panelTimeout)
        composer.orders = orders
        self.composer = composer
        let steps = Self.mergeSteps(clients: clients, tasks: tasks) + (orders.map { [Self.moveProductListsAndCarts(orders: $0)] } ?? [])
        self.mergeRunner = MergeWorkflowRunner(store: store, steps: steps, logger: logger)
    }

    /// The steps of a merge (CLIENT-9): the clients service merges the client records (dialogs,
    /// tags, phones, custom values move), then the merged client's tasks and notes move.
    /// Orders, summaries and visits join here when their services exist.
    static func mergeSteps(clients: Upstream, tasks: Upstream) -> [MergeStep] {
        [
            MergeStep(name: "merge clients") { context in
                var request = ClientsV1.MergeClientsRequest()
                request.survivorClientID = context.survivorClientID
                request.mergedClientID = context.mergedClientID
                do {
                    _ = try await clients.call(
                        ClientsV1.Clients.mergeClients, request,
                        options: RPCCallOptions(timeout: .seconds(10), caller: context.caller, requestID: context.requestID))
                } catch let error as RPCError
                    where error.code == .failedPrecondition
                    && error.message.contains("already merged into client \(context.survivorClientID)")
                {
                    // Done by an earlier attempt whose answer was lost and whose record was pruned.
                }
            },
            MergeStep(name: "move tasks and notes") { context in
                var request = TasksV1.MoveClientRecordsRequest()
                request.fromClientID = context.mergedClientID
                request.toClientID = context.survivorClientID
                _ = try await tasks.call(
                    TasksV1.Tasks.moveClientRecords, request,
                    options: RPCCallOptions(timeout: .seconds(30), caller: context.caller, requestID: context.requestID))
            },
        ]
    }

    /// Health: the database and each upstream.
    public func makeHealthReporter() -> HealthReporter {
        HealthReporter(process: "gateway") { [store, clients, tasks, orders] in
            async let database = store.database.componentHealth()
            async let clientsHealth = clients.health()
            async let tasksHealth = tasks.health()
            async let ordersHealth = orders?.health()
            return await [database, clientsHealth, tasksHealth] + [ordersHealth].compactMap { $0 }
        }
    }

    /// Every gateway method.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        router.register(GatewayV1.Gateway.getPanel) { [composer] request, context in
            guard !request.dialogID.isEmpty else { throw RPCError.invalidArgument(field: "dialog_id", "must not be empty") }
            return try await composer.panel(dialogID: request.dialogID, context: context)
        }
        router.register(GatewayV1.Gateway.getLayout) { [store] _, context in
            try await store.layout(managerID: try Self.managerID(context))
        }
        router.register(GatewayV1.Gateway.updateLayout) { [store] request, context in
            try await store.updateLayout(managerID: try Self.managerID(context), baseVersion: request.baseVersion, widgets: request.widgets)
        }
        router.register(GatewayV1.Gateway.getSettings) { [store] _, _ in
            try await store.settings()
        }
        router.register(GatewayV1.Gateway.updateSettings) { [store] request, context in
            try context.require(.admin, for: "changing the module and chat settings")
            return try await store.updateSettings(request.settings ?? GatewayV1.Settings())
        }
        router.register(GatewayV1.Gateway.act) { [self] request, context in
            try await act(request, context: context)
        }
        router.register(GatewayV1.Gateway.mergeClients) { [mergeRunner] request, context in
            var violations = FieldViolations()
            violations.check(request.survivorClientID > 0, field: "survivor_client_id", "must be a client id")
            violations.check(request.mergedClientID > 0, field: "merged_client_id", "must be a client id")
            violations.check(
                request.survivorClientID != request.mergedClientID, field: "merged_client_id", "a client cannot be merged into itself")
            try violations.throwIfAny()
            try context.require(.editClients, for: "merging clients")
            return try await mergeRunner.start(
                survivorClientID: request.survivorClientID, mergedClientID: request.mergedClientID, caller: context.caller,
                requestID: context.requestID)
        }
        router.register(GatewayV1.Gateway.getMergeWorkflow) { [store] request, _ in
            guard let workflow = try await store.mergeWorkflow(id: request.workflowID) else {
                throw RPCError.notFound("no merge workflow \(request.workflowID)")
            }
            return workflow
        }
        return router
    }

    private static func managerID(_ context: RPCCallContext) throws(RPCError) -> Int64 {
        guard context.caller.managerID > 0 else {
            throw RPCError(code: .unauthenticated, message: "the call names no manager")
        }
        return context.caller.managerID
    }

    /// Forwards one widget action and refreshes the widgets it changed.
    func act(_ request: GatewayV1.ActRequest, context: RPCCallContext) async throws -> GatewayV1.ActResponse {
        guard let entry = ActionCatalog.entries[request.method] else {
            throw RPCError.invalidArgument(field: "method", "\(request.method) is not a widget action the gateway forwards")
        }
        if let right = entry.right { try context.require(right, for: request.method) }
        let upstream = try upstream(of: entry)
        var payload = request.request
        // TASK-2: creating a task for a dialog whose contact is not saved saves the client first.
        if request.method == TasksV1.Tasks.createTask.path, !request.dialogID.isEmpty {
            var task = try TasksV1.CreateTaskRequest(serializedBytes: payload)
            if task.clientID == 0, task.orderNumber.isEmpty {
                task.clientID = try await clientIDSavingIfNeeded(dialogID: request.dialogID, context: context)
                payload = try task.serializedBytes()
            }
        }
        let options = RPCCallOptions(timeout: context.timeRemaining, caller: context.caller, requestID: context.requestID)
        var response = GatewayV1.ActResponse()
        response.response = try await upstream.call(path: request.method, payload: payload, options: options)
        if ActionCatalog.savesDialogClient.contains(request.method) {
            await moveDialogProductList(savedBy: request.method, response: response.response, context: context)
        }
        if !entry.refresh.isEmpty, !request.dialogID.isEmpty {
            response.refreshed = try await refreshed(entry.refresh, dialogID: request.dialogID, context: context)
        }
        return response
    }

    private func clientIDSavingIfNeeded(dialogID: String, context: RPCCallContext) async throws -> Int64 {
        let (_, card) = try await composer.clientBlock(dialogID: dialogID, caller: context.caller, deadline: context.deadline)
        if let client = card.client { return client.clientID }
        try context.require(.editClients, for: "saving the client before creating its task")
        var save = ClientsV1.SaveClientFromDialogRequest()
        save.dialogID = dialogID
        let saved = try await clients.call(
            ClientsV1.Clients.saveClientFromDialog, save,
            options: RPCCallOptions(
                timeout: context.timeRemaining, caller: context.caller,
                requestID: context.requestID.isEmpty ? "" : "\(context.requestID):save-client"))
        guard let client = saved.client else { throw RPCError.internal }
        return client.clientID
    }

    private func refreshed(_ kinds: [GatewayV1.WidgetKind], dialogID: String, context: RPCCallContext) async throws -> [GatewayV1.Widget] {
        let deadline = min(context.deadline, .now + .seconds(1))
        let (base, card) = try await composer.clientBlock(dialogID: dialogID, caller: context.caller, deadline: deadline)
        let settings = try await store.settings()
        let others = await composer.widgets(
            kinds.filter { $0 != .client }, card: card, cardBytes: base.data, settings: settings, caller: context.caller, deadline: deadline
        )
        var next = others.makeIterator()
        return kinds.map { kind in kind == .client ? base : next.next() ?? GatewayV1.Widget() }
    }
}
