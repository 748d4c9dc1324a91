import ChatPanelProto
import Testing

extension ProtoMessage {
    /// A message built by mutating the default one.
    static func with(_ configure: (inout Self) -> Void) -> Self {
        var message = Self()
        configure(&message)
        return message
    }
}

/// An `Inner` with both fields set.
func makeInner(_ label: String, _ value: Int64) -> TestingV1.Inner {
    .with {
        $0.label = label
        $0.value = value
    }
}

/// Encodes `message`, decodes the bytes, and checks that the result equals the original and
/// re-encodes to the same bytes. Returns the decoded message for field-level checks.
@discardableResult
func roundTrip<M: ProtoMessage>(_ message: M, sourceLocation: SourceLocation = #_sourceLocation) throws -> M {
    let bytes = try message.serializedBytes()
    let decoded = try M(serializedBytes: bytes)
    #expect(decoded == message, sourceLocation: sourceLocation)
    #expect(try decoded.serializedBytes() == bytes, "re-encoding changed the bytes", sourceLocation: sourceLocation)
    return decoded
}
