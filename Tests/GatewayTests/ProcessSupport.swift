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

    /// Starts `chatpaneld <process>` on `<directory>/<process>.sock` with its state in
    /// `<directory>/<process>-state`, logging to `<directory>/<log>`, and waits until it answers.
    func startDaemon(_ process: String, in directory: String, log: String? = nil, extra: [String] = []) async throws -> ChildProcess {
        let socket = "\(directory)/\(process).sock"
        let child = add(
            try ChildProcess.spawn(
                Binaries.daemon, [process, "--socket", socket, "--state-dir", "\(directory)/\(process)-state"] + extra,
                logPrefix: "\(directory)/\(log ?? process)", name: process))
        try await waitUntilHealthy(socket: socket, while: child)
        return child
    }

    /// Starts `chatpaneld clients`, `tasks` and a `gateway` over them in `directory` (each on
    /// `<directory>/<process>.sock`), each once the one before answers.
    func startClientsTasksAndGateway(in directory: String) async throws {
        _ = try await startDaemon("clients", in: directory)
        _ = try await startDaemon("tasks", in: directory)
        _ = try await startDaemon(
            "gateway", in: directory, extra: ["--clients-socket", "\(directory)/clients.sock", "--tasks-socket", "\(directory)/tasks.sock"])
    }
}

/// `path` as a Unix socket address, for `bind` or `connect` on a raw socket.
func unixSocketAddress(_ path: String) -> sockaddr_un {
    var address = sockaddr_un()
    address.sun_family = sa_family_t(AF_UNIX)
    withUnsafeMutableBytes(of: &address.sun_path) { buffer in
        let bytes = Array(path.utf8)
        buffer.copyBytes(from: bytes)
        buffer[bytes.count] = 0
    }
    return address
}

/// The state letter of a process in `/proc/<pid>/stat` (`R`, `S`, `T` when stopped, …), or "" when unreadable.
func processState(_ pid: Int32) -> String {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return "" }
    return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init) ?? ""
}
