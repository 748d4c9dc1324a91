import Foundation

/// The figures of a process's `/proc/<pid>/stat` (proc(5)) that the process metrics and the
/// benchmarks read.
public struct ProcStat: Sendable {
    /// CPU time used, user and system, in seconds.
    public var cpuSeconds: Double { userSeconds + systemSeconds }
    /// CPU time used in user mode, in seconds.
    public var userSeconds: Double
    /// CPU time used in the kernel (system calls, and the faults and interrupts it serves), in seconds.
    public var systemSeconds: Double
    /// When the process started, in seconds after the machine booted.
    public var startSecondsAfterBoot: Double
    /// Resident memory in bytes.
    public var residentBytes: Double

    private static let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
    private static let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))

    /// Reads `/proc/<process>/stat` (`process`: a pid, or `self`); nil when it cannot be read.
    public init?(process: String = "self") {
        guard let stat = try? String(contentsOfFile: "/proc/\(process)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // The fields after the command name (which may hold spaces and parentheses) start after
        // its last ')', with field 3 (state): utime is field 14, stime 15, starttime 22, rss 24.
        let fields = stat[stat.index(after: close)...].split(separator: " ")
        func field(_ number: Int) -> Double? { fields.count > number - 3 ? Double(fields[number - 3]) : nil }
        guard let user = field(14), let system = field(15), let start = field(22), let pages = field(24) else { return nil }
        userSeconds = user / Self.ticks
        systemSeconds = system / Self.ticks
        startSecondsAfterBoot = start / Self.ticks
        residentBytes = pages * Self.pageSize
    }
}
