public import ChatPanelRPC
public import ChatPanelRuntime
public import Logging

/// The tasks process's RPC service, `chatpanel.tasks.v1.Tasks`: a client's tasks (TASK-1..4),
/// notes (NOTE-1..3), and moving them to another client on a merge (CLIENT-9).
///
/// Each handler checks the caller (its rights, then its manager id where the call needs
/// one), validates the request (INVALID_ARGUMENT naming every bad field), and calls one
/// ``TasksStore`` method (see ``ChatPanelRuntime/ChatPanelService`` for the order):
///
/// ```swift
/// let host = try ServiceHost<TasksService>(configuration: (), stateDirectory: stateDirectory, logger: logger)
/// try await ChatPanelProcess.run(host, configuration: configuration, environment: environment, logger: logger)
/// ```
public struct TasksService: ChatPanelService {
    /// `tasks`.
    public static let name = "tasks"
    /// The service's database.
    public let store: TasksStore

    /// The service over its store (it has no settings of its own).
    public init(store: TasksStore, configuration: Void = (), logger: Logger) {
        self.store = store
    }

    /// The routes of every method of `chatpanel.tasks.v1.Tasks`.
    public func makeRouter() -> RPCRouter {
        var router = RPCRouter()
        Self.registerTaskMethods(on: &router, store: store)
        Self.registerNoteMethods(on: &router, store: store)
        Self.registerClientMoveMethods(on: &router, store: store)
        Self.registerPanelDataMethod(on: &router, store: store)
        return router
    }
}
