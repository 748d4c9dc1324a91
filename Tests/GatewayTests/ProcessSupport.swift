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
