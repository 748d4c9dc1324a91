public import ChatPanelProto

/// Sends the messages of a server-streaming call.
///
/// `send` returns once the message is handed to the socket; it throws `CancellationError`
/// when the caller cancelled, the deadline passed, or the connection closed.
public struct RPCServerStreamWriter<Response: ProtoMessage>: Sendable {
    let sink: RPCRawStreamSink

    /// Sends one message (`inOnePass`: encoded by its generated one-pass encoder,
    /// ``ProtoMessage/onePassBytes()``, for the live panel's updates; the same bytes).
    public func send(_ message: Response, inOnePass: Bool = false) async throws {
        try Task.checkCancellation()
        let bytes: [UInt8]
        do {
            bytes = try inOnePass ? message.onePassBytes() : message.serializedBytes()
        } catch {
            throw RPCError.internal
        }
        try await sink.send(bytes)
    }
}

/// Where the encoded messages of a stream go: the call's connection.
struct RPCRawStreamSink: Sendable {
    let reply: CallReply

    func send(_ bytes: [UInt8]) async throws {
        try await reply.send(bytes)
    }
}
