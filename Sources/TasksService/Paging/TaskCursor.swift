public import ChatPanelProto

/// Where a page of a client's tasks ended: the last task's deadline sort key and id. The
/// next page starts strictly after it, so tasks created, completed or moved meanwhile never
/// shift the pages that follow.
public struct TaskCursor: Sendable, Hashable {
    /// The client the listing is for.
    public let clientID: Int64
    /// The tab the listing is for.
    public let view: TasksV1.TaskView
    /// The last listed task's deadline sort key (``TaskCursor/noDeadlineSortKey`` when it had none).
    public let deadlineSortKey: Int64
    /// The last listed task's id.
    public let taskID: Int64

    /// The sort key of a task without a deadline: such tasks come after every dated one.
    public static let noDeadlineSortKey = Int64.max

    /// A cursor after a task.
    public init(clientID: Int64, view: TasksV1.TaskView, deadlineSortKey: Int64, taskID: Int64) {
        self.clientID = clientID
        self.view = view
        self.deadlineSortKey = deadlineSortKey
        self.taskID = taskID
    }

    private static let kind = "t1"

    /// The cursor a page token stands for; nil when the token is not one of ours.
    public init?(token: String) {
        guard let values = PageToken.decode(token, kind: Self.kind, count: 4), values[1] >= Int64(Int32.min),
            values[1] <= Int64(Int32.max)
        else { return nil }
        self.init(
            clientID: values[0], view: TasksV1.TaskView(rawValue: Int32(values[1])), deadlineSortKey: values[2], taskID: values[3])
    }

    /// The opaque page token.
    public var token: String {
        PageToken.encode(kind: Self.kind, [clientID, Int64(view.rawValue), deadlineSortKey, taskID])
    }
}
