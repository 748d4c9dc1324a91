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
            let placements: [(EchoMethod, Callers)] =
                Callers.allCases.map { (.echo, $0) } + [(.echoNow, .pool), (.echoNow, .onLoops)]
            for (method, callers) in placements {
                let (server, client) =
                    callers == .onLoops
                    ? try await cpuPerCall(daemon: daemonPath, directory: directory, body: body, method: method)
                    : try await poolCPUPerCall(
                        daemon: daemonPath, directory: directory, body: body, loopsAsGlobalExecutor: callers == .loopsAsGlobalExecutor,
                        method: method)
                let shape = method == .echoNow ? "synchronous handler, " : ""
                print(
                    "\(pad("\(frame) B", 8))CPU per call, \(shape)\(callers.rawValue): server \(server.described) + caller \(client.described) = \(format(server.total + client.total)) µs"
                )
            }
            for onLoops in [false, true] {
                let (server, client) = try await plainNIOCPUPerCall(directory: directory, frame: frame, onLoops: onLoops)
                let callers = onLoops ? Callers.onLoops : Callers.pool
                print(
                    "\(pad("\(frame) B", 8))CPU per call, plain SwiftNIO echo, \(callers.rawValue): server \(server.described) + caller \(client.described) = \(format(server.total + client.total)) µs"
                )
            }
            let (floorServer, floorClient) = try await floorCPUPerCall(directory: directory, frame: frame)
            print(
                "\(pad("\(frame) B", 8))CPU per call, C floor, 16 callers: server \(floorServer.described) + caller \(floorClient.described) = \(format(floorServer.total + floorClient.total)) µs"
            )
            guard let counter else { continue }
            for tool in Valgrind.Tool.allCases {
                for (label, echo) in [("", EchoMethod.echo), (", synchronous handler", .echoNow), (", plain SwiftNIO echo", nil)] {
                    let (server, client) = try await counts(tool, counter, daemon: daemonPath, frame: frame, body: body, method: echo)
                    print(
                        "\(pad("\(frame) B", 8))\(tool.counts) per call (\(tool))\(label): server \(Int(server.rounded())) + caller \(Int(client.rounded())) = \(Int((server + client).rounded()))"
                    )
                }
            }
        }
    }

    /// Where the 16 callers' tasks run.
    enum Callers: String, CaseIterable {
        /// Tasks of their own on Swift's cooperative pool: each call hops to the connection's
        /// event loop and back.
        case pool = "16 callers"
        /// Tasks of their own, with the event loops installed as Swift's global executor: a
        /// task stays on the loop that resumed it, its connection's.
        case loopsAsGlobalExecutor = "16 callers, loops as global executor"
        /// Each task on its connection's event loop, as an RPC handler calling an upstream (the
        /// gateway) does.
        case onLoops = "16 callers on loops"
    }

    /// Starts the echo server, runs `body` with its socket and pid, and stops it.
    private func withEchoServer<T>(daemon: String, directory: String, _ body: (String, Int32) async throws -> T) async throws -> T {
        let socket = "\(directory)/echo.sock"
        let server = try BenchProcess.start(daemon, ["echo", "--socket", socket, "--state-dir", directory, "--log-level", "warning"])
        defer { server.stop(); try? FileManager.default.removeItem(atPath: socket) }
        try await waitForSocket(socket)
        return try await body(socket, server.processIdentifier)
    }

    /// CPU time per call of the server process and of this process, with 16 callers each on
    /// its connection's event loop.
    private func cpuPerCall(daemon: String, directory: String, body: Int, method: EchoMethod = .echo) async throws -> (CPUTime, CPUTime) {
        try await withEchoServer(daemon: daemon, directory: directory) { socket, pid in
            let callers = 16
            let loops = (0..<callers).map { _ in MultiThreadedEventLoopGroup.singleton.next() }
            let clients = loops.map { RPCBench.makeClient(socket, eventLoopGroup: $0) }
            let request = RPCBench.makeRequest(body: body)
            for client in clients { for _ in 0..<50 { _ = try await client.unary(method.method, request) } }
            let perCaller = calls / callers
            let (serverCPU, ownCPU) = try await measuredCPU(serverPID: pid) {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for (client, loop) in zip(clients, loops) {
                        group.addTask(executorPreference: EventLoopTaskExecutor(eventLoop: loop)) {
                            for _ in 0..<perCaller { _ = try await client.unary(method.method, request) }
                        }
                    }
                    try await group.waitForAll()
                }
            }
            for client in clients { await client.close() }
            return (serverCPU.microseconds(per: perCaller * callers), ownCPU.microseconds(per: perCaller * callers))
        }
    }

    /// CPU time per call of the server process and of the callers' process (`pool-callers`, a
    /// process of its own so that it can install the loops as Swift's global executor).
    private func poolCPUPerCall(
        daemon: String, directory: String, body: Int, loopsAsGlobalExecutor: Bool, method: EchoMethod = .echo
    ) async throws -> (CPUTime, CPUTime) {
        try await withEchoServer(daemon: daemon, directory: directory) { socket, pid in
            var arguments = [
                "pool-callers", "--socket", socket, "--server-pid", String(pid), "--calls", String(calls), "--body", String(body),
                "--method", method.rawValue,
            ]
            if loopsAsGlobalExecutor { arguments.append("--loops-as-global-executor") }
            return try Self.callersCPUPerCall(arguments)
        }
    }

    /// CPU time per call of the plain SwiftNIO echo's server and of its callers' process
    /// (`nio-echo-server`, `nio-echo-callers`): what SwiftNIO itself costs with the callers placed
    /// as the RPC layer's are.
    private func plainNIOCPUPerCall(directory: String, frame: Int, onLoops: Bool) async throws -> (CPUTime, CPUTime) {
        let socket = "\(directory)/nio-echo.sock"
        let server = try BenchProcess.start(siblingExecutable("chatpanel-bench"), ["nio-echo-server", "--socket", socket])
        defer { server.stop(); try? FileManager.default.removeItem(atPath: socket) }
        try await waitForSocket(socket)
        var arguments = [
            "nio-echo-callers", "--socket", socket, "--server-pid", String(server.processIdentifier), "--calls", String(calls),
            "--frame", String(frame),
        ]
        if onLoops { arguments.append("--on-loops") }
        return try Self.callersCPUPerCall(arguments)
    }

    /// Runs a callers' process of this benchmark (`pool-callers`, `nio-echo-callers`) and reads
    /// the server's and its own CPU time per call from the `key=value` pairs it prints.
    private static func callersCPUPerCall(_ arguments: [String]) throws -> (CPUTime, CPUTime) {
        let output = try BenchProcess.output(siblingExecutable("chatpanel-bench"), arguments)
        var values: [String: Double] = [:]
        for pair in output.split(whereSeparator: \.isWhitespace) {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { values[String(parts[0])] = Double(parts[1]) }
        }
        guard let made = values["calls"], let serverUser = values["server_user_s"], let serverSystem = values["server_system_s"],
            let user = values["user_s"], let system = values["system_s"]
        else { throw ValidationError("unexpected \(arguments[0]) output: \(output)") }
        return (
            CPUTime(user: serverUser, system: serverSystem).microseconds(per: Int(made)),
            CPUTime(user: user, system: system).microseconds(per: Int(made))
        )
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
    /// the difference divided by the difference in calls: of the echo service's `method` called by
    /// `call-echo`, or with no method, of the plain SwiftNIO echo (`nio-echo-server`, one
    /// `nio-echo-callers` caller on its loop).
    private func counts(
        _ tool: Valgrind.Tool, _ valgrind: Valgrind, daemon: String, frame: Int, body: Int, method: EchoMethod?
    ) async throws -> (Double, Double) {
        let prefix = method.map { $0 == .echo ? "" : "\($0.rawValue)-" } ?? "nio-"
        var server: [Double] = []
        var client: [Double] = []
        let directory = valgrind.directory
        let bench = siblingExecutable("chatpanel-bench")
        for calls in counted {
            let name = "\(prefix)\(tool)-\(body)-\(calls)"
            let socket = "\(directory)/echo-\(name).sock"
            let serverOut = "\(directory)/\(prefix)\(tool)-server-\(body)-\(calls).out"
            let clientOut = "\(directory)/\(prefix)\(tool)-client-\(body)-\(calls).out"
            let process =
                method == nil
                ? try valgrind.start(tool, output: serverOut, bench, ["nio-echo-server", "--socket", socket])
                : try valgrind.start(
                    tool, output: serverOut, daemon, ["echo", "--socket", socket, "--state-dir", directory, "--log-level", "warning"])
            try await waitForSocket(socket, timeout: .seconds(60))
            try await Task.sleep(for: .seconds(1))
            let callerArguments =
                if let method {
                    ["call-echo", "--socket", socket, "--calls", String(calls), "--body", String(body), "--method", method.rawValue]
                } else {
                    [
                        "nio-echo-callers", "--socket", socket, "--server-pid", String(process.processIdentifier), "--calls", String(calls),
                        "--frame", String(frame), "--callers", "1", "--on-loops",
                    ]
                }
            try valgrind.run(tool, output: clientOut, bench, callerArguments)
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
    @Option var method = EchoMethod.echo

    func run() async throws {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let client = RPCBench.makeClient(socket, eventLoopGroup: loop)
        let request = RPCBench.makeRequest(body: body)
        try await withTaskExecutorPreference(EventLoopTaskExecutor(eventLoop: loop)) {
            for _ in 0..<calls { _ = try await client.unary(method.method, request) }
        }
        await client.close()
    }
}

/// `chatpanel-bench pool-callers`: 16 callers in tasks of their own (no executor preference),
/// in a process of their own so that `--loops-as-global-executor` can install the event loops as
/// Swift's global executor before any task runs. Prints its own and the server's CPU seconds
/// over the measured calls (after a warm-up), as `key=value` pairs.
struct PoolCallers: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pool-callers", abstract: "Makes echo calls from tasks on Swift's global executor.", shouldDisplay: false)

    @Option var socket: String
    @Option(help: "The server's pid, whose CPU time is read from /proc.") var serverPID: Int32
    @Option var calls = 64_000
    @Option var body = 200
    @Option var method = EchoMethod.echo
    @Flag(help: "Run Swift's global executor on the event loops (NIOSingletons).") var loopsAsGlobalExecutor = false

    func run() async throws {
        if loopsAsGlobalExecutor {
            guard NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor() else {
                throw ValidationError("could not install the event loops as Swift's global executor")
            }
        }
        let callers = 16
        let clients = (0..<callers).map { _ in RPCBench.makeClient(socket) }
        let request = RPCBench.makeRequest(body: body)
        let perCaller = calls / callers
        try await Self.call(clients, method.method, request, times: 50)
        let (server, own) = try await measuredCPU(serverPID: serverPID) { try await Self.call(clients, method.method, request, times: perCaller) }
        for client in clients { await client.close() }
        printCallersCPU(calls: perCaller * callers, server: server, own: own)
    }

    /// Each client makes `times` calls, in a task of its own, all at once.
    private static func call(
        _ clients: [RPCClient], _ method: UnaryMethod<TestingV1.EchoRequest, TestingV1.EchoResponse>, _ request: TestingV1.EchoRequest,
        times: Int
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for client in clients {
                group.addTask { for _ in 0..<times { _ = try await client.unary(method, request) } }
            }
            try await group.waitForAll()
        }
    }
}

/// The echo service's method a cost run calls: `Echo`, whose handler runs in a task of its own
/// and may suspend (the shape of the services' writes and of the gateway's handlers), or
/// `EchoNow`, answered inside the read of its request (the shape of the services' panel reads).
enum EchoMethod: String, ExpressibleByArgument {
    case echo
    case echoNow = "echo-now"

    var method: UnaryMethod<TestingV1.EchoRequest, TestingV1.EchoResponse> {
        switch self {
        case .echo: TestingV1.Echo.echo
        case .echoNow: TestingV1.Echo.echoNow
        }
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

/// The CPU time the server process `serverPID` and this process used while `body` ran.
func measuredCPU(serverPID: Int32, _ body: () async throws -> Void) async throws -> (server: CPUTime, own: CPUTime) {
    let serverBefore = try processCPUTime(serverPID)
    let ownBefore = ownCPUTime()
    try await body()
    return (try processCPUTime(serverPID) - serverBefore, ownCPUTime() - ownBefore)
}

/// What a callers' process (`pool-callers`, `nio-echo-callers`) prints for the cost benchmark
/// to read: its calls and both processes' CPU seconds, as `key=value` pairs.
func printCallersCPU(calls: Int, server: CPUTime, own: CPUTime) {
    print("calls=\(calls) server_user_s=\(server.user) server_system_s=\(server.system) user_s=\(own.user) system_s=\(own.system)")
}

/// The CPU time this process has used.
func ownCPUTime() -> CPUTime {
    var usage = rusage()
    getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
    func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
    return CPUTime(user: seconds(usage.ru_utime), system: seconds(usage.ru_stime))
}
