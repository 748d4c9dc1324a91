public import ChatPanelRPC

/// The tasks process's RPC service, `chatpanel.tasks.v1.Tasks`: a client's tasks (TASK-1..4),
/// notes (NOTE-1..3), and moving them to another client on a merge (CLIENT-9).
///
/// Each handler validates the request (INVALID_ARGUMENT naming every bad field), checks the
/// caller's rights, and calls one ``TasksStore`` method:
///
/// ```swift
/// let store = try TasksStore(path: "\(stateDirectory)/tasks.sqlite")
/// let router = TasksService.makeRouter(store: store)
/// try await ChatPanelProcess.run(configuration: configuration, router: router,
///     health: TasksService.makeHealthReporter(store: store), environment: environment, logger: logger)
/// ```
public enum TasksService {
    /// The routes of every method of `chatpanel.tasks.v1.Tasks`.
    public static func makeRouter(store: TasksStore) -> RPCRouter {
        var router = RPCRouter()
        registerTaskMethods(on: &router, store: store)
        registerNoteMethods(on: &router, store: store)
        registerClientMoveMethods(on: &router, store: store)
        registerPanelDataMethod(on: &router, store: store)
        return router
    }

    /// The process's health: SERVING while the database answers.
    public static func makeHealthReporter(store: TasksStore) -> HealthReporter {
        HealthReporter(process: "tasks") { [await store.health()] }
    }
}
