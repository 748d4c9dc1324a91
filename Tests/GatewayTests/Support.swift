import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelTesting
import ClientsService
import Foundation
import Gateway
import ServiceLifecycle
import TasksService
import Testing

/// Who calls, in the gateway tests.
enum As {
    /// A typical manager: edits clients, creates tags, sees tasks.
    static let manager = RPCV1.Caller(managerID: 11, rights: [.editClients, .createTags, .tasks])
    /// A manager without the tasks right.
    static let noTasks = RPCV1.Caller(managerID: 12, rights: [.editClients, .createTags])
    /// A manager who may look but not edit clients.
    static let reader = RPCV1.Caller(managerID: 13, rights: [.tasks])
    /// An administrator (every right).
    static let admin = RPCV1.Caller(managerID: 14, rights: [.admin])
    /// A manager nobody ever configured a layout for.
    static let newcomer = RPCV1.Caller(managerID: 15, rights: [.editClients, .tasks])
}

/// The clients and tasks services and the gateway running in-process on sockets of one
/// temporary folder, with a client for each.
struct GatewayHarness {
    let gateway: GatewayService
    let gatewayClient: RPCClient
    let clientsClient: RPCClient
    let tasksClient: RPCClient
    let directory: String
    /// The fault proxy between the gateway and the tasks service, when the test asked for one.
    var tasksProxy: FaultProxy? = nil

    /// The gateway's socket (for processes like `chatpanelctl`).
    var gatewaySocket: String { "\(directory)/gateway.sock" }

    /// Calls a gateway method.
    func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = As.manager, requestID: String = "",
        timeout: Duration? = nil
    ) async throws -> Response {
        try await gatewayClient.unary(method, request, options: RPCCallOptions(timeout: timeout, caller: caller, requestID: requestID))
    }

    /// Calls a clients service method directly (seeding and checks).
    func clients<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = As.manager
    ) async throws -> Response {
        try await clientsClient.unary(method, request, options: RPCCallOptions(caller: caller))
    }

    /// Calls a tasks service method directly (seeding and checks).
    func tasks<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = As.manager
    ) async throws -> Response {
        try await tasksClient.unary(method, request, options: RPCCallOptions(caller: caller))
    }

    /// The composed panel of a dialog.
    func panel(_ dialogID: String, as caller: RPCV1.Caller = As.manager) async throws -> GatewayV1.Panel {
        var request = GatewayV1.GetPanelRequest()
        request.dialogID = dialogID
        return try await call(GatewayV1.Gateway.getPanel, request, as: caller)
    }

    /// Records a dialog (through the clients service).
    @discardableResult
    func dialog(_ id: String, name: String = "Иван Петров", phone: String = "") async throws -> ClientsV1.UpsertDialogResponse {
        try await clients(ClientsV1.Clients.upsertDialog, Seed.dialog(id, name: name, phone: phone))
    }

    /// Records a dialog and saves its client; returns the client id.
    @discardableResult
    func savedClient(_ dialogID: String, name: String = "Иван Петров", phone: String = "") async throws -> Int64 {
        try await dialog(dialogID, name: name, phone: phone)
        var request = ClientsV1.SaveClientFromDialogRequest()
        request.dialogID = dialogID
        let card = try await clients(ClientsV1.Clients.saveClientFromDialog, request)
        return try #require(card.client?.clientID)
    }

    /// Creates a tag and attaches it to a client; returns the tag.
    @discardableResult
    func tag(_ name: String, on clientID: Int64) async throws -> ClientsV1.Tag {
        let (tag, attach) = try await newTag(name, for: clientID)
        _ = try await clients(ClientsV1.Clients.attachTag, attach)
        return tag
    }

    /// Creates a tag (through the clients service) and the request that would attach it to a
    /// client, for a test to send through the gateway.
    func newTag(_ name: String, for clientID: Int64) async throws -> (ClientsV1.Tag, ClientsV1.AttachTagRequest) {
        var create = ClientsV1.CreateTagRequest()
        create.name = name
        let tag = try await clients(ClientsV1.Clients.createTag, create)
        var attach = ClientsV1.AttachTagRequest()
        attach.clientID = clientID
        attach.tagID = tag.tagID
        return (tag, attach)
    }

    /// Creates a task (through the tasks service).
    @discardableResult
    func task(_ title: String, client: Int64, performer: Int64, as caller: RPCV1.Caller = As.manager) async throws -> TasksV1.Task {
        let response = try await tasks(TasksV1.Tasks.createTask, Seed.task(title, client: client, performer: performer), as: caller)
        return try #require(response.task)
    }

    /// Creates a note (through the tasks service).
    @discardableResult
    func note(_ text: String, client: Int64) async throws -> TasksV1.Note {
        var request = TasksV1.CreateNoteRequest()
        request.clientID = client
        request.text = text
        let response = try await tasks(TasksV1.Tasks.createNote, request)
        return try #require(response.note)
    }

    /// The open tasks of a client (tab All), straight from the tasks service.
    func tasksOf(_ clientID: Int64) async throws -> [TasksV1.Task] {
        var request = TasksV1.ListTasksRequest()
        request.clientID = clientID
        request.view = .all
        request.pageSize = 50
        return try await tasks(TasksV1.Tasks.listTasks, request).tasks
    }

    /// The notes of a client, straight from the tasks service.
    func notesOf(_ clientID: Int64) async throws -> [TasksV1.Note] {
        var request = TasksV1.ListNotesRequest()
        request.clientID = clientID
        request.pageSize = 50
        return try await tasks(TasksV1.Tasks.listNotes, request).notes
    }
}

/// Request builders shared by the in-process and process-level suites.
enum Seed {
    static func dialog(_ id: String, name: String = "Иван Петров", phone: String = "") -> ClientsV1.UpsertDialogRequest {
        var request = ClientsV1.UpsertDialogRequest()
        request.dialogID = id
        request.channel = "telegram"
        request.externalLogin = "@\(id)"
        request.displayName = name
        request.phone = phone
        return request
    }

    static func task(_ title: String, client: Int64, performer: Int64) -> TasksV1.CreateTaskRequest {
        var request = TasksV1.CreateTaskRequest()
        request.clientID = client
        request.title = title
        request.performerID = performer
        return request
    }

    static func merge(survivor: Int64, merged: Int64) -> GatewayV1.MergeClientsRequest {
        var request = GatewayV1.MergeClientsRequest()
        request.survivorClientID = survivor
        request.mergedClientID = merged
        return request
    }

    static func workflow(_ id: String) -> GatewayV1.GetMergeWorkflowRequest {
        var request = GatewayV1.GetMergeWorkflowRequest()
        request.workflowID = id
        return request
    }
}

/// The socket path the gateway is given for the tasks service when `tasksRunning` is false:
/// nothing listens there until a test starts a server named `absentTasksName` in the folder.
let absentTasksName = "absent"

/// Runs `body` with the clients service, the tasks service (unless `tasksRunning` is false:
/// then the gateway points at a socket path with nothing there), the gateway and its merge
/// runner, all on sockets in one temporary folder; everything is stopped on every exit path.
/// `clientsRoutes` and `tasksRoutes` may replace some of the services' routes (failures injected by a test).
func withGateway(
    tasksRunning: Bool = true, tasksThroughProxy: Bool = false, configure: (inout GatewayConfiguration) -> Void = { _ in },
    clientsRoutes: (inout RPCRouter, ClientsStore) -> Void = { _, _ in },
    tasksRoutes: (inout RPCRouter, TasksStore) -> Void = { _, _ in },
    _ body: (GatewayHarness) async throws -> Void
) async throws {
    try await withTemporaryDirectory { directory in
        try await withLiveService(
            ClientsService.self, configuration: .init(), in: directory, adjustRoutes: clientsRoutes
        ) { _, clientsSocket in
            if tasksRunning {
                try await withLiveService(TasksService.self, configuration: (), in: directory, adjustRoutes: tasksRoutes) {
                    _, tasksSocket in
                    guard tasksThroughProxy else {
                        try await runGateway(
                            directory: directory, clientsSocket: clientsSocket, tasksSocket: tasksSocket, configure: configure, body)
                        return
                    }
                    let proxy = try await FaultProxy.start(listening: "\(directory)/tasks-proxy.sock", upstream: tasksSocket)
                    do {
                        try await runGateway(
                            directory: directory, clientsSocket: clientsSocket, tasksSocket: proxy.path, configure: configure
                        ) { harness in
                            var harness = harness
                            harness.tasksProxy = proxy
                            try await body(harness)
                        }
                    } catch {
                        await proxy.close()
                        throw error
                    }
                    await proxy.close()
                }
            } else {
                try await runGateway(
                    directory: directory, clientsSocket: clientsSocket, tasksSocket: "\(directory)/\(absentTasksName).sock",
                    configure: configure, body)
            }
        }
    }
}

private func runGateway(
    directory: String, clientsSocket: String, tasksSocket: String, configure: (inout GatewayConfiguration) -> Void,
    _ body: (GatewayHarness) async throws -> Void
) async throws {
    var configuration = GatewayConfiguration(clientsSocket: clientsSocket, tasksSocket: tasksSocket)
    // A panel deadline a machine running the whole suite at once can meet: tests of deadlines
    // set their own.
    configuration.panelTimeout = .seconds(10)
    configure(&configuration)
    // Served as `chatpaneld gateway` serves it: the merge runner and each upstream run beside
    // the server and stop (closing the upstreams' clients) on every exit path.
    try await withLiveService(GatewayService.self, configuration: configuration, in: directory) { host, gatewaySocket in
        try await runBody(gateway: host.service, directory: directory, sockets: (gatewaySocket, clientsSocket, tasksSocket), body)
    }
}

private func runBody(
    gateway: GatewayService, directory: String, sockets: (gateway: String, clients: String, tasks: String),
    _ body: (GatewayHarness) async throws -> Void
) async throws {
    let harness = GatewayHarness(
        gateway: gateway,
        gatewayClient: RPCClient(configuration: RPCClientConfiguration(socketPath: sockets.gateway)),
        clientsClient: RPCClient(configuration: RPCClientConfiguration(socketPath: sockets.clients)),
        tasksClient: RPCClient(configuration: RPCClientConfiguration(socketPath: sockets.tasks)),
        directory: directory)
    do {
        try await body(harness)
    } catch {
        await harness.closeAll()
        throw error
    }
    await harness.closeAll()
}

extension GatewayHarness {
    fileprivate func closeAll() async {
        await gatewayClient.close()
        await clientsClient.close()
        await tasksClient.close()
    }
}

/// Polls `condition` until it holds; throws after `timeout`, saying what was awaited.
func waitUntil(timeout: Duration = .seconds(20), _ what: String, _ condition: () async throws -> Bool) async throws {
    guard try await eventually(timeout: timeout, condition) else { throw GatewayTestFailure("\(what): not within \(timeout)") }
}

/// A failure of a test helper.
struct GatewayTestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension GatewayV1.Panel {
    /// The widget of `kind`, if the panel shows it.
    func widget(_ kind: GatewayV1.WidgetKind) -> GatewayV1.Widget? { widgets.first { $0.kind == kind } }
}

extension GatewayV1.Widget {
    /// The client card of a CLIENT or TAGS widget.
    func card() throws -> ClientsV1.ClientCard { try ClientsV1.ClientCard(serializedBytes: data) }
    /// The data of a TASKS widget.
    func tasksData() throws -> GatewayV1.TasksWidgetData { try GatewayV1.TasksWidgetData(serializedBytes: data) }
    /// The data of a NOTES widget.
    func notesData() throws -> TasksV1.ListNotesResponse { try TasksV1.ListNotesResponse(serializedBytes: data) }
}

extension GatewayHarness {
    /// Runs a widget action through the gateway's `Act`.
    func act<Request: ProtoMessage>(
        dialog: String, _ method: String, _ request: Request, as caller: RPCV1.Caller = As.manager, requestID: String = "",
        panelLoadedAtMs: Int64? = nil
    ) async throws -> GatewayV1.ActResponse {
        var act = GatewayV1.ActRequest()
        act.dialogID = dialog
        act.method = method
        act.request = try request.serializedBytes()
        act.panelLoadedAtMs = panelLoadedAtMs
        return try await call(GatewayV1.Gateway.act, act, as: caller, requestID: requestID)
    }
}

extension Seed {
    static func completeTask(_ id: Int64) -> TasksV1.CompleteTaskRequest {
        var request = TasksV1.CompleteTaskRequest()
        request.taskID = id
        return request
    }

    static func note(_ text: String, client: Int64) -> TasksV1.CreateNoteRequest {
        var request = TasksV1.CreateNoteRequest()
        request.clientID = client
        request.text = text
        return request
    }
}
