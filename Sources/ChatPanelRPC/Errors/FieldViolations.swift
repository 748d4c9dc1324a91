public import ChatPanelProto

/// Collects the bad fields of a request so that one answer names all of them.
///
/// ```swift
/// var violations = FieldViolations()
/// violations.check(!name.isEmpty, field: "name", "must not be empty")
/// try violations.throwIfAny()
/// ```
public struct FieldViolations: Sendable {
    /// The violations so far.
    public private(set) var all: [RPCV1.FieldViolation] = []

    /// An empty collection.
    public init() {}

    /// Whether nothing was found wrong.
    public var isEmpty: Bool { all.isEmpty }

    /// Records a violation of `field`.
    public mutating func add(field: String, _ description: String) {
        all.append(RPCV1.FieldViolation(field: field, description: description))
    }

    /// Records a violation of `field` unless `condition` holds.
    public mutating func check(_ condition: Bool, field: String, _ description: @autoclosure () -> String) {
        if !condition { add(field: field, description()) }
    }

    /// Runs the validation of a nested message: what it finds wrong is recorded with `path`
    /// before each field (`task_lists[1].` + `page_size`), and nil comes back instead of a value.
    /// Errors other than INVALID_ARGUMENT are thrown on.
    public mutating func collect<Value>(path: String, _ validate: () throws(RPCError) -> Value) throws(RPCError) -> Value? {
        do {
            return try validate()
        } catch where error.code == .invalidArgument && !error.violations.isEmpty {
            for violation in error.violations { add(field: path + violation.field, violation.description) }
            return nil
        }
    }

    /// Throws `INVALID_ARGUMENT` listing every violation, if there is any.
    public func throwIfAny() throws(RPCError) {
        if !all.isEmpty { throw RPCError.invalidArgument(all) }
    }
}
