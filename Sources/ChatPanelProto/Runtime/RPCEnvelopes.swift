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
        self = try Self.decoded(bytes, reading: Self.read)
    }

    /// The frame, or nil when the general decoder is to decide.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var frame = Self()
        var reader = ProtoWire.Reader(bytes)
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
    /// Written in one pass into an array of its exact size (``ProtoWire/Writer``).
    public func encodedEnvelope() throws -> [UInt8] {
        var method = method
        var requestID = requestID
        var traceparent = traceparent
        return try method.withUTF8 { method in
            try requestID.withUTF8 { requestID in
                try traceparent.withUTF8 { traceparent in
                    try encodedEnvelope(method: method, requestID: requestID, traceparent: traceparent)
                }
            }
        }
    }

    private func encodedEnvelope(
        method: UnsafeBufferPointer<UInt8>, requestID: UnsafeBufferPointer<UInt8>, traceparent: UnsafeBufferPointer<UInt8>
    ) throws -> [UInt8] {
        try ProtoWire.refuseNUL(method, field: "method")
        try ProtoWire.refuseNUL(requestID, field: "request_id")
        try ProtoWire.refuseNUL(traceparent, field: "traceparent")
        let kind = UInt64(bitPattern: Int64(kind.rawValue))
        let callerSize = caller?.encodedSize ?? 0
        var size = ProtoWire.Writer.size(1, varint: callID) + ProtoWire.Writer.size(2, varint: kind)
        size += ProtoWire.Writer.size(3, lengthDelimited: method.count) + ProtoWire.Writer.size(4, varint: UInt64(timeoutMs))
        if caller != nil { size += ProtoWire.Writer.size(5, present: callerSize) }
        size += ProtoWire.Writer.size(6, lengthDelimited: requestID.count)
        size += ProtoWire.Writer.size(7, lengthDelimited: payload.count)
        size += ProtoWire.Writer.size(8, lengthDelimited: traceparent.count)
        return ProtoWire.Writer.bytes(size: size) { out in
            out.put(1, varint: callID)
            out.put(2, varint: kind)
            out.put(3, UnsafeRawBufferPointer(method))
            out.put(4, varint: UInt64(timeoutMs))
            if let caller {
                out.putHeader(5, length: callerSize)
                caller.write(to: &out)
            }
            out.put(6, UnsafeRawBufferPointer(requestID))
            payload.withUnsafeBytes { out.put(7, $0) }
            out.put(8, UnsafeRawBufferPointer(traceparent))
        }
    }
}

extension RPCV1.Caller {
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var caller = Self()
        var reader = ProtoWire.Reader(bytes)
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
        var size = ProtoWire.Writer.size(1, varint: UInt64(bitPattern: managerID))
        if !rights.isEmpty { size += ProtoWire.Writer.size(2, present: packedRightsSize) }
        return size
    }

    private var packedRightsSize: Int {
        rights.reduce(0) { $0 + ProtoWire.varintSize(UInt64(bitPattern: Int64($1.rawValue))) }
    }

    func write(to out: inout ProtoWire.Writer) {
        out.put(1, varint: UInt64(bitPattern: managerID))
        if !rights.isEmpty {
            out.putHeader(2, length: packedRightsSize)
            for right in rights { out.putVarint(UInt64(bitPattern: Int64(right.rawValue))) }
        }
    }
}

extension RPCV1.ResponseFrame {
    /// Decodes untrusted bytes: the same frame, or the same error, as
    /// ``ProtoMessage/init(unsafeBytes:limits:)`` with the default limits.
    public init(envelope bytes: UnsafeRawBufferPointer) throws {
        self = try Self.decoded(bytes, reading: Self.read)
    }

    /// The frame, or nil when the general decoder is to decide.
    static func read(_ bytes: UnsafeRawBufferPointer) -> Self? {
        var frame = Self()
        var reader = ProtoWire.Reader(bytes)
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
        var reader = ProtoWire.Reader(bytes)
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
        var reader = ProtoWire.Reader(bytes)
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
