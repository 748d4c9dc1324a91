import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Out of file descriptors, the real `chatpaneld echo` pauses accepting instead of retrying
/// `accept4` in a busy loop, logs the episode once, keeps serving the connections it has, and
/// accepts again once descriptors are free.
@Suite(.timeLimit(.minutes(2)))
struct DescriptorExhaustionTests {
    /// Seconds of CPU (user and system) the process has used, from `/proc/<pid>/stat`.
    private func cpuSeconds(_ pid: pid_t) throws -> Double {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        // Fields after the command name (which may hold spaces) start after the last ')'.
        let fields = stat[stat.index(after: stat.lastIndex(of: ")")!)...].split(separator: " ")
        let ticks = Double(fields[11])! + Double(fields[12])!  // utime, stime (fields 14 and 15)
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func outOfDescriptorsTheAcceptLoopBacksOffAndRecovers() async throws {
        try await withTemporaryDirectory { dir in
            let socket = "\(dir)/echo.sock"
            let daemon = try ChildProcess.spawn(
                "/usr/bin/prlimit",
                ["--nofile=48:48", "--", Binaries.daemon, "echo", "--socket", socket, "--state-dir", "\(dir)/state"],
                environment: childEnvironment(), logPrefix: "\(dir)/echo")
            defer { daemon.kill() }
            try await waitUntilServing(daemon, socket: socket)

            // One connection that is served before the exhaustion, and must stay served.
            let client = RPCClient(configuration: .init(socketPath: socket))
            _ = try await client.unary(TestingV1.Echo.echo, echoRequest(text: "before"))

            // Fill the descriptor table: the kernel queues connections the process cannot accept.
            var descriptors: [Int32] = []
            defer { for fd in descriptors { close(fd) } }
            for _ in 0..<80 {
                let fd = socket.withCString { connectUnix($0) }
                if fd >= 0 { descriptors.append(fd) }
            }
            #expect(await eventually(timeout: .seconds(10)) { daemon.standardError.contains("rpc.server.accept_failing") })

            // With connections waiting that cannot be accepted, the process stays nearly idle.
            let before = try cpuSeconds(daemon.pid)
            try await Task.sleep(for: .seconds(2))
            let spent = try cpuSeconds(daemon.pid) - before
            #expect(spent < 0.5, "the accept loop used \(spent) s of CPU in 2 s")
            // One log line for the episode, not one per attempt.
            let failing = daemon.standardError.components(separatedBy: "rpc.server.accept_failing").count - 1
            #expect(failing == 1, "\(daemon.standardError)")
            // The connection it already had still works.
            #expect(try await client.unary(TestingV1.Echo.echo, echoRequest(text: "during")).text == "during")

            // Free the descriptors: accepting resumes and new connections are served.
            for fd in descriptors { close(fd) }
            descriptors.removeAll()
            let fresh = RPCClient(configuration: .init(socketPath: socket))
            var answered = false
            let deadline = ContinuousClock.now + .seconds(10)
            while !answered, ContinuousClock.now < deadline {
                answered = (try? await fresh.unary(TestingV1.Echo.echo, echoRequest(text: "after"), options: .init(timeout: .seconds(1)))) != nil
                if !answered { try await Task.sleep(for: .milliseconds(100)) }
            }
            #expect(answered, "no new connection was served after descriptors were freed; stderr:\n\(daemon.standardError)")
            #expect(await eventually { daemon.standardError.contains("rpc.server.accept_recovered") })
            await fresh.close()
            await client.close()
        }
    }
}

private func echoRequest(text: String) -> TestingV1.EchoRequest {
    var request = TestingV1.EchoRequest()
    request.text = text
    return request
}

/// A blocking connect to a Unix socket path; the descriptor, or -1.
private func connectUnix(_ path: UnsafePointer<CChar>) -> Int32 {
    let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
    guard fd >= 0 else { return -1 }
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        let length = min(strlen(path), buffer.count - 1)
        memcpy(buffer.baseAddress!, path, length)
        buffer[length] = 0
    }
    let rc = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
    }
    guard rc == 0 else {
        close(fd)
        return -1
    }
    return fd
}
