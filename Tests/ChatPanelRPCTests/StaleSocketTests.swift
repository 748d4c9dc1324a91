import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

/// What a server finds at its socket path before binding: a socket file left by a crashed
/// process is removed, a live server is never displaced, and a file that is not a socket is
/// never deleted.
@Suite(.timeLimit(.minutes(1)))
struct StaleSocketTests {
    /// Runs a server on `socket` expecting it to fail to start; returns its error.
    private func startFailure(socket: String) async -> (any Error)? {
        do {
            let running = try await RunningServer.start(socket: socket)
            Issue.record("a second server started on \(socket)")
            await running.stop()
            return nil
        } catch {
            return error
        }
    }

    private func isPathInUse(_ error: (any Error)?) -> Bool {
        if case .pathInUse? = error as? RPCServerError { return true }
        return false
    }

    @Test func staleSocketFileIsRemovedAndTheServerStarts() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/stale.sock"
            try makeStaleSocketFile(at: socket)
            #expect(UnixSocketFile.occupant(of: socket) == .staleSocket)

            let running = try await RunningServer.start(socket: socket)
            #expect(UnixSocketFile.occupant(of: socket) == .liveServer)
            let client = RPCClient(configuration: .init(socketPath: socket))
            #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "fresh")).text == "fresh")
            await client.close()
            await running.stop()
            // A clean shutdown removes its own socket file.
            #expect(!FileManager.default.fileExists(atPath: socket))
        }
    }

    @Test func liveServerOnThePathMakesASecondOneFail() async throws {
        try await withEchoServer { _, socket in
            let error = await startFailure(socket: socket)
            #expect(isPathInUse(error), "unexpected error \(String(describing: error))")
            // The first server is untouched: its socket file is still there and it still answers.
            #expect(UnixSocketFile.occupant(of: socket) == .liveServer)
            let client = RPCClient(configuration: .init(socketPath: socket))
            let answer = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "still mine"))
            #expect(answer.text == "still mine")
            await client.close()
        }
    }

    @Test func regularFileAtThePathIsKeptAndBindingFails() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/precious.sock"
            let contents = Data("not a socket".utf8)
            try contents.write(to: URL(fileURLWithPath: path))
            #expect(UnixSocketFile.occupant(of: path) == .notASocket)

            let error = await startFailure(socket: path)
            #expect(isPathInUse(error), "unexpected error \(String(describing: error))")
            #expect(FileManager.default.contents(atPath: path) == contents)
            #expect(!UnixSocketFile.removeIfStale(path))
            #expect(FileManager.default.fileExists(atPath: path))
        }
    }

    @Test func directoryAtThePathIsKeptAndBindingFails() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/dir.sock"
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let error = await startFailure(socket: path)
            #expect(isPathInUse(error), "unexpected error \(String(describing: error))")
            var isDirectory: ObjCBool = false
            #expect(FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue)
        }
    }

    /// NIO traps in debug builds when a promise is released uncompleted; a server that never
    /// ran, or whose bind failed, must still be safe to release.
    @Test func serverThatFailedToBindCanBeReleased() async throws {
        try await withTemporaryDirectory { dir in
            let path = "\(dir)/file.sock"
            try Data("x".utf8).write(to: URL(fileURLWithPath: path))
            var server: RPCServer? = RPCServer(
                configuration: testServerConfiguration(socket: path), router: RPCRouter(), logger: testLogger())
            let error = await callError { try await server!.run() }
            #expect(isPathInUse(error))
            await #expect(throws: RPCServerError.self) { try await server!.waitUntilListening() }
            server = nil
            // Give the event loop time to run the completions the release scheduled.
            try await Task.sleep(for: .milliseconds(100))
            #expect(server == nil)
        }
    }

    @Test func serverThatNeverRanCanBeReleased() async throws {
        try await withTemporaryDirectory { dir in
            var server: RPCServer? = RPCServer(
                configuration: testServerConfiguration(socket: "\(dir)/never.sock"), router: RPCRouter(), logger: testLogger())
            #expect(server?.callsInFlight == 0)
            server = nil
            try await Task.sleep(for: .milliseconds(100))
            #expect(server == nil)
            #expect(!FileManager.default.fileExists(atPath: "\(dir)/never.sock"))
        }
    }

    @Test func socketFileGetsTheConfiguredMode() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/mode.sock"
            let running = try await RunningServer.start(socket: socket) { $0.socketMode = 0o600 }
            let attributes = try FileManager.default.attributesOfItem(atPath: socket)
            #expect((attributes[.posixPermissions] as? NSNumber)?.uint16Value == 0o600)
            await running.stop()
        }
    }

    @Test func occupantOfAFreePathIsNone() async throws {
        try await withTemporaryDirectory { dir in
            #expect(UnixSocketFile.occupant(of: "\(dir)/free.sock") == .none)
            #expect(UnixSocketFile.removeIfStale("\(dir)/free.sock"))
        }
    }
}
