import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A local server on loopback that speaks the chat completions API the way a test tells it to
/// (an answer, an error status, a delay), and records the requests it got.
final class ModelServer: Sendable {
    /// One request as the server saw it.
    struct Request: Sendable {
        let method: String
        let path: String
        let headers: [String: String]
        let body: String
    }

    /// What to answer: status, body, and how long to wait first.
    struct Answer: Sendable {
        var status = 200
        var body = ""
        var delay: Duration = .zero

        /// A chat completion whose message content is `content`.
        static func completion(_ content: String) -> Answer {
            let escaped = content.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
                .replacingOccurrences(of: "\n", with: "\\n")
            return Answer(
                body: #"{"id":"c1","object":"chat.completion","choices":[{"index":0,"message":{"role":"assistant","content":"\#(escaped)"},"finish_reason":"stop"}]}"#)
        }
    }

    private let answer: Answer
    private let received = Mutex<[Request]>([])

    init(answer: Answer) { self.answer = answer }

    /// The requests so far.
    var requests: [Request] { received.withLock { $0 } }

    /// Serves on 127.0.0.1 (a free port) while `body` runs with the port.
    func serve<T>(_ body: (Int) async throws -> T) async throws -> T {
        let server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .bind(host: "127.0.0.1", port: 0) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: channel)
                }
            }
        let port = server.channel.localAddress?.port ?? 0
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await server.executeThenClose { connections in
                    try await withThrowingDiscardingTaskGroup { handlers in
                        for try await connection in connections {
                            handlers.addTask { try? await self.handle(connection) }
                        }
                    }
                }
            }
            do {
                let result = try await body(port)
                group.cancelAll()
                return result
            } catch {
                group.cancelAll()
                throw error
            }
        }
    }

    private func handle(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let head else { return }
                    var headers: [String: String] = [:]
                    for (name, value) in head.headers { headers[name.lowercased()] = value }
                    let request = Request(method: "\(head.method)", path: head.uri, headers: headers, body: String(decoding: body, as: UTF8.self))
                    received.withLock { $0.append(request) }
                    if answer.delay > .zero { try await Task.sleep(for: answer.delay) }
                    var responseHead = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status))
                    responseHead.headers.add(name: "Content-Type", value: "application/json")
                    responseHead.headers.add(name: "Content-Length", value: "\(answer.body.utf8.count)")
                    try await outbound.write(.head(responseHead))
                    try await outbound.write(.body(.byteBuffer(ByteBuffer(string: answer.body))))
                    try await outbound.write(.end(nil))
                    return
                }
            }
        }
    }
}
