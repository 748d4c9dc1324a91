import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

// The process-level suite's helpers; `ChildProcess` and `Binaries` come from ChatPanelTesting.

/// Every child a test started, killed together on every exit path.
final class Children {
    private(set) var all: [ChildProcess] = []
    func add(_ child: ChildProcess) -> ChildProcess {
        all.append(child)
        return child
    }
    func killAll() { for child in all { child.kill() } }
}

/// Waits until the process at `socket` answers Health/Check with SERVING.
func waitUntilHealthy(_ child: ChildProcess, socket: String, timeout: Duration = .seconds(30)) async throws {
    let deadline = ContinuousClock.now + timeout
    var configuration = RPCClientConfiguration(socketPath: socket)
    configuration.connectTimeout = .milliseconds(200)
    while ContinuousClock.now < deadline {
        if child.poll() != nil { throw GatewayTestFailure("\(child.name) exited early; stderr:\n\(child.standardError)") }
        if access(socket, F_OK) == 0 {
            let client = RPCClient(configuration: configuration)
            let response = try? await client.unary(
                HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: RPCCallOptions(timeout: .milliseconds(500)))
            await client.close()
            if response != nil { return }
        }
        try await Task.sleep(for: .milliseconds(50))
    }
    throw GatewayTestFailure("\(child.name) did not answer on \(socket) within \(timeout); stderr:\n\(child.standardError)")
}

/// The state letter of a process in `/proc/<pid>/stat` (`R`, `S`, `T` when stopped, …), or "" when unreadable.
func processState(_ pid: Int32) -> String {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return "" }
    return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init) ?? ""
}
