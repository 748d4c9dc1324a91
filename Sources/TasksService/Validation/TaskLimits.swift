/// Sizes a task's fields and task pages may have.
public enum TaskLimits {
    /// Longest title, in characters.
    public static let titleLength = 250
    /// Longest description, in characters.
    public static let textLength = 5000
    /// Longest order number, in characters.
    public static let orderNumberLength = 64
    /// Tasks per page when the request names no size.
    public static let defaultPageSize = 20
    /// Most tasks per page.
    public static let maximumPageSize = 100
}
