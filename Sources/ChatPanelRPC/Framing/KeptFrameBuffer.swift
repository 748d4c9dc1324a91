import NIOCore

/// A connection's buffer of outgoing frames, kept from one write to the next: the server's
/// answers made within a read, the client's requests. A frame is appended to it instead of a
/// `ByteBuffer` of its own (two allocations: the storage object and its bytes); once the
/// socket took what was written, the pending write lets go of the buffer and emptying it keeps
/// its storage (when the socket did not take it all, emptying it gets new storage instead).
/// Used on its connection's event loop only.
struct KeptFrameBuffer {
    /// The capacity a buffer starts with, and the most one keeps: a buffer grown past it by a
    /// large frame is let go once written.
    static let firstCapacity = 4096
    static let mostKept = 64 * 1024

    private var buffer: ByteBuffer?

    /// Appends the frame ``ByteBufferAllocator/frame(id:envelope:field:payload:)`` makes, whose
    /// body is `bodySize` bytes.
    mutating func append(
        id: UInt64, envelope: [UInt8], field: UInt32, payload: [UInt8], bodySize: Int, allocator: ByteBufferAllocator
    ) {
        if buffer == nil { buffer = allocator.buffer(capacity: max(Self.firstCapacity, 4 + bodySize)) }
        buffer!.writeFrame(id: id, envelope: envelope, field: field, payload: payload, bodySize: bodySize)
    }

    /// The frames appended since the last call, to write now (nil when there are none); frames
    /// appended later follow them in the buffer.
    mutating func unwritten() -> ByteBuffer? {
        guard let pending = buffer, pending.readableBytes > 0 else { return nil }
        buffer!.moveReaderIndex(to: pending.writerIndex)
        return pending
    }

    /// Empties the buffer once what was written is flushed, keeping its storage, or lets it go
    /// when a large frame grew it past ``mostKept``.
    mutating func reuse() {
        guard buffer != nil else { return }
        if buffer!.capacity > Self.mostKept {
            buffer = nil
        } else {
            buffer!.clear()
        }
    }
}
