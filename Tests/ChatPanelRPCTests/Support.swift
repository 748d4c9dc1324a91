import ChatPanelProto
import ChatPanelRPC
import EchoService
import Foundation
import Logging

/// A fresh temporary directory, removed when `body` returns or throws.
func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    let path = "/tmp/cp-\(UInt32.random(in: 0...UInt32.max))"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A live echo server on a temporary socket, shut down on every exit path.
func withEchoServer<T>(
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    _ body: (RPCServer, String) async throws -> T
) async throws -> T {
    try await withTemporaryDirectory { dir in
        let socket = "\(dir)/echo.sock"
        var configuration = RPCServerConfiguration(listener: .path(socket))
        configure(&configuration)
        let server = RPCServer(
            configuration: configuration, router: EchoService.makeRouter(), health: HealthReporter(process: "echo"),
            logger: Logger(label: "test"))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            do {
                try await server.waitUntilListening()
                let result = try await body(server, socket)
                server.beginGracefulShutdown()
                try await group.waitForAll()
                return result
            } catch {
                server.beginGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
        }
    }
}
