import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Signals and the socket file: the real `chatpaneld echo` drains and exits 0 on SIGINT as on
/// SIGTERM, removing its socket; a stale socket file left by a crash does not keep it from
/// starting, while a live server or a non-socket file at its path does (and is left alone).
@Suite(.timeLimit(.minutes(2)))
struct ShutdownTests {
    @Test(arguments: [SIGINT, SIGTERM])
    func daemonExitsCleanlyOnSignal(signal: Int32) async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket)
            defer { daemon.kill() }
            try await waitUntilServing(daemon, socket: socket)
            #expect(try await healthStatus(socket) == .serving)

            daemon.send(signal)
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(
                ended == .exited(0), "signal \(signal): \(ended.map(\.description) ?? "still running"); stderr:\n\(daemon.standardError)")
            #expect(!pathExists(socket), "\(socket) was left behind")
            #expect(daemon.standardError.contains("rpc.server.stopped"), "\(daemon.standardError)")
        }
    }

    @Test func staleSocketFileDoesNotStopTheDaemon() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            try makeStaleSocketFile(at: socket)
            // What a crash leaves: a socket file that refuses connections. (A child that a
            // parallel test spawns at this moment holds the listener until its exec.)
            #expect(isSocketFile(socket))
            _ = await eventually(timeout: .seconds(5)) { connectErrno(socket) == ECONNREFUSED }
            #expect(connectErrno(socket) == ECONNREFUSED)

            let daemon = try spawnEchoDaemon(directory: dir, socket: socket)
            defer { daemon.kill() }
            try await waitUntilServing(daemon, socket: socket)
            #expect(try await healthStatus(socket) == .serving)
            #expect(daemon.standardError.contains("rpc.server.stale_socket_removed"), "\(daemon.standardError)")

            daemon.send(SIGTERM)
            #expect(try await daemon.waitForExit(timeout: .seconds(20)) == .exited(0), "\(daemon.standardError)")
            #expect(!pathExists(socket))
        }
    }

    @Test func liveServerAtThePathIsNotTakenOver() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            let first = try spawnEchoDaemon(directory: dir, socket: socket, logName: "first")
            defer { first.kill() }
            try await waitUntilServing(first, socket: socket)

            let second = try spawnEchoDaemon(directory: dir, socket: socket, logName: "second")
            defer { second.kill() }
            let ended = try await second.waitForExit(timeout: .seconds(20))
            #expect(
                ended != nil && ended != .exited(0), "a second daemon started on a live socket: \(ended.map(\.description) ?? "running")")
            #expect(second.standardError.contains("another server is listening on it"), "\(second.standardError)")

            // The first one still owns and serves the path.
            #expect(first.isRunning)
            #expect(try await healthStatus(socket) == .serving)
            first.send(SIGTERM)
            #expect(try await first.waitForExit(timeout: .seconds(20)) == .exited(0))
        }
    }

    @Test func regularFileAtThePathIsNeverRemoved() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            #expect(FileManager.default.createFile(atPath: socket, contents: Data("keep me".utf8)))
            let daemon = try spawnEchoDaemon(directory: dir, socket: socket)
            defer { daemon.kill() }
            let ended = try await daemon.waitForExit(timeout: .seconds(20))
            #expect(ended != nil && ended != .exited(0), "\(ended.map(\.description) ?? "still running")")
            #expect(daemon.standardError.contains("it exists and is not a socket"), "\(daemon.standardError)")
            #expect(try String(contentsOfFile: socket, encoding: .utf8) == "keep me")
        }
    }

    /// The daemon's answer to `Health/Check`, asked in-process with an `RPCClient`.
    private func healthStatus(_ socket: String) async throws -> HealthV1.ServingStatus {
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCallTimeout = .seconds(10)
        let client = RPCClient(configuration: configuration)
        do {
            let response = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())
            await client.close()
            #expect(response.process == "echo")
            return response.status
        } catch {
            await client.close()
            throw error
        }
    }
}
