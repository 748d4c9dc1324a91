import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import Foundation
import NIOCore
import NIOPosix

/// `chatpanel-bench cost`: what one RPC call costs, in figures that a noisy machine does not
/// move much, for the echo service (the RPC layer alone) with ~300 B and ~3 KiB frames:
///
/// - CPU time per call of the server process and of the calling process, from `/proc` and
///   `getrusage`, with 16 concurrent callers; and, measured in the same run, the CPU time per
///   call of the C floor (`bench/floor/pingpong.c`: the same framing, blocking reads and writes),
///   which is what the kernel's side of a call costs on this machine at that moment;
/// - with `--valgrind`: instructions per call of the server and of a caller, counted by
///   `valgrind --tool=callgrind` on two fixed sequential workloads (the difference divided by
///   the difference in calls, so start-up and shutdown cancel out), the same on a busy or an
///   idle machine; and heap allocations per call, counted the same way by `valgrind --tool=dhat`
///   (see ``Valgrind`` for what lets Debian 12's valgrind run these binaries).
struct CostBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cost", abstract: "CPU time, instructions and allocations per RPC call (callgrind, dhat, /proc).")

    @Option(help: "Calls measured for CPU time, split over 16 callers.") var calls = 64_000
    @Option(help: "The smaller and larger sequential workloads counted under valgrind.") var counted: [Int] = [200, 1200]
    @Option(help: "The chatpaneld binary (default: next to this one).") var daemon: String?
    @Flag(help: "Also count instructions (callgrind) and allocations (dhat) under valgrind.") var valgrind = false
    @Flag(help: "Keep valgrind's output files (for callgrind_annotate).") var keep = false
    @Option(help: "The sigsuspend preloaded under valgrind (bench/valgrind/preload.c, built by `make bench`).")
    var preload = ".build/valgrind-preload.so"
    @Option(help: "The C floor binary (bench/floor/pingpong.c, built by `make bench`).") var floor = ".build/pingpong"

    func run() async throws {
        let directory = "/tmp/cp-cost-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        if keep { print("valgrind output files kept in \(directory)") }
        let daemonPath = daemon ?? siblingExecutable("chatpaneld")
        let counter = valgrind ? try Valgrind(directory: directory, preload: preload) : nil
        print("RPC cost per call: echo service, release build")
        for frame in [300, 3072] {
            let body = try RPCBench.bodySize(forFrame: frame)
            for onLoops in [false, true] {
                let (server, client) = try await cpuPerCall(daemon: daemonPath, directory: directory, body: body, onLoops: onLoops)
                let callers = onLoops ? "16 callers on loops" : "16 callers"
                print(
                    "\(pad("\(frame) B", 8))CPU per call, \(callers): server \(server.described) + caller \(client.described) = \(format(server.total + client.total)) µs"
                )
            }
            let (floorServer, floorClient) = try await floorCPUPerCall(directory: directory, frame: frame)
            print(
                "\(pad("\(frame) B", 8))CPU per call, C floor, 16 callers: server \(floorServer.described) + caller \(floorClient.described) = \(format(floorServer.total + floorClient.total)) µs"
            )
            guard let counter else { continue }
            for tool in Valgrind.Tool.allCases {
                let (server, client) = try await counts(tool, counter, daemon: daemonPath, body: body)
                let what = tool.counts
                print(
                    "\(pad("\(frame) B", 8))\(what) per call (\(tool)): server \(Int(server.rounded())) + caller \(Int(client.rounded())) = \(Int((server + client).rounded()))"
                )
            }
        }
    }

    /// CPU time per call of the server process and of this process, with 16 callers; with
    /// `onLoops`, each caller runs on its connection's event loop, as an RPC handler calling an
    /// upstream (the gateway) does.
    private func cpuPerCall(daemon: String, directory: String, body: Int, onLoops: Bool) async throws -> (CPUTime, CPUTime) {
        let socket = "\(directory)/echo.sock"
        let server = try BenchProcess.start(daemon, ["echo", "--socket", socket, "--state-dir", directory, "--log-level", "warning"])
        defer { server.stop(); try? FileManager.default.removeItem(atPath: socket) }
        try await waitForSocket(socket)
        let callers = 16
        let loops = (0..<callers).map { _ in MultiThreadedEventLoopGroup.singleton.next() }
        let clients = loops.map { RPCBench.makeClient(socket, eventLoopGroup: onLoops ? $0 : MultiThreadedEventLoopGroup.singleton) }
        let request = RPCBench.makeRequest(body: body)
        for client in clients { for _ in 0..<50 { _ = try await client.unary(TestingV1.Echo.echo, request) } }
        let serverBefore = try processCPUTime(server.processIdentifier)
        let ownBefore = ownCPUTime()
        let perCaller = calls / callers
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (client, loop) in zip(clients, loops) {
                group.addTask(executorPreference: onLoops ? EventLoopTaskExecutor(eventLoop: loop) : nil) {
                    for _ in 0..<perCaller { _ = try await client.unary(TestingV1.Echo.echo, request) }
                }
            }
            try await group.waitForAll()
        }
        let serverCPU = try processCPUTime(server.processIdentifier) - serverBefore
        let ownCPU = ownCPUTime() - ownBefore
        for client in clients { await client.close() }
        return (serverCPU.microseconds(per: perCaller * callers), ownCPU.microseconds(per: perCaller * callers))
    }

    /// CPU time per call of the C floor's server and client processes, with 16 callers making
    /// `calls` calls of a `frame`-byte frame between them.
    private func floorCPUPerCall(directory: String, frame: Int) async throws -> (CPUTime, CPUTime) {
        let socket = "\(directory)/floor.sock"
        let server = try BenchProcess.start(floor, ["server", socket])
        defer { server.stop(); try? FileManager.default.removeItem(atPath: socket) }
        try await waitForSocket(socket)
        let callers = 16
        _ = try RPCBench.floorRun(floor, socket, frame: frame, calls: 50, callers: callers)
        let before = try processCPUTime(server.processIdentifier)
        let result = try RPCBench.floorRun(floor, socket, frame: frame, calls: calls / callers, callers: callers)
        let serverCPU = try processCPUTime(server.processIdentifier) - before
        let made = calls / callers * callers
        return (serverCPU.microseconds(per: made), result.clientCPU.microseconds(per: made))
    }

    /// Per-call counts of `tool` for the server and for a caller: two runs of different sizes,
    /// the difference divided by the difference in calls.
    private func counts(_ tool: Valgrind.Tool, _ valgrind: Valgrind, daemon: String, body: Int) async throws -> (Double, Double) {
        var server: [Double] = []
        var client: [Double] = []
        let directory = valgrind.directory
        for calls in counted {
            let socket = "\(directory)/echo-\(tool)-\(body)-\(calls).sock"
            let serverOut = "\(directory)/\(tool)-server-\(body)-\(calls).out"
            let clientOut = "\(directory)/\(tool)-client-\(body)-\(calls).out"
            let process = try valgrind.start(
                tool, output: serverOut, daemon, ["echo", "--socket", socket, "--state-dir", directory, "--log-level", "warning"])
            try await waitForSocket(socket, timeout: .seconds(60))
            try await Task.sleep(for: .seconds(1))
            try valgrind.run(
                tool, output: clientOut, siblingExecutable("chatpanel-bench"),
                ["call-echo", "--socket", socket, "--calls", String(calls), "--body", String(body)])
            process.stop(grace: .seconds(60))
            server.append(try Valgrind.total(tool, file: serverOut))
            client.append(try Valgrind.total(tool, file: clientOut))
        }
        let span = Double(counted[1] - counted[0])
        return ((server[1] - server[0]) / span, (client[1] - client[0]) / span)
    }
}

/// `chatpanel-bench call-echo`: a fixed number of sequential echo calls (the caller that the
/// cost benchmark runs under valgrind), made on the client's event loop as the gateway's
/// handlers make theirs.
struct CallEcho: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call-echo", abstract: "Makes sequential echo calls.", shouldDisplay: false)

    @Option var socket: String
    @Option var calls = 1000
    @Option var body = 200

    func run() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let client = RPCBench.makeClient(socket, eventLoopGroup: loop)
        let request = RPCBench.makeRequest(body: body)
        try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: loop)) {
            for _ in 0..<calls { _ = try await client.unary(TestingV1.Echo.echo, request) }
        }
        await client.close()
    }
}

/// CPU seconds a process has used, in user mode and in the kernel.
struct CPUTime {
    var user: Double
    var system: Double
    var total: Double { user + system }

    static func - (lhs: CPUTime, rhs: CPUTime) -> CPUTime {
        CPUTime(user: lhs.user - rhs.user, system: lhs.system - rhs.system)
    }

    /// Per call of `calls`, in µs.
    func microseconds(per calls: Int) -> CPUTime {
        CPUTime(user: user / Double(max(1, calls)) * 1e6, system: system / Double(max(1, calls)) * 1e6)
    }

    /// "12.3 µs (kernel 4.5)".
    var described: String { "\(format(total)) µs (kernel \(format(system)))" }
}

/// The CPU time a process has used, from `/proc/<pid>/stat`.
func processCPUTime(_ pid: Int32) throws -> CPUTime {
    guard let stat = ProcStat(process: String(pid)) else { throw ValidationError("unreadable /proc/\(pid)/stat") }
    return CPUTime(user: stat.userSeconds, system: stat.systemSeconds)
}

/// The CPU time this process has used.
func ownCPUTime() -> CPUTime {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
}
