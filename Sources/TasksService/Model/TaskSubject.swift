/// What a task is bound to (TASK-2): a client, or an order by its number when there is no client.
public enum TaskSubject: Sendable, Hashable {
    /// The client with this id.
    case client(Int64)
    /// The order with this number.
    case order(String)
}
