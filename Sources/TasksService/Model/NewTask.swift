/// A task to create, validated.
public struct NewTask: Sendable, Hashable {
    /// What it is bound to.
    public var subject: TaskSubject
    /// 1 to ``TaskLimits/titleLength`` characters, not blank.
    public var title: String
    /// Up to ``TaskLimits/textLength`` characters.
    public var text: String
    /// When it is due, if ever.
    public var deadline: ZonedDeadline?
    /// Who is to do it.
    public var performerID: Int64
    /// Who created it.
    public var authorID: Int64

    /// A task from its parts.
    public init(subject: TaskSubject, title: String, text: String, deadline: ZonedDeadline?, performerID: Int64, authorID: Int64) {
        self.subject = subject
        self.title = title
        self.text = text
        self.deadline = deadline
        self.performerID = performerID
        self.authorID = authorID
    }
}
