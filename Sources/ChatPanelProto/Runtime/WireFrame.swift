/// The framing of the wire: a 4-byte big-endian length N, then N bytes (one protobuf message).
/// A zero-length frame is a keep-alive and carries nothing.
///
/// This is the one place that reads length prefixes; the connection handlers (`FrameReader`)
/// call it on the bytes they have buffered, and the fuzzers drive it with arbitrary input.
public enum WireFrame {
    /// What the buffered bytes hold at their start.
    public enum Next: Sendable, Hashable {
        /// A whole frame: its body is `length` bytes from `bodyStart`; the next frame starts at
        /// `bodyStart + length`. A `length` of 0 is a keep-alive.
        case frame(bodyStart: Int, length: Int)
        /// Not enough bytes yet for the length prefix or the body.
        case needMore
        /// The prefix announces more than the maximum: the peer must be disconnected.
        case tooLarge(length: UInt32)
    }

    /// The size of the length prefix.
    public static let prefixSize = 4

    /// Reads the frame at the start of `bytes`. The length is checked against `maximumSize`
    /// before any of the body is needed, so an oversized frame is refused from its first 4 bytes.
    public static func next(in bytes: UnsafeRawBufferPointer, maximumSize: Int) -> Next {
        guard bytes.count >= prefixSize else { return .needMore }
        let length = UInt32(bytes[0]) << 24 | UInt32(bytes[1]) << 16 | UInt32(bytes[2]) << 8 | UInt32(bytes[3])
        guard UInt64(length) <= UInt64(max(0, maximumSize)) else { return .tooLarge(length: length) }
        guard bytes.count - prefixSize >= Int(length) else { return .needMore }
        return .frame(bodyStart: prefixSize, length: Int(length))
    }

    /// `body` with its length prefix.
    public static func encode(_ body: [UInt8]) -> [UInt8] {
        let length = UInt32(body.count)
        return [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)] + body
    }
}
