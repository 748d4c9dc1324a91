/// An edit of a task, validated: nil (or ``DeadlineChange/keep``) leaves a field as it is.
public struct TaskChanges: Sendable, Hashable {
    /// What happens to a task's deadline.
    public enum DeadlineChange: Sendable, Hashable {
        /// It stays.
        case keep
        /// It becomes this one.
        case set(ZonedDeadline)
        /// The task has no deadline any more.
        case clear
    }

    /// A new title.
    public var title: String?
    /// A new description.
    public var text: String?
    /// The deadline's fate.
    public var deadline: DeadlineChange
    /// A new performer.
    public var performerID: Int64?
    /// The version the edit was based on; nil: last write wins.
    public var expectedVersion: UInt64?

    /// An edit from its parts.
    public init(
        title: String? = nil, text: String? = nil, deadline: DeadlineChange = .keep, performerID: Int64? = nil,
        expectedVersion: UInt64? = nil
    ) {
        self.title = title
        self.text = text
        self.deadline = deadline
        self.performerID = performerID
        self.expectedVersion = expectedVersion
    }
}
