import CChatPanelProto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension ProtoMessage {
    /// The message in protobuf wire format, written in one pass by its generated encoder
    /// (``writeWire(to:)``) into this thread's decoding arena and copied out once: for the
    /// panel's hot reads (answers of synchronous handlers, the gateway's panel), where building
    /// protobuf-c's structures, measuring and packing them cost about twice as much (a client
    /// card: about 22 700 instructions against 12 700). The bytes are those ``serializedBytes()``
    /// packs with protobuf-c, which tests and the fuzzer check; a string holding U+0000 is
    /// refused with the same ``ProtoCodingError`` and field path.
    public func onePassBytes() throws -> [UInt8] {
        let size = wireSize
        guard size > 0 else { return [] }
        // Written in the arena and copied into an array made here: `[UInt8](unsafeUninitializedCapacity:)`
        // allocates in the standard library's unspecialized code (about 900 instructions).
        return try ProtoArena.withThreadDecodeArena { scratch in
            let memory = scratch.allocate(size)
            var out = ProtoWire.Writer(UnsafeMutableRawBufferPointer(start: memory, count: size))
            try writeWire(to: &out)
            precondition(out.written == size, "a message's fields do not add up to its size")
            return [UInt8](UnsafeBufferPointer(start: memory.assumingMemoryBound(to: UInt8.self), count: size))
        }
    }

    /// The message in protobuf wire format, packed by protobuf-c.
    ///
    /// Throws ``ProtoCodingError`` when a string holds U+0000, which protobuf-c cannot carry.
    public func serializedBytes() throws -> [UInt8] {
        try ProtoArena.withThreadArena { arena in
            let descriptor = Self.protoDescriptor.pointer
            let memory = arena.makeMessage(descriptor)
            try write(to: ProtoWriter(arena: arena, base: memory, descriptor: descriptor))
            let message = memory.assumingMemoryBound(to: ProtobufCMessage.self)
            let size = protobuf_c_message_get_packed_size(message)
            guard size > 0 else { return [] }
            // Packed into the thread's decoding arena, then copied into an array made here:
            // `[UInt8](unsafeUninitializedCapacity:)` allocates in the standard library's
            // unspecialized code, which looks the array's storage type up at run time (about 900
            // instructions, more than the copy of a panel).
            return ProtoArena.withThreadDecodeArena { scratch in
                let bytes = scratch.allocate(size).bindMemory(to: UInt8.self, capacity: size)
                let packed = protobuf_c_message_pack(message, bytes)
                return [UInt8](UnsafeBufferPointer(start: bytes, count: packed))
            }
        }
    }

    /// Decodes untrusted bytes.
    ///
    /// Before protobuf-c sees them, the bytes are walked once: nesting deeper than
    /// `limits.maxDepth` is refused, and so are strings that are not UTF-8 or hold U+0000
    /// (protobuf-c would accept the first and silently truncate the second).
    public init(serializedBytes bytes: [UInt8], limits: ProtoDecodingLimits = .default) throws {
        self = try bytes.withUnsafeBytes { try Self(unsafeBytes: $0, limits: limits) }
    }

    /// Decodes untrusted bytes in place (no copy), with the checks of ``init(serializedBytes:limits:)``.
    public init(unsafeBytes buffer: UnsafeRawBufferPointer, limits: ProtoDecodingLimits = .default) throws {
        let descriptor = Self.protoDescriptor.pointer
        var validator = WireValidator(buffer: buffer, limits: limits)
        try validator.validate(descriptor: descriptor, start: 0, end: buffer.count, depth: 0, path: { "" })
        guard let base = buffer.baseAddress ?? (buffer.isEmpty ? UnsafeRawPointer(bitPattern: 1) : nil) else {
            throw ProtoCodingError.malformed()
        }
        // Unpacked into the thread's decoding arena, read into Swift values, and dropped with
        // the arena's reset: no `malloc` or `free` per string, bytes field or sub-message.
        self = try ProtoArena.withThreadDecodeArena { arena in
            var allocator = arena.allocator
            guard let message = protobuf_c_message_unpack(descriptor, &allocator, buffer.count, base.assumingMemoryBound(to: UInt8.self))
            else {
                throw ProtoCodingError.malformed()
            }
            return try Self(reading: ProtoReader(base: UnsafeRawPointer(message), descriptor: descriptor))
        }
    }
}

/// Walks wire-format bytes with the message descriptors, checking what protobuf-c does not.
struct WireValidator {
    let buffer: UnsafeRawBufferPointer
    let limits: ProtoDecodingLimits

    /// `path` names the field in an error; it is only built when there is one.
    private func varint(_ index: inout Int, end: Int, path: @autoclosure () -> String) throws -> UInt64 {
        guard let value = ProtoWire.varint(in: buffer, at: &index, end: end) else { throw ProtoCodingError.malformed(field: path()) }
        return value
    }

    /// `path` names the message in an error: it is built only when there is one (a path built
    /// for every sub-message walked cost about 230 instructions each).
    mutating func validate(
        descriptor: UnsafePointer<ProtobufCMessageDescriptor>, start: Int, end: Int, depth: Int, path: () -> String
    ) throws {
        let bytes = buffer
        var index = start
        while index < end {
            let keyStart = index
            let key = try varint(&index, end: end, path: path())
            let number = UInt32(truncatingIfNeeded: key >> 3)
            guard number != 0, key >> 3 <= UInt64(UInt32.max) else { throw ProtoCodingError.malformed(field: path()) }
            let field = fieldDescriptor(descriptor, number)
            func fieldPath() -> String {
                let parent = path()
                guard let field else { return parent }
                var name = String(cString: field.pointee.name)
                if field.pointee.label == PROTOBUF_C_LABEL_REPEATED,
                    [PROTOBUF_C_TYPE_STRING, PROTOBUF_C_TYPE_MESSAGE, PROTOBUF_C_TYPE_BYTES].contains(field.pointee.type)
                {
                    // An element is named by its place (`views[3].title`), counted only when wrong.
                    name += "[\(Self.occurrences(in: bytes, of: number, from: start, to: keyStart))]"
                }
                return parent.isEmpty ? name : "\(parent).\(name)"
            }
            switch key & 7 {
            case 0:
                _ = try varint(&index, end: end, path: fieldPath())
            case 1:
                index += 8
            case 5:
                index += 4
            case 2:
                let length = try varint(&index, end: end, path: fieldPath())
                guard length <= UInt64(end - index) else { throw ProtoCodingError.malformed(field: fieldPath()) }
                let valueEnd = index + Int(length)
                if let field {
                    switch field.pointee.type {
                    case PROTOBUF_C_TYPE_STRING:
                        try checkString(from: index, to: valueEnd, path: fieldPath())
                    case PROTOBUF_C_TYPE_MESSAGE:
                        guard depth + 1 <= limits.maxDepth else {
                            throw ProtoCodingError.tooDeep(field: fieldPath(), limit: limits.maxDepth)
                        }
                        let sub = field.pointee.descriptor.assumingMemoryBound(to: ProtobufCMessageDescriptor.self)
                        try validate(descriptor: sub, start: index, end: valueEnd, depth: depth + 1, path: fieldPath)
                    default:
                        break
                    }
                }
                index = valueEnd
            default:
                // Groups (3, 4) are not used by proto3; 6 and 7 do not exist.
                throw ProtoCodingError.malformed(field: fieldPath())
            }
            guard index <= end else { throw ProtoCodingError.malformed(field: fieldPath()) }
        }
    }

    /// How many times field `number` occurs in the message's bytes from `start` to `end`, which
    /// were walked and found well formed already.
    private static func occurrences(in buffer: UnsafeRawBufferPointer, of number: UInt32, from start: Int, to end: Int) -> Int {
        var count = 0
        var index = start
        while index < end, let key = ProtoWire.varint(in: buffer, at: &index, end: end) {
            if UInt32(truncatingIfNeeded: key >> 3) == number { count += 1 }
            switch key & 7 {
            case 0: _ = ProtoWire.varint(in: buffer, at: &index, end: end)
            case 1: index += 8
            case 5: index += 4
            case 2: index += Int(ProtoWire.varint(in: buffer, at: &index, end: end) ?? UInt64(end - index))
            default: return count
            }
        }
        return count
    }

    private func checkString(from start: Int, to end: Int, path: @autoclosure () -> String) throws {
        let bytes = UnsafeRawBufferPointer(rebasing: buffer[start..<end])
        switch Self.stringProblem(bytes) {
        case nil: return
        case .embeddedNUL: throw ProtoCodingError.embeddedNUL(field: path())
        case .invalidUTF8: throw ProtoCodingError.invalidUTF8(field: path())
        }
    }

    /// What is wrong with a string field's bytes: a NUL (C code would cut the string there), or
    /// not UTF-8. Nil when nothing is.
    enum StringProblem { case embeddedNUL, invalidUTF8 }

    static func stringProblem(_ bytes: UnsafeRawBufferPointer) -> StringProblem? {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return nil }
        // memchr finds a NUL a word at a time, and ASCII is told eight bytes at a time: a loop
        // over the bytes took two compares a byte.
        if memchr(base, 0, bytes.count) != nil { return .embeddedNUL }
        var highBits: UInt64 = 0
        var index = 0
        while index + 8 <= bytes.count {
            highBits |= base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < bytes.count {
            highBits |= UInt64(bytes[index])
            index += 1
        }
        if highBits & 0x8080_8080_8080_8080 != 0, !isWellFormedUTF8(bytes) { return .invalidUTF8 }
        return nil
    }

    /// Whether `bytes` is well-formed UTF-8 (the Unicode Standard's table 3-7): what
    /// `String(validating:as:)` accepts, without making the string. That initializer built a
    /// string and let it go, through unspecialized generic code: about 1 200 instructions a
    /// string, paid for every string with a letter outside ASCII (a Russian name, a price's
    /// no-break space).
    static func isWellFormedUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let count = bytes.count
        var index = 0
        while index < count {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            // The second byte's range depends on the lead (no overlong forms, no surrogates,
            // nothing above U+10FFFF); every other continuation byte is 80...BF.
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0: (length, low) = (3, 0xA0)
            case 0xE1...0xEC, 0xEE...0xEF: length = 3
            case 0xED: (length, high) = (3, 0x9F)
            case 0xF0: (length, low) = (4, 0x90)
            case 0xF1...0xF3: length = 4
            case 0xF4: (length, high) = (4, 0x8F)
            default: return false  // a continuation byte, C0, C1 or F5...FF
            }
            guard count - index >= length else { return false }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return false }
            for offset in 2..<length where bytes[index + offset] & 0xC0 != 0x80 { return false }
            index += length
        }
        return true
    }
}
