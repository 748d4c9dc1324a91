public import ChatPanelProto

/// A page of a client's tasks to list, validated.
public struct TaskListQuery: Sendable, Hashable {
    /// The client.
    public var clientID: Int64
    /// All tasks, or the caller's own (author and performer).
    public var view: TasksV1.TaskView
    /// The caller: whose tasks "mine" means.
    public var managerID: Int64
    /// Tasks per page.
    public var pageSize: Int
    /// Where the previous page ended; nil for the first page.
    public var after: TaskCursor?
    /// Also list tasks completed at or after this time (UTC ms).
    public var completedSince: Int64?

    /// A query from its parts.
    public init(
        clientID: Int64, view: TasksV1.TaskView, managerID: Int64, pageSize: Int, after: TaskCursor? = nil, completedSince: Int64? = nil
    ) {
        self.clientID = clientID
        self.view = view
        self.managerID = managerID
        self.pageSize = pageSize
        self.after = after
        self.completedSince = completedSince
    }
}
