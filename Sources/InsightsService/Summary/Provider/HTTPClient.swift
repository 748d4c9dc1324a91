import NIOCore
import NIOHTTP1
import NIOPosix

/// A minimal HTTP/1.1 client over NIO for one POST with a JSON body: a new connection per
/// request (summaries are rare), `Connection: close`, the whole answer read into memory up to a
/// cap, everything under one deadline.
enum HTTPClient {
    /// The longest answer read.
    static let maximumResponseBytes = 4 * 1024 * 1024

    /// An answer: status and body.
    struct Response: Sendable {
        let status: Int
        let body: [UInt8]
    }

    /// POSTs `body` to `endpoint` with `headers`, within `timeout`.
    ///
    /// - Throws: ``ProviderError`` when the deadline passes, the connection fails, or the
    ///   answer is too long.
    static func post(_ endpoint: HTTPEndpoint, headers: [(String, String)], body: [UInt8], timeout: Duration) async throws -> Response {
        try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await exchange(endpoint, headers: headers, body: body, connectTimeout: timeout) }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let response = first else {
                throw ProviderError("no answer from \(endpoint) within \(timeout.formattedSeconds)")
            }
            return response
        }
    }

    private static func exchange(_ endpoint: HTTPEndpoint, headers: [(String, String)], body: [UInt8], connectTimeout: Duration)
        async throws -> Response
    {
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.milliseconds(connectTimeout.milliseconds))
                .connect(host: endpoint.host, port: endpoint.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw ProviderError("cannot connect to \(endpoint): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: endpoint.path)
            head.headers.add(name: "Host", value: endpoint.port == 80 ? endpoint.host : "\(endpoint.host):\(endpoint.port)")
            head.headers.add(name: "Content-Type", value: "application/json")
            head.headers.add(name: "Content-Length", value: "\(body.count)")
            head.headers.add(name: "Connection", value: "close")
            for (name, value) in headers { head.headers.add(name: name, value: value) }
            try await outbound.write(.head(head))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await outbound.write(.end(nil))

            var status = 0
            var received: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let responseHead):
                    status = Int(responseHead.status.code)
                case .body(let buffer):
                    guard received.count + buffer.readableBytes <= maximumResponseBytes else {
                        throw ProviderError("the answer from \(endpoint) is longer than \(maximumResponseBytes) bytes")
                    }
                    received.append(contentsOf: buffer.readableBytesView)
                case .end:
                    return Response(status: status, body: received)
                }
            }
            throw ProviderError("\(endpoint) closed the connection before the end of its answer")
        }
    }
}

extension Duration {
    /// "30 s", "0.5 s".
    var formattedSeconds: String {
        milliseconds % 1000 == 0 ? "\(milliseconds / 1000) s" : "\(Double(milliseconds) / 1000) s"
    }

    /// Whole milliseconds.
    var milliseconds: Int64 { components.seconds * 1000 + components.attoseconds / 1_000_000_000_000_000 }
}
