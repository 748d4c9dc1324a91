public import ChatPanelRPC

/// Why one input value was refused, in words for the person who typed it.
public struct ValidationFailure: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, like "must contain an @".
    public let description: String

    /// A failure with its explanation.
    public init(_ description: String) {
        self.description = description
    }
}

extension FieldViolations {
    /// The value when `result` succeeded; otherwise records a violation of `field` and returns nil.
    public mutating func take<T>(_ result: Result<T, ValidationFailure>, field: String) -> T? {
        switch result {
        case .success(let value):
            return value
        case .failure(let failure):
            add(field: field, failure.description)
            return nil
        }
    }
}

extension RPCError {
    /// `INVALID_ARGUMENT` for one field, from a validation failure.
    static func invalidArgument(field: String, _ failure: ValidationFailure) -> RPCError {
        .invalidArgument(field: field, failure.description)
    }
}
