#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The RPC layer's envelopes, `RequestFrame` and `ResponseFrame`, read and written on every call
/// without protobuf-c.
///
/// Each call decodes two envelopes and encodes two (the server's answer envelope is encoded once,
/// see the RPC server). Through protobuf-c each decode walked the bytes three times (the checks
/// protobuf-c does not make, its unpacking, then the reading into Swift values): about 3 300
/// instructions an envelope, the most of any single step of an echo call after the kernel's.
///
/// The readers here take the frames the RPC layer writes: known fields only, each with its own
/// wire type, its key and any length prefix in their shortest form, strings that are UTF-8
/// without NUL, each sub-message at most once. Anything else (an unknown field, a sub-message
/// given twice, a malformed or unusual encoding) goes to the general decoder, which either
/// decodes it or throws the error it always threw: the answer is the general decoder's for
/// every input, which the tests and the `FuzzRequestFrame` fuzzer check on both.
extension RPCV1.RequestFrame {
    /// Decodes untrusted bytes: the same frame, or the same error, as
    /// ``ProtoMessage/init(unsafeBytes:limits:)`` with the default limits.
    public init(envelope bytes: UnsafeRawBufferPointer) throws {
        if let frame = Self.read(bytes) {
            self = frame
        } else {
            try self.init(unsafeBytes: bytes)
        }
    }

    /// The frame, or nil when the general decoder is to decide.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var frame = Self()
        var reader = EnvelopeReader(bytes)
        var sawCaller = false
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0): frame.callID = field.value
            case (2, 0): frame.kind = RPCV1.RequestKind(rawValue: Int32(truncatingIfNeeded: field.value))
            case (3, 2): guard let text = reader.string(field) else { return nil }; frame.method = text
            case (4, 0): frame.timeoutMs = UInt32(truncatingIfNeeded: field.value)
            case (5, 2):
                guard !sawCaller, let caller = RPCV1.Caller.read(reader.slice(field)) else { return nil }
                sawCaller = true
                frame.caller = caller
            case (6, 2): guard let text = reader.string(field) else { return nil }; frame.requestID = text
            case (7, 2): frame.payload = Array(reader.slice(field))
            case (8, 2): guard let text = reader.string(field) else { return nil }; frame.traceparent = text
            default: return nil
            }
        }
        return reader.failed ? nil : frame
    }

    /// The frame's encoding, the bytes protobuf-c packs for it. The RPC client encodes it
    /// without its payload and appends the payload as field 7 when it writes the frame. Throws
    /// as protobuf-c encoding does for a string holding a NUL.
    ///
    /// Written in one pass into an array of its exact size.
    public func encodedEnvelope() throws -> [UInt8] {
        var method = method
        var requestID = requestID
        var traceparent = traceparent
        return try method.withUTF8 { method in
            try requestID.withUTF8 { requestID in
                try traceparent.withUTF8 { traceparent in
                    try encodedEnvelope(method: UnsafeRawBufferPointer(method), requestID: UnsafeRawBufferPointer(requestID), traceparent: UnsafeRawBufferPointer(traceparent))
                }
            }
        }
    }

    private func encodedEnvelope(method: UnsafeRawBufferPointer, requestID: UnsafeRawBufferPointer, traceparent: UnsafeRawBufferPointer) throws -> [UInt8] {
        func refuseNUL(_ text: UnsafeRawBufferPointer, _ name: String) throws {
            if let base = text.baseAddress, memchr(base, 0, text.count) != nil { throw ProtoCodingError.embeddedNUL(field: name) }
        }
        try refuseNUL(method, "method")
        try refuseNUL(requestID, "request_id")
        try refuseNUL(traceparent, "traceparent")
        let kind = UInt64(bitPattern: Int64(kind.rawValue))
        let callerSize = caller?.encodedSize ?? 0
        var size = 0
        if callID != 0 { size += 1 + ProtoWire.varintSize(callID) }
        if kind != 0 { size += 1 + ProtoWire.varintSize(kind) }
        size += EnvelopeWriter.size(of: method)
        if timeoutMs != 0 { size += 1 + ProtoWire.varintSize(UInt64(timeoutMs)) }
        if caller != nil { size += 1 + ProtoWire.varintSize(UInt64(callerSize)) + callerSize }
        size += EnvelopeWriter.size(of: requestID)
        size += payload.withUnsafeBytes { EnvelopeWriter.size(of: $0) }
        size += EnvelopeWriter.size(of: traceparent)
        return [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
            var out = EnvelopeWriter(UnsafeMutableRawBufferPointer(buffer))
            if callID != 0 { out.put(1, varint: callID) }
            if kind != 0 { out.put(2, varint: kind) }
            out.put(3, method)
            if timeoutMs != 0 { out.put(4, varint: UInt64(timeoutMs)) }
            if let caller {
                out.putVarint(5 << 3 | 2)
                out.putVarint(UInt64(callerSize))
                caller.write(to: &out)
            }
            out.put(6, requestID)
            payload.withUnsafeBytes { out.put(7, $0) }
            out.put(8, traceparent)
            precondition(out.written == size, "a request envelope's parts do not add up to its size")
            count = size
        }
    }
}

extension RPCV1.Caller {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var caller = Self()
        var reader = EnvelopeReader(bytes)
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0): caller.managerID = Int64(bitPattern: field.value)
            case (2, 0): caller.rights.append(RPCV1.Right(rawValue: Int32(truncatingIfNeeded: field.value)))
            case (2, 2):
                let packed = reader.slice(field)
                var index = 0
                while index < packed.count {
                    let start = index
                    guard let value = ProtoWire.varint(in: packed, at: &index, end: packed.count),
                        index - start == ProtoWire.varintSize(value)
                    else { return nil }
                    caller.rights.append(RPCV1.Right(rawValue: Int32(truncatingIfNeeded: value)))
                }
            default: return nil
            }
        }
        return reader.failed ? nil : caller
    }

    /// The size of its encoding: the rights packed, each a 64-bit varint (a negative value
    /// takes ten bytes), as protobuf-c packs them.
    var encodedSize: Int {
        var size = managerID != 0 ? 1 + ProtoWire.varintSize(UInt64(bitPattern: managerID)) : 0
        if !rights.isEmpty {
            let packed = packedRightsSize
            size += 1 + ProtoWire.varintSize(UInt64(packed)) + packed
        }
        return size
    }

    private var packedRightsSize: Int {
        rights.reduce(0) { $0 + ProtoWire.varintSize(UInt64(bitPattern: Int64($1.rawValue))) }
    }

    func write(to out: inout EnvelopeWriter) {
        if managerID != 0 { out.put(1, varint: UInt64(bitPattern: managerID)) }
        if !rights.isEmpty {
            out.putVarint(2 << 3 | 2)
            out.putVarint(UInt64(packedRightsSize))
            for right in rights { out.putVarint(UInt64(bitPattern: Int64(right.rawValue))) }
        }
    }
}

/// Writes wire format into memory of the exact size, computed beforehand.
struct EnvelopeWriter {
    private let base: UnsafeMutableRawPointer?
    private(set) var written = 0

    init(_ buffer: UnsafeMutableRawBufferPointer) {
        base = buffer.baseAddress
    }

    /// The size of a length-delimited field of a one-byte key, nothing when it is empty.
    static func size(of contents: UnsafeRawBufferPointer) -> Int {
        contents.isEmpty ? 0 : 1 + ProtoWire.varintSize(UInt64(contents.count)) + contents.count
    }

    mutating func putVarint(_ value: UInt64) {
        guard let base else { return }
        var rest = value
        while rest >= 0x80 {
            base.storeBytes(of: UInt8(truncatingIfNeeded: rest) | 0x80, toByteOffset: written, as: UInt8.self)
            written += 1
            rest >>= 7
        }
        base.storeBytes(of: UInt8(rest), toByteOffset: written, as: UInt8.self)
        written += 1
    }

    mutating func put(_ number: UInt32, varint value: UInt64) {
        putVarint(UInt64(number) << 3)
        putVarint(value)
    }

    /// A length-delimited field, unless it is empty.
    mutating func put(_ number: UInt32, _ contents: UnsafeRawBufferPointer) {
        guard let source = contents.baseAddress, !contents.isEmpty, let base else { return }
        putVarint(UInt64(number) << 3 | 2)
        putVarint(UInt64(contents.count))
        (base + written).copyMemory(from: source, byteCount: contents.count)
        written += contents.count
    }
}

extension RPCV1.ResponseFrame {
    /// Decodes untrusted bytes: the same frame, or the same error, as
    /// ``ProtoMessage/init(unsafeBytes:limits:)`` with the default limits.
    public init(envelope bytes: UnsafeRawBufferPointer) throws {
        if let frame = Self.read(bytes) {
            self = frame
        } else {
            try self.init(unsafeBytes: bytes)
        }
    }

    /// The frame, or nil when the general decoder is to decide.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var frame = Self()
        var reader = EnvelopeReader(bytes)
        var sawStatus = false
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0): frame.callID = field.value
            case (2, 0): frame.endOfStream = field.value != 0
            case (3, 2):
                guard !sawStatus, let status = RPCV1.Status.read(reader.slice(field)) else { return nil }
                sawStatus = true
                frame.status = status
            case (4, 2): frame.payload = Array(reader.slice(field))
            default: return nil
            }
        }
        return reader.failed ? nil : frame
    }
}

extension RPCV1.Status {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var status = Self()
        var reader = EnvelopeReader(bytes)
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 0): status.code = RPCV1.StatusCode(rawValue: Int32(truncatingIfNeeded: field.value))
            case (2, 2): guard let text = reader.string(field) else { return nil }; status.message = text
            case (3, 2): guard let violation = RPCV1.FieldViolation.read(reader.slice(field)) else { return nil }; status.violations.append(violation)
            case (4, 2): status.details = Array(reader.slice(field))
            default: return nil
            }
        }
        return reader.failed ? nil : status
    }
}

extension RPCV1.FieldViolation {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var violation = Self()
        var reader = EnvelopeReader(bytes)
        while let field = reader.next() {
            switch (field.number, field.wireType) {
            case (1, 2): guard let text = reader.string(field) else { return nil }; violation.field = text
            case (2, 2): guard let text = reader.string(field) else { return nil }; violation.description = text
            default: return nil
            }
        }
        return reader.failed ? nil : violation
    }
}

/// The top-level fields of an envelope's bytes, each in the form the RPC layer writes: a
/// one-byte key (every envelope field number is below 16), a length prefix of at most five
/// bytes (what protobuf-c reads), and varints in their shortest form. A longer varint is read
/// differently by protobuf-c for some types (a `bool` whose set bit lies past the 64th is true
/// there), so it is left to the general decoder. `failed` is set when the bytes end otherwise.
struct EnvelopeReader {
    let bytes: UnsafeRawBufferPointer
    private var index = 0
    private(set) var failed = false

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The next field; nil at the end, or with `failed` set when it is not in that form.
    mutating func next() -> ProtoWire.Field? {
        guard index < bytes.count else { return nil }
        guard let field = ProtoWire.field(in: bytes, at: &index), field.body.lowerBound - field.whole.lowerBound == 1,
            field.payload.lowerBound - field.body.lowerBound <= 5,
            field.wireType != 0 || field.body.count == ProtoWire.varintSize(field.value)
        else {
            failed = true
            return nil
        }
        return field
    }

    /// A length-delimited field's contents.
    func slice(_ field: ProtoWire.Field) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: bytes[field.payload])
    }

    /// A string field's text; nil when it holds a NUL or is not UTF-8.
    func string(_ field: ProtoWire.Field) -> String? {
        let contents = slice(field)
        guard WireValidator.stringProblem(contents) == nil else { return nil }
        return String(decoding: contents, as: UTF8.self)
    }
}
