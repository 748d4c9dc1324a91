import CChatPanelProto

/// Writes fields into a protobuf-c message being built in an arena; used by generated code.
public struct ProtoWriter {
    let arena: ProtoArena
    let base: UnsafeMutableRawPointer
    let descriptor: UnsafePointer<ProtobufCMessageDescriptor>

    init(arena: ProtoArena, base: UnsafeMutableRawPointer, descriptor: UnsafePointer<ProtobufCMessageDescriptor>) {
        self.arena = arena
        self.base = base
        self.descriptor = descriptor
    }

    private func field(_ number: UInt32) -> UnsafePointer<ProtobufCFieldDescriptor> {
        guard let field = fieldDescriptor(descriptor, number) else {
            preconditionFailure("generated code wrote field \(number), which the descriptor lacks")
        }
        return field
    }

    private func offset(_ number: UInt32) -> Int { Int(field(number).pointee.offset) }

    private func fieldName(_ number: UInt32) -> String { String(cString: field(number).pointee.name) }

    private func setArray<T>(_ number: UInt32, count: Int, _ fill: (UnsafeMutablePointer<T>) throws -> Void) rethrows {
        guard count > 0 else { return }
        let array = arena.allocateArray(of: T.self, count: count)
        try fill(array)
        let f = field(number)
        base.storeBytes(of: count, toByteOffset: Int(f.pointee.quantifier_offset), as: Int.self)
        base.storeBytes(of: UnsafeMutableRawPointer(array), toByteOffset: Int(f.pointee.offset), as: UnsafeMutableRawPointer.self)
    }

    private func cString(_ number: UInt32, _ value: String) throws -> UnsafeMutablePointer<CChar> {
        guard let chars = arena.cString(value) else { throw ProtoCodingError.embeddedNUL(field: fieldName(number)) }
        return chars
    }

    private func subMessage<M: ProtoMessage>(_ number: UInt32, _ value: M) throws -> UnsafeMutableRawPointer {
        let descriptor = M.protoDescriptor.pointer
        let memory = arena.makeMessage(descriptor)
        do {
            try value.write(to: ProtoWriter(arena: arena, base: memory, descriptor: descriptor))
        } catch let error as ProtoCodingError {
            // Name the nested field by its dotted path (`inner.label`), as decoding does.
            throw error.nested(under: fieldName(number))
        }
        return memory
    }

    /// A numeric field.
    public func setScalar<T: BitwiseCopyable>(_ number: UInt32, _ value: T) {
        base.storeBytes(of: value, toByteOffset: offset(number), as: T.self)
    }

    /// A `bool` field.
    public func setBool(_ number: UInt32, _ value: Bool) {
        base.storeBytes(of: Int32(value ? 1 : 0), toByteOffset: offset(number), as: Int32.self)
    }

    /// A `string` field; a string holding U+0000 is refused, as protobuf-c would cut it short.
    public func setString(_ number: UInt32, _ value: String) throws {
        base.storeBytes(of: try cString(number, value), toByteOffset: offset(number), as: UnsafeMutablePointer<CChar>.self)
    }

    /// A `bytes` field.
    public func setBytes(_ number: UInt32, _ value: [UInt8]) {
        base.storeBytes(of: arena.binary(value), toByteOffset: offset(number), as: ProtobufCBinaryData.self)
    }

    /// An enum field.
    public func setEnum<E: ProtoEnum>(_ number: UInt32, _ value: E) {
        base.storeBytes(of: value.rawValue, toByteOffset: offset(number), as: Int32.self)
    }

    /// A message field.
    public func setMessage<M: ProtoMessage>(_ number: UInt32, _ value: M) throws {
        base.storeBytes(of: try subMessage(number, value), toByteOffset: offset(number), as: UnsafeMutableRawPointer.self)
    }

    /// Marks `number` as the member set in its oneof.
    public func setOneofCase(_ number: UInt32) {
        base.storeBytes(of: number, toByteOffset: Int(field(number).pointee.quantifier_offset), as: UInt32.self)
    }

    /// A repeated numeric field.
    public func setScalars<T: BitwiseCopyable>(_ number: UInt32, _ values: [T]) {
        setArray(number, count: values.count) { (array: UnsafeMutablePointer<T>) in
            for (i, v) in values.enumerated() { array[i] = v }
        }
    }

    /// A repeated `bool` field, written straight into the arena's array (not mapped into an
    /// array of its own first: an allocation for each field).
    public func setBools(_ number: UInt32, _ values: [Bool]) {
        setArray(number, count: values.count) { (array: UnsafeMutablePointer<Int32>) in
            for (i, v) in values.enumerated() { array[i] = v ? 1 : 0 }
        }
    }

    /// A repeated enum field (a caller's rights, on every request frame), written straight into
    /// the arena's array.
    public func setEnums<E: ProtoEnum>(_ number: UInt32, _ values: [E]) {
        setArray(number, count: values.count) { (array: UnsafeMutablePointer<Int32>) in
            for (i, v) in values.enumerated() { array[i] = v.rawValue }
        }
    }

    /// A repeated `string` field.
    public func setStrings(_ number: UInt32, _ values: [String]) throws {
        try setArray(number, count: values.count) { (array: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) in
            for (i, v) in values.enumerated() { array[i] = try cString(number, v) }
        }
    }

    /// A repeated `bytes` field.
    public func setBytesList(_ number: UInt32, _ values: [[UInt8]]) {
        setArray(number, count: values.count) { (array: UnsafeMutablePointer<ProtobufCBinaryData>) in
            for (i, v) in values.enumerated() { array[i] = arena.binary(v) }
        }
    }

    /// A repeated message field.
    public func setMessages<M: ProtoMessage>(_ number: UInt32, _ values: [M]) throws {
        try setArray(number, count: values.count) { (array: UnsafeMutablePointer<UnsafeMutableRawPointer?>) in
            for (i, v) in values.enumerated() { array[i] = try subMessage(number, v) }
        }
    }
}
