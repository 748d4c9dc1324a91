import CChatPanelProto

/// Reads the fields of an unpacked protobuf-c message by field number; used by generated code.
public struct ProtoReader {
    let base: UnsafeRawPointer
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    init(base: UnsafeRawPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.base = base
        self.descriptor = descriptor
    }

    private func field(_ number: UInt32) -> UnsafePointer<ProtobufCFieldDescriptor> {
        guard let field = fieldDescriptor(descriptor, number) else {
            preconditionFailure("generated code asked for field \(number), which the descriptor lacks")
        }
        return field
    }

    private func offset(_ number: UInt32) -> Int { Int(field(number).pointee.offset) }

    private func count(_ number: UInt32) -> Int {
        base.load(fromByteOffset: Int(field(number).pointee.quantifier_offset), as: Int.self)
    }

    private func arrayBase(_ number: UInt32) -> UnsafeRawPointer? {
        base.load(fromByteOffset: offset(number), as: UnsafeRawPointer?.self)
    }

    /// A numeric field (every integer and floating-point kind).
    public func scalar<T: BitwiseCopyable>(_ number: UInt32, as type: T.Type) -> T {
        base.load(fromByteOffset: offset(number), as: T.self)
    }

    /// A `bool` field.
    public func bool(_ number: UInt32) -> Bool {
        base.load(fromByteOffset: offset(number), as: Int32.self) != 0
    }

    /// A `string` field; decoding has already checked it for UTF-8 and NUL characters.
    public func string(_ number: UInt32) -> String {
        guard let chars = base.load(fromByteOffset: offset(number), as: UnsafePointer<CChar>?.self) else { return "" }
        return String(cString: chars)
    }

    /// A `bytes` field.
    public func bytes(_ number: UInt32) -> [UInt8] {
        Self.bytes(base.load(fromByteOffset: offset(number), as: ProtobufCBinaryData.self))
    }

    private static func bytes(_ data: ProtobufCBinaryData) -> [UInt8] {
        guard data.len > 0, let pointer = data.data else { return [] }
        return Array(UnsafeBufferPointer(start: pointer, count: data.len))
    }

    /// An enum field.
    public func enumValue<E: ProtoEnum>(_ number: UInt32, as type: E.Type) -> E {
        E(rawValue: base.load(fromByteOffset: offset(number), as: Int32.self))
    }

    /// A message field; nil when absent.
    public func message<M: ProtoMessage>(_ number: UInt32, as type: M.Type) throws -> M? {
        guard let sub = base.load(fromByteOffset: offset(number), as: UnsafeRawPointer?.self) else { return nil }
        return try M(reading: ProtoReader(base: sub, descriptor: M.protoDescriptor.pointer))
    }

    /// The field number of the member set in the oneof that `number` belongs to (0 if none).
    public func oneofCase(_ number: UInt32) -> UInt32 {
        base.load(fromByteOffset: Int(field(number).pointee.quantifier_offset), as: UInt32.self)
    }

    /// A repeated numeric field.
    public func scalars<T: BitwiseCopyable>(_ number: UInt32, as type: T.Type) -> [T] {
        let n = count(number)
        guard n > 0, let array = arrayBase(number) else { return [] }
        return Array(UnsafeBufferPointer(start: array.assumingMemoryBound(to: T.self), count: n))
    }

    /// A repeated `bool` field.
    public func bools(_ number: UInt32) -> [Bool] {
        scalars(number, as: Int32.self).map { $0 != 0 }
    }

    /// A repeated enum field.
    public func enumValues<E: ProtoEnum>(_ number: UInt32, as type: E.Type) -> [E] {
        scalars(number, as: Int32.self).map(E.init(rawValue:))
    }

    /// A repeated `string` field.
    public func strings(_ number: UInt32) -> [String] {
        let n = count(number)
        guard n > 0, let array = arrayBase(number) else { return [] }
        let pointers = UnsafeBufferPointer(start: array.assumingMemoryBound(to: UnsafePointer<CChar>?.self), count: n)
        return pointers.map { $0.map { String(cString: $0) } ?? "" }
    }

    /// A repeated `bytes` field.
    public func bytesList(_ number: UInt32) -> [[UInt8]] {
        let n = count(number)
        guard n > 0, let array = arrayBase(number) else { return [] }
        return UnsafeBufferPointer(start: array.assumingMemoryBound(to: ProtobufCBinaryData.self), count: n).map(Self.bytes)
    }

    /// A repeated message field.
    public func messages<M: ProtoMessage>(_ number: UInt32, as type: M.Type) throws -> [M] {
        let n = count(number)
        guard n > 0, let array = arrayBase(number) else { return [] }
        let pointers = UnsafeBufferPointer(start: array.assumingMemoryBound(to: UnsafeRawPointer?.self), count: n)
        let descriptor = M.protoDescriptor.pointer
        return try pointers.compactMap { pointer in
            try pointer.map { try M(reading: ProtoReader(base: $0, descriptor: descriptor)) }
        }
    }
}

/// The descriptor of field `number`: looked up directly when the message's fields are numbered
/// from 1 without gaps up to it (most are: protobuf-c lists fields by number), else by
/// protobuf-c's search of the field ranges.
@inline(__always)
func fieldDescriptor(
    _ descriptor: UnsafePointer<ProtobufCMessageDescriptor>, _ number: UInt32
) -> UnsafePointer<ProtobufCFieldDescriptor>? {
    let index = Int(number) - 1
    if index >= 0, index < Int(descriptor.pointee.n_fields), let fields = descriptor.pointee.fields, fields[index].id == number {
        return fields + index
    }
    return protobuf_c_message_descriptor_get_field(descriptor, number)
}
