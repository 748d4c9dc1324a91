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

    /// Records a violation of `field` when `failure` is not nil.
    public mutating func add(field: String, _ failure: ValidationFailure?) {
        if let failure { add(field: field, failure.description) }
    }

    /// Records a violation unless `id` names something (ids are positive).
    public mutating func checkID(_ id: Int64, field: String) {
        check(id > 0, field: field, id == 0 ? "is required" : "must be a positive id")
    }

    /// Records a violation of `field` unless `text` is acceptable as it is under `rule` (see
    /// ``TextRule/check(_:)``); for values that are stored as typed.
    public mutating func checkText(_ text: String, field: String, _ rule: TextRule) {
        add(field: field, rule.check(text))
    }

    /// The cleaned `text` (see ``TextRule/clean(_:)``), or nil with a violation of `field` recorded.
    public mutating func clean(_ text: String, field: String, _ rule: TextRule) -> String? {
        take(rule.clean(text), field: field)
    }
}

extension RPCError {
    /// `INVALID_ARGUMENT` for one field, from a validation failure.
    public static func invalidArgument(field: String, _ failure: ValidationFailure) -> RPCError {
        .invalidArgument(field: field, failure.description)
    }
}
