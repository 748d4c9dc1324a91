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

/// The state letter of a process in `/proc/<pid>/stat` (`R`, `S`, `T` when stopped, …), or "" when unreadable.
func processState(_ pid: Int32) -> String {
    guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
        let close = stat.lastIndex(of: ")")
    else { return "" }
    return stat[stat.index(after: close)...].split(separator: " ").first.map(String.init) ?? ""
}
