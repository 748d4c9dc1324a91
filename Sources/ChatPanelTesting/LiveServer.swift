public import ChatPanelRPC
import Foundation
public import Logging

#if canImport(Glibc)
    import Glibc
#endif

/// A fresh folder under /tmp with a short, unique name (socket paths must stay under 108
/// bytes), removed with everything in it when `body` returns or throws.
public func withTemporaryDirectory<T>(_ body: (String) async throws -> T) async throws -> T {
    var template = Array("/tmp/cp-XXXXXX".utf8CString)
    guard let made = mkdtemp(&template) else { throw TestSupportFailure("mkdtemp failed: errno \(errno)") }
    let path = String(cString: made)
    defer { try? FileManager.default.removeItem(atPath: path) }
    return try await body(path)
}

/// A live RPC server for `router` on a socket in `directory`, shut down on every exit path.
///
/// `body` gets the server and its socket path; the server has drained when this returns.
public func withLiveServer<T>(
    router: RPCRouter, in directory: String, name: String = "service", health: HealthReporter? = nil,
    configure: (inout RPCServerConfiguration) -> Void = { _ in },
    _ body: (RPCServer, String) async throws -> T
) async throws -> T {
    let socket = "\(directory)/\(name).sock"
    var configuration = RPCServerConfiguration(listener: .path(socket))
    configure(&configuration)
    let server = RPCServer(
        configuration: configuration, router: router, health: health ?? HealthReporter(process: name), logger: testLogger(name))
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

/// A logger for tests: warnings and worse, on stderr.
public func testLogger(_ label: String) -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .warning
    return logger
}
