import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Testing

/// Framing over a live socket: the server reads length-prefixed frames however the bytes are
/// split, drops keep-alives, refuses oversized length prefixes before buffering them, and
/// disconnects peers that start a frame and never finish it.
@Suite(.timeLimit(.minutes(1)))
struct FrameTests {
    @Test func oversizedLengthPrefixClosesTheConnectionAtOnce() async throws {
        // A long read timeout: the close must come from the size check, not from the timer.
        try await withEchoServer(configure: { $0.frameReadTimeout = .seconds(60) }) { server, socket in
            try await withRawConnection(to: socket) { raw in
                #expect(await eventually { server.connectionCount == 1 })
                try await raw.send([0xFF, 0xFF, 0xFF, 0xFF])
                let start = ContinuousClock.now
                let closed = await raw.waitForClose(timeout: .seconds(5))
                let elapsed = start.duration(to: .now)
                #expect(closed, "the server kept a connection that announced a 4 GiB frame")
                #expect(elapsed < .seconds(5))
                // Only the 4 prefix bytes were sent and all were read: a clean EOF, not a reset.
                let failure = await raw.failure()
                #expect(failure == nil)
            }
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func lengthJustAboveTheMaximumIsRefusedAndAtTheMaximumAccepted() async throws {
        try await withEchoServer(configure: {
            $0.maximumFrameSize = 200
            $0.frameReadTimeout = .seconds(60)
        }) { _, socket in
            // A request frame of exactly 200 bytes is served: grow the body until the frame hits the limit.
            var request = echoRequest(text: "fits")
            var atLimit: [UInt8] = []
            var bodySize = 0
            for size in 0..<200 {
                request.body = [UInt8](repeating: 0x61, count: size)
                let bytes = try echoCallFrame(id: 1, request).serializedBytes()
                if bytes.count >= 200 {
                    atLimit = bytes
                    bodySize = size
                    break
                }
            }
            try #require(atLimit.count == 200, "test frame is \(atLimit.count) bytes")
            try await withRawConnection(to: socket) { raw in
                try await raw.send(wireFrame(atLimit))
                let response = try await raw.readResponse()
                #expect(response.callID == 1)
                #expect(response.code == .ok)
                let echoed = try TestingV1.EchoResponse(serializedBytes: response.payload)
                #expect(echoed.body.count == bodySize)
            }
            // One byte more: the prefix alone (201) closes the connection.
            try await withRawConnection(to: socket) { raw in
                try await raw.send([0, 0, 0, 201])
                #expect(await raw.waitForClose(timeout: .seconds(5)))
            }
        }
    }

    @Test func anAnswerLargerThanTheMaximumFrameIsResourceExhausted() async throws {
        var router = RPCRouter()
        router.register(TestingV1.Echo.echo) { request, _ in
            var response = TestingV1.EchoResponse()
            response.body = [UInt8](repeating: 0x62, count: Int(request.delayMs))
            return response
        }
        try await withEchoServer(router: router, configure: { $0.maximumFrameSize = 200 }) { _, socket in
            let client = RPCClient(configuration: .init(socketPath: socket))
            // An answer frame is the call id, the end of stream, the status and the payload:
            // 180 bytes of body fit in 200, 300 do not. (The size travels in a field this
            // handler reads, so that the request stays small.)
            for (size, fits) in [(180, true), (300, false), (0, true)] {
                var sized = TestingV1.EchoRequest()
                sized.delayMs = UInt32(size)
                if fits {
                    let answer = try await client.unary(TestingV1.Echo.echo, sized)
                    #expect(answer.body.count == size)
                } else {
                    let error = await #expect(throws: RPCError.self) { try await client.unary(TestingV1.Echo.echo, sized) }
                    #expect(error?.code == .resourceExhausted && error?.message.contains("maximum frame size") == true)
                }
            }
            await client.close()
        }
    }

    @Test func frameSplitIntoSeveralWritesIsAnswered() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                let bytes = try echoCallFrame(id: 7, echoRequest(text: "in pieces")).wireBytes()
                // Split inside the length prefix, and twice inside the body.
                let cuts = [0, 2, 5, bytes.count / 2, bytes.count]
                for (start, end) in zip(cuts, cuts.dropFirst()) {
                    try await raw.send(Array(bytes[start..<end]))
                    try await Task.sleep(for: .milliseconds(100))
                }
                let response = try await raw.readResponse()
                #expect(response.callID == 7)
                #expect(response.code == .ok)
                #expect(response.endOfStream)
                #expect(try TestingV1.EchoResponse(serializedBytes: response.payload).text == "in pieces")
            }
        }
    }

    @Test func severalFramesInOneWriteAreAllAnswered() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                var bytes: [UInt8] = []
                for id in 1...5 { bytes += try echoCallFrame(id: UInt64(id), echoRequest(text: "n\(id)")).wireBytes() }
                try await raw.send(bytes)
                var answered: [UInt64: String] = [:]
                for _ in 1...5 {
                    let response = try await raw.readResponse()
                    #expect(response.code == .ok)
                    answered[response.callID] = try TestingV1.EchoResponse(serializedBytes: response.payload).text
                }
                #expect(answered == [1: "n1", 2: "n2", 3: "n3", 4: "n4", 5: "n5"])
            }
        }
    }

    @Test func zeroLengthFrameIsAKeepAliveAndTheNextRequestIsAnswered() async throws {
        try await withEchoServer { server, socket in
            try await withRawConnection(to: socket) { raw in
                // Keep-alives alone get no answer and do not close the connection.
                try await raw.send([0, 0, 0, 0, 0, 0, 0, 0])
                await #expect(throws: RawTimeout.self) { _ = try await raw.readFrame(timeout: .milliseconds(300)) }
                #expect(await raw.isClosed() == false)
                // A keep-alive glued to a request, and one after it.
                let bytes = [0, 0, 0, 0] + (try echoCallFrame(id: 3, echoRequest(text: "after keep-alive")).wireBytes()) + [0, 0, 0, 0]
                try await raw.send(bytes)
                let response = try await raw.readResponse()
                #expect(response.callID == 3)
                #expect(response.code == .ok)
                #expect(try TestingV1.EchoResponse(serializedBytes: response.payload).text == "after keep-alive")
                #expect(server.connectionCount == 1)
            }
        }
    }

    @Test func slowSenderThatStallsHalfWayIsDisconnected() async throws {
        try await withEchoServer(configure: { $0.frameReadTimeout = .milliseconds(300) }) { server, socket in
            try await withRawConnection(to: socket) { raw in
                let bytes = try echoCallFrame(id: 1, echoRequest(text: "never finished")).wireBytes()
                let (closed, elapsed) = try await measure {
                    try await raw.send(Array(bytes[0..<(bytes.count / 2)]))
                    return await raw.waitForClose(timeout: .milliseconds(300) + .seconds(2))
                }
                #expect(closed, "a peer that stalled half-way through a frame kept its connection")
                // The timer never fires early.
                #expect(elapsed >= .milliseconds(250))
            }
            #expect(await eventually { server.connectionCount == 0 })
        }
    }

    @Test func stallInsideTheLengthPrefixIsDisconnectedToo() async throws {
        try await withEchoServer(configure: { $0.frameReadTimeout = .milliseconds(300) }) { _, socket in
            try await withRawConnection(to: socket) { raw in
                try await raw.send([0, 0])
                #expect(await raw.waitForClose(timeout: .milliseconds(300) + .seconds(2)))
            }
        }
    }

    @Test func idleConnectionBetweenFramesIsNotTimedOut() async throws {
        try await withEchoServer(configure: { $0.frameReadTimeout = .milliseconds(300) }) { _, socket in
            try await withRawConnection(to: socket) { raw in
                // Idle for well over the frame read timeout: no frame has started, so nothing expires.
                try await Task.sleep(for: .milliseconds(900))
                #expect(await raw.isClosed() == false)
                try await raw.send(try echoCallFrame(id: 1, echoRequest(text: "still here")))
                let response = try await raw.readResponse()
                #expect(response.code == .ok)
                // And again after a completed frame: the deadline does not carry over.
                try await Task.sleep(for: .milliseconds(900))
                try await raw.send(try echoCallFrame(id: 2, echoRequest(text: "again")))
                #expect(try await raw.readResponse().callID == 2)
            }
        }
    }

    @Test func undecodableEnvelopeClosesTheConnection() async throws {
        try await withEchoServer { _, socket in
            try await withRawConnection(to: socket) { raw in
                // A frame whose body is not a RequestFrame: there is no call id to answer.
                try await raw.send(wireFrame([0xFF, 0xFF, 0xFF]))
                #expect(try await raw.readFrame(timeout: .seconds(5)) == nil)
            }
        }
    }
}
