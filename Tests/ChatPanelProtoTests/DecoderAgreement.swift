import ChatPanelProto
import Testing

/// What the one-pass readers are held to: for any bytes, the answer of the general decoder
/// (protobuf-c with the codec's checks), the same message or the same error.
enum DecoderAgreement {
    /// The one-pass reader's answer and the general decoder's are the same: both the same
    /// message, or both the same error.
    static func agree<Message: ProtoMessage & Equatable>(
        _ bytes: [UInt8], _ reader: (UnsafeRawBufferPointer) throws -> Message, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        let fast = Result { try bytes.withUnsafeBytes { try reader($0) } }
        let general = Result { try bytes.withUnsafeBytes { try Message(unsafeBytes: $0) } }
        switch (fast, general) {
        case (.success(let a), .success(let b)):
            #expect(a == b, "bytes \(bytes)", sourceLocation: sourceLocation)
        case (.failure(let a), .failure(let b)):
            #expect("\(a)" == "\(b)", "bytes \(bytes)", sourceLocation: sourceLocation)
        default:
            Issue.record("the one-pass reader answered \(fast), the general decoder \(general), for \(bytes)", sourceLocation: sourceLocation)
        }
    }

    /// ``agree(_:_:sourceLocation:)`` for every change of `bytes` (``mutations(of:)``).
    static func agreeOnEveryChange<Message: ProtoMessage & Equatable>(
        of bytes: [UInt8], _ reader: (UnsafeRawBufferPointer) throws -> Message, sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for changed in mutations(of: bytes) { agree(changed, reader, sourceLocation: sourceLocation) }
    }

    /// `bytes` changed in every way a test of agreement tries: cut at every length, each byte
    /// replaced by a few values, and a byte dropped at each place.
    static func mutations(of bytes: [UInt8]) -> [[UInt8]] {
        var all: [[UInt8]] = []
        for length in 0..<bytes.count { all.append(Array(bytes[..<length])) }
        for index in bytes.indices {
            for value: UInt8 in [0x00, 0x01, 0x02, 0x08, 0x0A, 0x7F, 0x80, 0xC0, 0xFF] where value != bytes[index] {
                var changed = bytes
                changed[index] = value
                all.append(changed)
            }
            var dropped = bytes
            dropped.remove(at: index)
            all.append(dropped)
        }
        return all
    }
}
