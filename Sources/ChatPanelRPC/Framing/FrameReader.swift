import ChatPanelProto
public import NIOCore

/// Splits the inbound byte stream into frames: a 4-byte big-endian length N, then N bytes.
///
/// - The length is checked against ``maximumFrameSize`` before anything is buffered for it;
///   a larger one closes the connection.
/// - A frame that has started must be complete within ``frameReadTimeout``; a peer that sends
///   it slower (or stops half-way) is disconnected, so it cannot pin memory or a connection.
/// - A zero-length frame is a keep-alive and is dropped.
///
/// Each complete frame is passed on as one `ByteBuffer` holding just the message bytes.
public final class FrameReader: ChannelInboundHandler, RemovableChannelHandler {
    public typealias InboundIn = ByteBuffer
    public typealias InboundOut = ByteBuffer

    /// Why the reader gave up on a connection.
    public struct Failure: Error, Hashable, CustomStringConvertible {
        private enum Kind: Hashable { case tooLarge(length: UInt32, maximum: Int), tooSlow(milliseconds: Int64) }
        private let kind: Kind

        /// A length prefix above the maximum.
        public static func tooLarge(length: UInt32, maximum: Int) -> Failure { Failure(kind: .tooLarge(length: length, maximum: maximum)) }
        /// A frame not completed within the read timeout.
        public static func tooSlow(milliseconds: Int64) -> Failure { Failure(kind: .tooSlow(milliseconds: milliseconds)) }

        var isTooLarge: Bool {
            if case .tooLarge = kind { return true }
            return false
        }

        public var description: String {
            switch kind {
            case .tooLarge(let length, let maximum): "frame of \(length) bytes exceeds the maximum of \(maximum)"
            case .tooSlow(let ms): "frame not completed within \(ms) ms"
            }
        }
    }

    /// The largest accepted frame body in bytes.
    public let maximumFrameSize: Int
    /// How long one frame may take to arrive once its first byte is in.
    public let frameReadTimeout: TimeAmount

    // Touched on the connection's event loop only: no dynamic exclusivity checks.
    @exclusivity(unchecked) private var buffer: ByteBuffer?
    @exclusivity(unchecked) private var frameTimer: Scheduled<Void>?
    @exclusivity(unchecked) private var failed = false

    /// A reader with a size cap and a per-frame read deadline.
    public init(maximumFrameSize: Int, frameReadTimeout: TimeAmount) {
        self.maximumFrameSize = maximumFrameSize
        self.frameReadTimeout = frameReadTimeout
    }

    public func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard !failed else { return }
        var incoming = unwrapInboundIn(data)
        if buffer == nil {
            buffer = incoming
        } else {
            buffer!.writeBuffer(&incoming)
        }
        while let frame = nextFrame(context: context) {
            context.fireChannelRead(wrapInboundOut(frame))
        }
        if failed { return }
        if let pending = buffer, pending.readableBytes > 0 {
            startTimerIfNeeded(context: context)
        } else {
            buffer = nil
            cancelTimer()
        }
    }

    private func nextFrame(context: ChannelHandlerContext) -> ByteBuffer? {
        while true {
            guard var pending = buffer else { return nil }
            let maximum = maximumFrameSize
            switch pending.withUnsafeReadableBytes({ WireFrame.next(in: $0, maximumSize: maximum) }) {
            case .needMore:
                return nil
            case .tooLarge(let length):
                fail(context: context, .tooLarge(length: length, maximum: maximumFrameSize))
                return nil
            case .frame(let bodyStart, let length):
                pending.moveReaderIndex(forwardBy: bodyStart)
                let frame = pending.readSlice(length: length)!
                buffer = pending.readableBytes > 0 ? pending : nil
                // A frame completed: the next one gets a fresh deadline.
                cancelTimer()
                if length == 0 { continue }
                return frame
            }
        }
    }

    private func startTimerIfNeeded(context: ChannelHandlerContext) {
        guard frameTimer == nil else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        let timeout = frameReadTimeout
        frameTimer = context.eventLoop.scheduleTask(in: timeout) {
            let (reader, context) = loopBound.value
            reader.frameTimer = nil
            reader.fail(context: context, .tooSlow(milliseconds: timeout.nanoseconds / 1_000_000))
        }
    }

    private func cancelTimer() {
        frameTimer?.cancel()
        frameTimer = nil
    }

    private func fail(context: ChannelHandlerContext, _ failure: Failure) {
        guard !failed else { return }
        failed = true
        ServerMetrics.rejected(failure.isTooLarge ? .tooLarge : .tooSlow)
        buffer = nil
        cancelTimer()
        context.fireErrorCaught(failure)
        context.close(promise: nil)
    }

    public func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        buffer = nil
        context.fireChannelInactive()
    }

    public func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }
}

extension ByteBuffer {
    /// Writes one frame: the 4-byte big-endian length of `bytes`, then `bytes`.
    public mutating func writeFrame(_ bytes: [UInt8]) {
        writeInteger(UInt32(bytes.count))
        writeBytes(bytes)
    }
}

extension ByteBufferAllocator {
    /// A buffer holding one frame with `bytes` as its body.
    public func frame(_ bytes: [UInt8]) -> ByteBuffer {
        var buffer = self.buffer(capacity: 4 + bytes.count)
        buffer.writeFrame(bytes)
        return buffer
    }

    /// A buffer holding one frame whose body is `envelope` (a message encoded with its `bytes`
    /// field `field` left empty) followed by `payload` as that field: the message with its payload,
    /// the payload copied once, straight into the buffer. With the payload as the message's last
    /// field the bytes are the ones protobuf-c packs for the whole message.
    public func frame(envelope: [UInt8], field: UInt32, payload: [UInt8]) -> ByteBuffer {
        frame(id: 0, envelope: envelope, field: field, payload: payload)
    }

    /// The size of the frame body ``frame(envelope:field:payload:)`` makes.
    public static func frameBodySize(envelope: [UInt8], field: UInt32, payload: [UInt8]) -> Int {
        envelope.count + ProtoWire.Writer.size(field, lengthDelimited: payload.count)
    }

    /// A frame like ``frame(envelope:field:payload:)`` whose message also has `id` as its field
    /// 1 (a varint), written ahead of `envelope` (encoded without it): with every other field's
    /// number above 1 and the payload's the highest, the bytes protobuf-c packs for the whole
    /// message. One envelope encoded once serves every call that differs only in its id.
    ///
    /// The frame is written in one pass (`ProtoWire.Writer`) into a buffer of its exact size,
    /// sized by the writer's own `size` functions (a `writeInteger` or `writeBytes` per part
    /// checks the capacity and the buffer's uniqueness each time).
    func frame(id: UInt64, envelope: [UInt8], field: UInt32, payload: [UInt8]) -> ByteBuffer {
        let bodySize = Self.frameBodySize(id: id, envelope: envelope, field: field, payload: payload)
        var buffer = self.buffer(capacity: 4 + bodySize)
        buffer.writeFrame(id: id, envelope: envelope, field: field, payload: payload, bodySize: bodySize)
        return buffer
    }

    /// The size of the frame body ``frame(id:envelope:field:payload:)`` makes.
    static func frameBodySize(id: UInt64, envelope: [UInt8], field: UInt32, payload: [UInt8]) -> Int {
        frameBodySize(envelope: envelope, field: field, payload: payload) + ProtoWire.Writer.size(1, varint: id)
    }
}

extension ByteBuffer {
    /// Appends the frame ``ByteBufferAllocator/frame(id:envelope:field:payload:)`` makes, whose
    /// body is `bodySize` bytes (``ByteBufferAllocator/frameBodySize(id:envelope:field:payload:)``),
    /// growing the buffer when it has no room.
    mutating func writeFrame(id: UInt64, envelope: [UInt8], field: UInt32, payload: [UInt8], bodySize: Int) {
        writeWithUnsafeMutableBytes(minimumWritableBytes: 4 + bodySize) { space in
            var out = ProtoWire.Writer(UnsafeMutableRawBufferPointer(rebasing: space[..<(4 + bodySize)]))
            withUnsafeBytes(of: UInt32(truncatingIfNeeded: bodySize).bigEndian) { out.putRaw($0) }
            out.put(1, varint: id)
            envelope.withUnsafeBytes { out.putRaw($0) }
            payload.withUnsafeBytes { out.put(field, $0) }
            precondition(out.written == 4 + bodySize, "a frame's parts do not add up to its length")
            return out.written
        }
    }
}

/// A request frame's parts, as a client hands them to its connection: the envelope encoded
/// without the payload, the payload, and the frame body's size (the envelope with the payload
/// appended as its last field).
struct RequestFrameBytes: Sendable {
    let envelope: [UInt8]
    let payload: [UInt8]
    let bodySize: Int
}
