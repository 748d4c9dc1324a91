import CChatPanelProto

/// A message type generated from `proto/`: a plain `Sendable` value that converts to and from
/// protobuf-c's C representation.
///
/// Encode with ``serializedBytes()`` and decode with ``init(serializedBytes:limits:)``:
///
/// ```swift
/// var request = HealthV1.HealthCheckRequest()
/// request.service = "clients"
/// let bytes = try request.serializedBytes()
/// let decoded = try HealthV1.HealthCheckRequest(serializedBytes: bytes)
/// ```
public protocol ProtoMessage: Sendable, Hashable {
    /// A message with every field at its default.
    init()
    /// The protobuf-c descriptor the message packs and unpacks with.
    static var protoDescriptor: ProtoMessageDescriptor { get }
    /// Reads the fields of an unpacked protobuf-c message.
    init(reading reader: ProtoReader) throws
    /// Writes the fields into a protobuf-c message being built.
    func write(to writer: ProtoWriter) throws
    /// The size of its wire encoding (what ``writeWire(to:)`` writes).
    var wireSize: Int { get }
    /// Writes its fields in wire format, in number order, with proto3's rules: the bytes
    /// protobuf-c packs for it. A string holding U+0000 is refused, naming its field.
    func writeWire(to out: inout ProtoWire.Writer) throws
}

/// A generated enum: known cases plus `unrecognized(Int32)` for values from newer peers.
public protocol ProtoEnum: Sendable, Hashable {
    /// The value for a wire number; unknown numbers are kept as they are.
    init(rawValue: Int32)
    /// The wire number.
    var rawValue: Int32 { get }
    /// The value's name in the `.proto` file.
    var protoName: String { get }
}

/// The address of a protobuf-c message descriptor (static, immutable C data).
public struct ProtoMessageDescriptor: @unchecked Sendable {
    let pointer: UnsafePointer<ProtobufCMessageDescriptor>

    init(_ pointer: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.pointer = pointer
    }

    /// The message's full name, like `chatpanel.rpc.v1.RequestFrame`.
    public var fullName: String { String(cString: pointer.pointee.name) }
}

/// Storage for a message field whose type contains the message itself.
public final class ProtoBox<Value: Hashable & Sendable>: Hashable, Sendable {
    /// The boxed value.
    public let value: Value

    /// Boxes a value.
    public init(_ value: Value) {
        self.value = value
    }

    public static func == (lhs: ProtoBox, rhs: ProtoBox) -> Bool { lhs.value == rhs.value }

    public func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A unary method of a service: its full path and its message types.
public struct UnaryMethod<Request: ProtoMessage, Response: ProtoMessage>: Sendable, Hashable {
    /// The full path, like `/chatpanel.health.v1.Health/Check`.
    public let path: String

    /// A method at a path.
    public init(path: String) {
        self.path = path
    }
}

/// A server-streaming method: one request, several responses, then the end of the stream.
public struct ServerStreamingMethod<Request: ProtoMessage, Response: ProtoMessage>: Sendable, Hashable {
    /// The full path, like `/chatpanel.health.v1.Health/Watch`.
    public let path: String

    /// A method at a path.
    public init(path: String) {
        self.path = path
    }
}
