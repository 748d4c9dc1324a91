import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation
import NIOCore
import NIOPosix

/// `chatpanel-bench rpc`: unary round trips over a Unix socket, next to a plain C ping-pong
/// with the same framing measured in the same run (this VM's timings swing between runs, so
/// only same-run ratios mean anything).
///
/// For frames of about 300 bytes and 3 KiB it prints sequential latency p50/p99 and calls/s
/// with 16 and 64 concurrent callers (each caller on its own connection, like the floor's).
struct RPCBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rpc", abstract: "Benchmarks unary RPC calls against a C floor.")

    @Option(help: "Sequential calls per size.")
    var calls = 20_000

    @Option(help: "Calls per concurrency level and size, split over the callers.")
    var concurrentCalls = 64_000

    @Option(help: "The C floor binary (bench/floor/pingpong.c, built by `make bench`).")
    var floor = ".build/pingpong"

    @Option(help: "The chatpaneld binary (default: next to this one).")
    var daemon: String?

    func run() async throws {
        let directory = "/tmp/cp-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let floorSocket = "\(directory)/floor.sock"
        let echoSocket = "\(directory)/echo.sock"
        let daemonPath = daemon ?? siblingExecutable("chatpaneld")

        let floorServer = try BenchProcess.start(floor, ["server", floorSocket])
        defer { floorServer.stop() }
        let echoServer = try BenchProcess.start(
            daemonPath, ["echo", "--socket", echoSocket, "--state-dir", directory, "--log-level", "warning"])
        defer { echoServer.stop() }
        try await waitForSocket(floorSocket)
        try await waitForSocket(echoSocket)

        print("RPC benchmark: unary calls over a Unix socket (\(calls) sequential, \(concurrentCalls) per concurrency level)")
        print("frame ≈ request frame bytes on the wire; floor = C ping-pong with the same framing, same run\n")
        print(pad("frame", 7) + pad("measure", 20) + pad("ChatPanel RPC", 26) + pad("C floor", 26) + "ratio")
        for frameSize in [300, 3072] {
            let body = try Self.bodySize(forFrame: frameSize)
            let swiftSequential = try await sequential(socket: echoSocket, body: body)
            let floorSequential = try floorRun(floorSocket, frame: frameSize, calls: calls, callers: 1)
            print(
                pad("\(frameSize)", 7) + pad("sequential p50/p99", 20)
                    + pad("\(format(swiftSequential.percentile(50))) / \(format(swiftSequential.percentile(99))) µs", 26)
                    + pad("\(format(floorSequential.p50)) / \(format(floorSequential.p99)) µs", 26)
                    + "p50 \(format(swiftSequential.percentile(50) / floorSequential.p50))x")
            // The caller on the client's event loop, as an RPC handler calling an upstream (the
            // gateway) is: no hop from Swift's cooperative pool to the loop and back.
            let executor = EventLoopTaskExecutor(eventLoop: MultiThreadedEventLoopGroup.singleton.next())
            let onLoop = try await withTaskExecutorPreference(executor) { try await sequential(socket: echoSocket, body: body) }
            print(
                pad("\(frameSize)", 7) + pad("  caller on loop", 20)
                    + pad("\(format(onLoop.percentile(50))) / \(format(onLoop.percentile(99))) µs", 26) + pad("", 26)
                    + "p50 \(format(onLoop.percentile(50) / floorSequential.p50))x")
            for callers in [16, 64] {
                let (swiftRate, swiftSamples) = try await concurrent(socket: echoSocket, body: body, callers: callers)
                let floorResult = try floorRun(floorSocket, frame: frameSize, calls: concurrentCalls / callers, callers: callers)
                print(
                    pad("\(frameSize)", 7) + pad("\(callers) callers", 20)
                        + pad("\(Int(swiftRate)) calls/s p99 \(format(swiftSamples.percentile(99))) µs", 26)
                        + pad("\(Int(floorResult.rate)) calls/s p99 \(format(floorResult.p99)) µs", 26)
                        + "\(format(swiftRate / floorResult.rate * 100))% of floor")
                let (onLoopsRate, onLoopsSamples) = try await concurrent(socket: echoSocket, body: body, callers: callers, onLoops: true)
                print(
                    pad("\(frameSize)", 7) + pad("  callers on loops", 20)
                        + pad("\(Int(onLoopsRate)) calls/s p99 \(format(onLoopsSamples.percentile(99))) µs", 26) + pad("", 26)
                        + "\(format(onLoopsRate / floorResult.rate * 100))% of floor")
            }
        }
    }

    static func makeRequest(body: Int) -> TestingV1.EchoRequest {
        var request = TestingV1.EchoRequest()
        request.body = [UInt8](repeating: 0x5A, count: body)
        return request
    }

    /// The body size that makes the whole request frame `frame` bytes.
    static func bodySize(forFrame frame: Int) throws -> Int {
        var envelope = RPCV1.RequestFrame()
        envelope.callID = 1_000_000
        envelope.method = TestingV1.Echo.echo.path
        envelope.timeoutMs = 5000
        envelope.caller = RPCV1.Caller(managerID: 1, rights: [])
        envelope.payload = try Self.makeRequest(body: 0).serializedBytes()
        let overhead = try envelope.serializedBytes().count + 4 + 3
        return max(0, frame - overhead)
    }

    static func makeClient(_ socket: String, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) -> RPCClient {
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [])
        return RPCClient(configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    private func sequential(socket: String, body: Int) async throws -> LatencySamples {
        let client = Self.makeClient(socket)
        defer { Task { await client.close() } }
        let request = Self.makeRequest(body: body)
        for _ in 0..<1000 { _ = try await client.unary(TestingV1.Echo.echo, request) }  // warm-up
        var samples = LatencySamples()
        samples.reserve(calls)
        for _ in 0..<calls {
            let start = ContinuousClock.now
            _ = try await client.unary(TestingV1.Echo.echo, request)
            samples.add(start.duration(to: .now))
        }
        return samples
    }

    /// `callers` concurrent callers, each with its own connection; with `onLoops`, each runs on
    /// its connection's event loop (as the gateway's handlers do).
    private func concurrent(socket: String, body: Int, callers: Int, onLoops: Bool = false) async throws -> (Double, LatencySamples) {
        let perCaller = max(1, concurrentCalls / callers)
        let request = Self.makeRequest(body: body)
        let loops = (0..<callers).map { _ in MultiThreadedEventLoopGroup.singleton.next() }
        let clients = loops.map { Self.makeClient(socket, eventLoopGroup: onLoops ? $0 : MultiThreadedEventLoopGroup.singleton) }
        for client in clients { _ = try await client.unary(TestingV1.Echo.echo, request) }
        let start = ContinuousClock.now
        let samples = try await withThrowingTaskGroup(of: LatencySamples.self) { group in
            for (client, loop) in zip(clients, loops) {
                group.addTask(executorPreference: onLoops ? EventLoopTaskExecutor(eventLoop: loop) : nil) {
                    var samples = LatencySamples()
                    samples.reserve(perCaller)
                    for _ in 0..<perCaller {
                        let callStart = ContinuousClock.now
                        _ = try await client.unary(TestingV1.Echo.echo, request)
                        samples.add(callStart.duration(to: .now))
                    }
                    return samples
                }
            }
            var all = LatencySamples()
            for try await part in group { all.merge(part) }
            return all
        }
        let elapsed = start.duration(to: .now)
        for client in clients { await client.close() }
        let seconds = elapsed.inSeconds
        return (Double(samples.count) / seconds, samples)
    }

    struct FloorResult {
        var rate: Double
        var p50: Double
        var p99: Double
        /// The CPU the floor's client process used for the whole run.
        var clientCPU: CPUTime
    }

    private func floorRun(_ socket: String, frame: Int, calls: Int, callers: Int) throws -> FloorResult {
        try Self.floorRun(floor, socket, frame: frame, calls: calls, callers: callers)
    }

    /// Runs the floor's client: `callers` threads, each making `calls` round trips of a `frame`-byte frame.
    static func floorRun(_ floor: String, _ socket: String, frame: Int, calls: Int, callers: Int) throws -> FloorResult {
        let output = try BenchProcess.output(floor, ["client", socket, String(frame - 4), String(calls), String(callers)])
        var values: [String: Double] = [:]
        for pair in output.split(separator: " ") {
            let parts = pair.split(separator: "=")
            if parts.count == 2 { values[String(parts[0])] = Double(parts[1].trimmingCharacters(in: .whitespacesAndNewlines)) }
        }
        guard let rate = values["calls_per_s"], let p50 = values["p50_us"], let p99 = values["p99_us"],
            let user = values["user_s"], let system = values["system_s"]
        else {
            throw ValidationError("unexpected floor output: \(output)")
        }
        return FloorResult(rate: rate, p50: p50, p99: p99, clientCPU: CPUTime(user: user, system: system))
    }
}

/// Pads text to a column width.
func pad(_ text: String, _ width: Int) -> String {
    text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
}
