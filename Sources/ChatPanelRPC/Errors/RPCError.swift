public import ChatPanelProto

/// The one error type that crosses the wire: a gRPC canonical status code, a message for
/// people, and per-field violations for bad input.
///
/// Services throw it (or a domain error that is ``RPCErrorConvertible``); any other error
/// leaves a server as `INTERNAL` with a generic message, and its cause is only logged.
public struct RPCError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The status codes: the gRPC canonical set, with the same numbers (see `proto/chatpanel/rpc/v1/rpc.proto`).
    public typealias Code = RPCV1.StatusCode

    /// What kind of failure this is.
    public var code: Code
    /// A message for the person reading logs or the CLI.
    public var message: String
    /// For `INVALID_ARGUMENT`: which request fields are wrong and why.
    public var violations: [RPCV1.FieldViolation]
    /// An encoded message the method documents for this error (empty when none).
    public var details: [UInt8]

    /// An error with a code, a message and optional field violations and details.
    public init(code: Code, message: String, violations: [RPCV1.FieldViolation] = [], details: [UInt8] = []) {
        self.code = code
        self.message = message
        self.violations = violations
        self.details = details
    }

    /// The error a wire status stands for.
    public init(status: RPCV1.Status) {
        self.init(code: status.code, message: status.message, violations: status.violations, details: status.details)
    }

    /// The details decoded as `M`, when there are any.
    public func decodedDetails<M: ProtoMessage>(as type: M.Type) -> M? {
        details.isEmpty ? nil : try? M(serializedBytes: details)
    }

    /// The wire form.
    public var status: RPCV1.Status {
        var status = RPCV1.Status()
        status.code = code
        status.message = message
        status.violations = violations
        status.details = details
        return status
    }

    public var description: String {
        var text = "\(code.protoName): \(message)"
        for violation in violations { text += "\n  \(violation.field): \(violation.description)" }
        return text
    }

    /// `INVALID_ARGUMENT` for one field.
    public static func invalidArgument(field: String, _ description: String) -> RPCError {
        RPCError(code: .invalidArgument, message: "\(field): \(description)", violations: [.init(field: field, description: description)])
    }

    /// `INVALID_ARGUMENT` for several fields.
    public static func invalidArgument(_ violations: [RPCV1.FieldViolation]) -> RPCError {
        let summary = violations.map { "\($0.field): \($0.description)" }.joined(separator: "; ")
        return RPCError(code: .invalidArgument, message: summary, violations: violations)
    }

    /// `NOT_FOUND`.
    public static func notFound(_ message: String) -> RPCError { RPCError(code: .notFound, message: message) }
    /// `PERMISSION_DENIED`.
    public static func permissionDenied(_ message: String) -> RPCError { RPCError(code: .permissionDenied, message: message) }
    /// `FAILED_PRECONDITION`.
    public static func failedPrecondition(_ message: String) -> RPCError { RPCError(code: .failedPrecondition, message: message) }
    /// `ALREADY_EXISTS`.
    public static func alreadyExists(_ message: String) -> RPCError { RPCError(code: .alreadyExists, message: message) }
    /// `ABORTED`.
    public static func aborted(_ message: String) -> RPCError { RPCError(code: .aborted, message: message) }
    /// `UNAVAILABLE`.
    public static func unavailable(_ message: String) -> RPCError { RPCError(code: .unavailable, message: message) }
    /// `DEADLINE_EXCEEDED`.
    public static func deadlineExceeded(_ message: String = "the call's deadline passed") -> RPCError {
        RPCError(code: .deadlineExceeded, message: message)
    }
    /// `INTERNAL` with the generic message sent for errors the server does not explain.
    public static let `internal` = RPCError(code: .internal, message: "internal error")
}

/// A domain error that knows which wire error it is.
public protocol RPCErrorConvertible: Error {
    /// The wire error to send.
    var rpcError: RPCError { get }
}

extension RPCV1.FieldViolation {
    /// A violation of one field.
    public init(field: String, description: String) {
        self.init()
        self.field = field
        self.description = description
    }
}
