import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelTesting
import Foundation
import TasksService
import Testing

/// A live tasks service on a temporary socket (its own directory and database), and a client.
struct TasksHarness {
    /// The client connected to the service's socket.
    let client: RPCClient
    /// The service's store (for checking what was stored).
    let store: TasksStore
    /// The test's temporary directory.
    let directory: String

    /// Calls `method` as `caller`, with an optional request id.
    func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = .manager(1), requestID: String = ""
    ) async throws -> Response {
        try await client.unary(method, request, options: RPCCallOptions(caller: caller, requestID: requestID))
    }
}

/// Runs `body` against a fresh tasks service over a real Unix socket; everything is torn down
/// on every exit path.
func withTasksService<T>(_ body: (TasksHarness) async throws -> T) async throws -> T {
    try await withTemporaryDirectory { directory in
        try await withLiveServiceClient(TasksService.self, configuration: (), in: directory) { host, client in
            try await body(TasksHarness(client: client, store: host.store, directory: directory))
        }
    }
}

extension RPCV1.Caller {
    /// A manager with `rights` (by default the tasks right).
    static func manager(_ id: Int64, _ rights: [RPCV1.Right] = [.tasks]) -> RPCV1.Caller {
        RPCV1.Caller(managerID: id, rights: rights)
    }

    /// An administrator (holds every right).
    static func admin(_ id: Int64) -> RPCV1.Caller {
        RPCV1.Caller(managerID: id, rights: [.admin])
    }
}

/// Request builders.
enum Make {
    static func task(
        client: Int64 = 10, order: String = "", title: String = "Call back", text: String = "", deadline: TasksV1.Deadline? = nil,
        performer: Int64 = 0
    ) -> TasksV1.CreateTaskRequest {
        var request = TasksV1.CreateTaskRequest()
        request.clientID = client
        request.orderNumber = order
        request.title = title
        request.text = text
        request.deadline = deadline
        request.performerID = performer
        return request
    }

    static func deadline(at ms: Int64 = 0, local: String = "", zone: String = "") -> TasksV1.Deadline {
        var deadline = TasksV1.Deadline()
        deadline.atMs = ms
        deadline.localTime = local
        deadline.timeZone = zone
        return deadline
    }

    static func list(
        client: Int64 = 10, view: TasksV1.TaskView = .all, pageSize: UInt32 = 0, token: String = "", completedSince: Int64? = nil
    ) -> TasksV1.ListTasksRequest {
        var request = TasksV1.ListTasksRequest()
        request.clientID = client
        request.view = view
        request.pageSize = pageSize
        request.pageToken = token
        request.completedSinceMs = completedSince
        return request
    }

    static func note(client: Int64 = 10, text: String) -> TasksV1.CreateNoteRequest {
        var request = TasksV1.CreateNoteRequest()
        request.clientID = client
        request.text = text
        return request
    }

    static func notes(client: Int64 = 10, pageSize: UInt32 = 0, token: String = "", preview: UInt32 = 0) -> TasksV1.ListNotesRequest {
        var request = TasksV1.ListNotesRequest()
        request.clientID = client
        request.pageSize = pageSize
        request.pageToken = token
        request.previewLength = preview
        return request
    }

    static func move(from: Int64, to: Int64) -> TasksV1.MoveClientRecordsRequest {
        var request = TasksV1.MoveClientRecordsRequest()
        request.fromClientID = from
        request.toClientID = to
        return request
    }

    static func taskID<Request: TaskIDRequest>(_ id: Int64, as type: Request.Type = Request.self) -> Request {
        var request = Request()
        request.taskID = id
        return request
    }

    static func noteID<Request: NoteIDRequest>(_ id: Int64, as type: Request.Type = Request.self) -> Request {
        var request = Request()
        request.noteID = id
        return request
    }
}

/// Requests naming one task.
protocol TaskIDRequest { init(); var taskID: Int64 { get set } }
extension TasksV1.GetTaskRequest: TaskIDRequest {}
extension TasksV1.CompleteTaskRequest: TaskIDRequest {}
extension TasksV1.ReopenTaskRequest: TaskIDRequest {}
extension TasksV1.UpdateTaskRequest: TaskIDRequest {}

/// Requests naming one note.
protocol NoteIDRequest { init(); var noteID: Int64 { get set } }
extension TasksV1.GetNoteRequest: NoteIDRequest {}
extension TasksV1.DeleteNoteRequest: NoteIDRequest {}

/// A fresh request id.
func newRequestID() -> String { UUID().uuidString }
