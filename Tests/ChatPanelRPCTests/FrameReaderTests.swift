import ChatPanelProto
@testable import ChatPanelRPC
import NIOCore
import NIOEmbedded
import Testing

/// `FrameReader` on its own, in an `EmbeddedChannel` with a virtual clock: frame splitting,
/// keep-alives, the size cap checked on the prefix alone, and the per-frame read deadline.
@Suite struct FrameReaderTests {
    private static let maximum = 16
    private static let timeout = TimeAmount.milliseconds(300)

    /// An active channel with only a `FrameReader` in its pipeline.
    private func makeChannel() throws -> EmbeddedChannel {
        let channel = EmbeddedChannel(handler: FrameReader(maximumFrameSize: Self.maximum, frameReadTimeout: Self.timeout))
        try channel.connect(to: SocketAddress(unixDomainSocketPath: "/tmp/frame-reader-test")).wait()
        return channel
    }

    private func write(_ channel: EmbeddedChannel, _ bytes: [UInt8]) throws {
        try channel.writeInbound(ByteBuffer(bytes: bytes))
    }

    /// Every frame body the reader passed on so far.
    private func frames(_ channel: EmbeddedChannel) throws -> [[UInt8]] {
        var result: [[UInt8]] = []
        while var buffer = try channel.readInbound(as: ByteBuffer.self) {
            result.append(buffer.readBytes(length: buffer.readableBytes) ?? [])
        }
        return result
    }

    @Test func wholeFrameIsPassedOnAsItsBody() throws {
        let channel = try makeChannel()
        try write(channel, wireFrame([1, 2, 3]))
        #expect(try frames(channel) == [[1, 2, 3]])
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func severalFramesInOneReadComeOutInOrder() throws {
        let channel = try makeChannel()
        try write(channel, wireFrame([1]) + wireFrame([2, 2]) + wireFrame([3, 3, 3]))
        #expect(try frames(channel) == [[1], [2, 2], [3, 3, 3]])
        _ = try? channel.finish()
    }

    @Test func frameArrivingByteByByteIsPassedOnOnceComplete() throws {
        let channel = try makeChannel()
        let bytes = wireFrame([9, 8, 7, 6, 5])
        for byte in bytes.dropLast() {
            try write(channel, [byte])
            #expect(try frames(channel).isEmpty)
        }
        try write(channel, [bytes.last!])
        #expect(try frames(channel) == [[9, 8, 7, 6, 5]])
        _ = try? channel.finish()
    }

    @Test func frameAndTheStartOfTheNextAreSplitCorrectly() throws {
        let channel = try makeChannel()
        let second = wireFrame([4, 4])
        try write(channel, wireFrame([1]) + second.prefix(3))
        #expect(try frames(channel) == [[1]])
        try write(channel, Array(second.dropFirst(3)))
        #expect(try frames(channel) == [[4, 4]])
        _ = try? channel.finish()
    }

    @Test func zeroLengthFramesAreDropped() throws {
        let channel = try makeChannel()
        try write(channel, [0, 0, 0, 0])
        #expect(try frames(channel).isEmpty)
        try write(channel, [0, 0, 0, 0] + wireFrame([5]) + [0, 0, 0, 0, 0, 0, 0, 0] + wireFrame([6]))
        #expect(try frames(channel) == [[5], [6]])
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func frameAtTheMaximumIsAccepted() throws {
        let channel = try makeChannel()
        let body = [UInt8](repeating: 0xAB, count: Self.maximum)
        try write(channel, wireFrame(body))
        #expect(try frames(channel) == [body])
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func oversizedPrefixFailsOnThePrefixAloneAndCloses() throws {
        let channel = try makeChannel()
        // Only the prefix: nothing of the announced body has to arrive for the reader to refuse it.
        #expect(throws: FrameReader.Failure.tooLarge(length: 0xFFFF_FFFF, maximum: Self.maximum)) {
            try write(channel, [0xFF, 0xFF, 0xFF, 0xFF])
        }
        #expect(!channel.isActive)
        #expect(try frames(channel).isEmpty)
    }

    @Test func lengthOneAboveTheMaximumFails() throws {
        let channel = try makeChannel()
        #expect(throws: FrameReader.Failure.tooLarge(length: UInt32(Self.maximum + 1), maximum: Self.maximum)) {
            try write(channel, wireFrame([UInt8](repeating: 1, count: Self.maximum + 1)))
        }
        #expect(!channel.isActive)
        #expect(try frames(channel).isEmpty)
    }

    @Test func framesBeforeAnOversizedOneArePassedOn() throws {
        let channel = try makeChannel()
        #expect(throws: FrameReader.Failure.self) {
            try write(channel, wireFrame([1]) + [0, 0, 1, 0])
        }
        #expect(try frames(channel) == [[1]])
        #expect(!channel.isActive)
    }

    @Test func unfinishedFrameTimesOut() throws {
        let channel = try makeChannel()
        try write(channel, Array(wireFrame([1, 2, 3, 4]).prefix(6)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(299))
        #expect(channel.isActive)
        #expect(throws: Never.self) { try channel.throwIfErrorCaught() }
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(2))
        #expect(!channel.isActive)
        #expect(throws: FrameReader.Failure.tooSlow(milliseconds: 300)) { try channel.throwIfErrorCaught() }
        #expect(try frames(channel).isEmpty)
    }

    @Test func partialLengthPrefixTimesOut() throws {
        let channel = try makeChannel()
        try write(channel, [0, 0])
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(301))
        #expect(!channel.isActive)
        #expect(throws: FrameReader.Failure.tooSlow(milliseconds: 300)) { try channel.throwIfErrorCaught() }
    }

    @Test func deadlineCountsFromTheFirstByteNotTheLast() throws {
        let channel = try makeChannel()
        let bytes = wireFrame([1, 2, 3, 4, 5, 6])
        // A trickle: a byte every 100 ms keeps arriving, but the frame as a whole takes too long.
        for byte in bytes.prefix(3) {
            try write(channel, [byte])
            channel.embeddedEventLoop.advanceTime(by: .milliseconds(100))
        }
        #expect(!channel.isActive)
        #expect(throws: FrameReader.Failure.tooSlow(milliseconds: 300)) { try channel.throwIfErrorCaught() }
    }

    @Test func idleChannelNeverTimesOut() throws {
        let channel = try makeChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        // Nor after a completed frame.
        try write(channel, wireFrame([1]))
        channel.embeddedEventLoop.advanceTime(by: .seconds(10))
        #expect(channel.isActive)
        #expect(try frames(channel) == [[1]])
        _ = try? channel.finish()
    }

    @Test func eachFrameGetsAFreshDeadline() throws {
        let channel = try makeChannel()
        let first = wireFrame([1, 1])
        let second = wireFrame([2, 2])
        try write(channel, Array(first.prefix(3)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        // Completes the first frame and starts the second in the same read.
        try write(channel, Array(first.dropFirst(3)) + Array(second.prefix(2)))
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(200))
        #expect(channel.isActive, "the second frame inherited the first one's deadline")
        try write(channel, Array(second.dropFirst(2)))
        #expect(try frames(channel) == [[1, 1], [2, 2]])
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(channel.isActive)
        _ = try? channel.finish()
    }

    @Test func nothingIsPassedOnAfterAFailure() throws {
        let channel = try makeChannel()
        try write(channel, [0, 0])
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(301))
        #expect(!channel.isActive)
        _ = try? channel.throwIfErrorCaught()
        #expect(try frames(channel).isEmpty)
    }

    @Test func writeFramePrefixesTheBigEndianLength() {
        var buffer = ByteBuffer()
        buffer.writeFrame([0xAA, 0xBB])
        #expect(buffer.readBytes(length: buffer.readableBytes) == [0, 0, 0, 2, 0xAA, 0xBB])
        var large = ByteBufferAllocator().frame([UInt8](repeating: 0, count: 0x0102))
        #expect(large.readBytes(length: 4) == [0, 0, 1, 2])
        #expect(large.readableBytes == 0x0102)
    }

    /// An envelope encoded without its payload, the payload appended: the bytes protobuf-c packs
    /// for the whole response frame (the payload is its last field), for empty, short and long payloads.
    @Test func envelopeFrameIsTheWholeMessage() throws {
        for size in [0, 1, 127, 128, 300, 20_000] {
            var frame = RPCV1.ResponseFrame()
            frame.callID = 300
            frame.endOfStream = true
            frame.status = RPCError(code: .notFound, message: "nothing").status
            frame.payload = (0..<size).map { UInt8(truncatingIfNeeded: $0) }
            let whole = try frame.serializedBytes()
            var envelope = frame
            envelope.payload = []
            let header = try envelope.serializedBytes()
            var buffer = ByteBufferAllocator().frame(envelope: header, field: 4, payload: frame.payload)
            #expect(ByteBufferAllocator.frameBodySize(envelope: header, field: 4, payload: frame.payload) == whole.count)
            #expect(buffer.readInteger(as: UInt32.self) == UInt32(whole.count))
            #expect(buffer.readBytes(length: buffer.readableBytes) == whole)
        }
    }

    /// An OK answer from the envelope encoded once: the call id written ahead of it and the
    /// payload after it give the bytes protobuf-c packs for the whole frame, for ids of every
    /// varint length (0 left out, as protobuf-c leaves it) and empty, short and long payloads.
    @Test func answerFromTheSharedEnvelopeIsTheWholeMessage() throws {
        for id: UInt64 in [0, 1, 127, 128, 300, 1 << 35, .max] {
            for size in [0, 1, 300, 20_000] {
                var frame = RPCV1.ResponseFrame()
                frame.callID = id
                frame.endOfStream = true
                frame.status = RPCV1.Status()
                frame.payload = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7) }
                let whole = try frame.serializedBytes()
                let envelope = ServerConnectionHandler.answerEnvelope
                var buffer = ByteBufferAllocator().frame(id: id, envelope: envelope, field: 4, payload: frame.payload)
                #expect(ByteBufferAllocator.frameBodySize(id: id, envelope: envelope, field: 4, payload: frame.payload) == whole.count)
                #expect(buffer.readInteger(as: UInt32.self) == UInt32(whole.count))
                let read = buffer.readBytes(length: buffer.readableBytes)
                let body = try #require(read)
                #expect(body == whole, "id \(id), payload \(size) bytes")
                let decoded = try RPCV1.ResponseFrame(serializedBytes: body)
                #expect(decoded.callID == id && decoded.endOfStream && decoded.status?.code == .ok && decoded.payload == frame.payload)
            }
        }
    }
}
