import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import ClientsService
import Foundation
import GRDB
import InsightsService
import NIOCore
import NIOPosix
import OrdersService
import Synchronization
import TasksService

/// `chatpanel-bench panel`: `GetPanel` through the real gateway, clients and tasks processes on
/// the clients and tasks benchmarks' data sets (by default 1 000 000 clients, 200 000 dialogs,
/// 10 000 tags, 5 000 000 notes and 2 000 000 tasks).
///
/// Prints sequential p50/p99 and calls/s with 16 and 64 concurrent callers (each on its own
/// connection to the gateway, as the CRM's web back end would hold them), and how the widgets
/// came back, so that an overloaded run that answers with timed-out widgets cannot pass for a
/// fast one. With `--every-widget`, the orders and insights processes serve the panel too, on
/// databases seeded for the same dialogs (``PanelWidgetsSeed``): all nine widgets with data.
struct PanelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "panel", abstract: "Benchmarks GetPanel through the gateway over the clients and tasks data sets.")

    @Option(help: "Clients (in both databases).") var clients = 1_000_000
    @Option(help: "Dialogs (default: a fifth of the clients).") var dialogs: Int?
    @Option(help: "Tags.") var tags = 10_000
    @Option(help: "Notes.") var notes = 5_000_000
    @Option(help: "Tasks.") var tasks = 2_000_000
    @Flag(
        help: ArgumentHelp(
            "Also start the orders and insights services, seeded for the same dialogs (product lists, carts, orders, messages and summaries, page views): the panel with every widget."
        )) var everyWidget = false
    @Option(help: "Sequential calls measured.") var samples = 5_000
    @Flag(
        help: ArgumentHelp(
            "First, the panel of every dialog once, not measured (16 callers): a service that has run a while has the whole data set in its processes' page tables, where one just started takes a page fault on each first touch of a database page."
        )) var warmUp = false
    @Option(help: "Calls per concurrency level, split over the callers.") var concurrentCalls = 16_000
    @Option(help: "The gateway's panel deadline in milliseconds.") var panelTimeoutMs = 1000
    @Option(help: "Where the databases and logs go.") var directory = "/tmp/cp-panel-bench"
    @Option(help: "The chatpaneld binary (default: next to this one).") var daemon: String?
    @Flag(help: "Reuse databases seeded by an earlier run with the same sizes.") var reuse = false
    @Flag(help: "Keep the databases afterwards (for --reuse).") var keep = false
    @Flag(help: "Then overload the gateway: capacity, a ramp to twice it, recovery, and a drain under load.") var overload = false
    @Option(help: "Seconds of the overload ramp.") var rampSeconds = 10
    @Flag(help: "Then count instructions per panel of each process under valgrind (callgrind).") var callgrind = false
    @Flag(help: "Only count under valgrind: no timed runs.") var onlyCounts = false
    @Option(help: "The smaller and larger sequential workloads counted under valgrind.") var counted: [Int] = [100, 600]
    @Option(help: "The sigsuspend preloaded under valgrind (bench/valgrind/preload.c, built by `make bench`).")
    var preload = ".build/valgrind-preload.so"

    func run() async throws {
        let dialogCount = dialogs ?? max(1, clients / 5)
        let states = PanelStates(
            clients: "\(directory)/clients-\(clients)-\(dialogCount)-\(tags)", tasks: "\(directory)/tasks-\(clients)-\(notes)-\(tasks)",
            orders: everyWidget ? "\(directory)/orders-\(clients)-\(dialogCount)-\(tags)" : nil,
            insights: everyWidget ? "\(directory)/insights-\(clients)-\(dialogCount)-\(tags)" : nil, gateway: "\(directory)/gateway")
        for folder in [states.clients, states.tasks, states.gateway] + [states.orders, states.insights].compactMap({ $0 }) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        }
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        print(
            "panel benchmark: \(clients) clients, \(dialogCount) dialogs, \(tags) tags, \(notes) notes, \(tasks) tasks "
                + (everyWidget ? "and every widget's service " : "") + "(folder \(directory))")

        let clientsPath = "\(states.clients)/clients.sqlite"
        var reseededClients = false
        if !(reuse && FileManager.default.fileExists(atPath: clientsPath)) {
            removeDatabase(clientsPath)
            _ = try ClientsStore(path: clientsPath)
            let elapsed = try measureSync { try BenchSeed(clients: clients, dialogs: dialogCount, tags: tags).write(to: clientsPath) }
            print("seeded the clients database in \(format(elapsed.inSeconds)) s")
            reseededClients = true
        }
        let tasksPath = "\(states.tasks)/tasks.sqlite"
        if !(reuse && FileManager.default.fileExists(atPath: tasksPath)) {
            removeDatabase(tasksPath)
            let store = try TasksStore(path: tasksPath)
            let started = ContinuousClock.now
            try await TasksBench.seed(store, TasksBench.Scale(clients: clients, notes: notes, tasks: tasks))
            print("seeded the tasks database in \(format(started.duration(to: .now).inSeconds)) s")
        }
        if let orders = states.orders, let insights = states.insights {
            let seed = try PanelWidgetsSeed(clientsDatabase: clientsPath)
            let ordersPath = "\(orders)/orders.sqlite"
            if reseededClients || !(reuse && FileManager.default.fileExists(atPath: ordersPath)) {
                removeDatabase(ordersPath)
                let elapsed = try await measure { try await seed.writeOrders(to: ordersPath) }.1
                print("seeded the orders database in \(format(elapsed.inSeconds)) s")
            }
            let insightsPath = "\(insights)/insights.sqlite"
            if reseededClients || !(reuse && FileManager.default.fileExists(atPath: insightsPath)) {
                removeDatabase(insightsPath)
                let elapsed = try await measure { try await seed.writeInsights(to: insightsPath) }.1
                print("seeded the insights database in \(format(elapsed.inSeconds)) s")
            }
        }
        removeDatabase("\(states.gateway)/gateway.sqlite")

        let binary = daemon ?? siblingExecutable("chatpaneld")
        let sockets = PanelSockets(directory: directory)
        // Without the orders and insights services, their widgets answer "not configured".
        let workload = PanelWorkload(dialogs: dialogCount, widgets: everyWidget ? nil : [.tags, .tasks, .notes])
        if !onlyCounts {
            let processes = try await sockets.start(binary: binary, states: states, panelTimeoutMs: panelTimeoutMs) {
                try BenchProcess.start($1, $2)
            }
            defer { for process in processes { process.process.stop() } }
            if everyWidget { try await PanelWorkload.switchOnModules(socket: sockets.gateway) }
            let pids = processes.map { (name: $0.name, pid: $0.process.processIdentifier) }
            if warmUp {
                let started = ContinuousClock.now
                try await workload.everyDialog(socket: sockets.gateway, callers: 16)
                print("\nwarmed up: the panel of each of the \(dialogCount) dialogs once, in \(format(started.duration(to: .now).inSeconds)) s")
            }
            print("\nGetPanel, manager 1 with the default layout, random dialogs (a tenth not saved as clients yet), unpinned:")
            // Each measure twice: callers on Swift's default pool, then callers on their
            // connections' event loops (as the gateway's handlers call the services), which
            // leaves more of the two cores to the services (the callers' CPU is printed).
            for onLoops in [false, true] {
                let sequentialCPU = try PanelCPU(pids)
                let sequential = try await workload.sequential(socket: sockets.gateway, calls: samples, onLoop: onLoops)
                print(
                    "  " + pad(onLoops ? "  caller on loop" : "sequential", 20) + sequential.latencies.summary + "  "
                        + sequential.tally.summary)
                print("  " + pad("", 20) + (try sequentialCPU.perPanel(panels: min(500, samples) + samples)))
            }
            for callers in [16, 64] {
                for onLoops in [false, true] {
                    let cpu = try PanelCPU(pids)
                    let run = try await workload.concurrent(socket: sockets.gateway, callers: callers, calls: concurrentCalls, onLoops: onLoops)
                    print(
                        "  " + pad(onLoops ? "  callers on loops" : "\(callers) callers", 20) + "\(Int(run.rate)) calls/s, "
                            + run.latencies.summary + "  " + run.tally.summary)
                    print("  " + pad("", 20) + (try cpu.perPanel(panels: run.latencies.count + callers)))
                }
            }
            if overload {
                let phases = OverloadPhases(
                    workload: workload, socket: sockets.gateway, panelTimeout: .milliseconds(panelTimeoutMs), rampSeconds: rampSeconds)
                try await phases.run(gatewayPID: pids[pids.count - 1].pid)
            }
        }
        if callgrind || onlyCounts {
            try await countInstructions(binary: binary, sockets: sockets, states: states, workload: workload)
        }
    }

    /// Instructions per panel of each process: the processes run under callgrind for two
    /// sequential workloads of different sizes; the difference divided by the difference in
    /// panels, so start-up and shutdown cancel out.
    private func countInstructions(binary: String, sockets: PanelSockets, states: PanelStates, workload: PanelWorkload) async throws {
        let valgrind = try Valgrind(directory: directory, preload: preload)
        var totals: [[(name: String, count: Double)]] = []
        for panels in counted {
            removeDatabase("\(states.gateway)/gateway.sqlite")
            let processes = try await sockets.start(binary: binary, states: states, panelTimeoutMs: 60_000, healthTimeout: .seconds(120)) {
                name, executable, arguments in
                try valgrind.start(.callgrind, output: "\(directory)/callgrind-\(name)-\(panels).out", executable, arguments)
            }
            if everyWidget { try await PanelWorkload.switchOnModules(socket: sockets.gateway) }
            try await workload.counted(socket: sockets.gateway, panels: panels)
            for process in processes.reversed() { process.process.stop(grace: .seconds(120)) }
            totals.append(
                try processes.map { ($0.name, try Valgrind.total(.callgrind, file: "\(directory)/callgrind-\($0.name)-\(panels).out")) })
        }
        let span = Double(counted[1] - counted[0])
        let perProcess = zip(totals[0], totals[1]).map { (name: $0.name, count: ($1.count - $0.count) / span) }
        let perPanel = perProcess.suffix(1) + perProcess.dropLast()  // the gateway first, as the CPU figures print it
        print(
            "\nGetPanel instructions per panel (callgrind, sequential, \(counted[0]) and \(counted[1]) panels): "
                + perPanel.map { "\($0.name) \(Int($0.count.rounded()))" }.joined(separator: " + ")
                + " = \(Int(perPanel.map(\.count).reduce(0, +).rounded()))")
    }

    private func removeDatabase(_ path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}

/// The state folders of the panel benchmark's processes; orders and insights only with
/// `--every-widget`.
struct PanelStates {
    let clients: String
    let tasks: String
    let orders: String?
    let insights: String?
    let gateway: String
}

/// One process the panel benchmark started.
struct PanelProcess {
    /// "clients", "tasks", "orders", "insights" or "gateway".
    let name: String
    let process: BenchProcess
}

/// The sockets of the panel benchmark's processes.
struct PanelSockets {
    let directory: String
    let gateway: String

    init(directory: String) {
        self.directory = directory
        gateway = "\(directory)/gateway.sock"
    }

    /// Starts the services (clients, tasks, then orders and insights when they have state
    /// folders) and then the gateway, each with `launch(name, executable, arguments)`, and waits
    /// until each answers its health check before starting the next: a gateway started beside
    /// services not yet listening retries its change feeds on a timer, and the number of
    /// retries (each a few hundred thousand instructions under valgrind) would differ from run
    /// to run. The gateway comes last in the result.
    func start(
        binary: String, states: PanelStates, panelTimeoutMs: Int, healthTimeout: Duration = .seconds(60),
        launch: (String, String, [String]) throws -> BenchProcess
    ) async throws -> [PanelProcess] {
        let services = [("clients", states.clients), ("tasks", states.tasks), ("orders", states.orders), ("insights", states.insights)]
            .compactMap { name, state in state.map { (name: name, state: $0, socket: "\(directory)/\(name).sock") } }
        var commands = services.map { service in
            (
                name: service.name, socket: service.socket,
                arguments: [service.name, "--socket", service.socket, "--state-dir", service.state, "--log-level", "warning"]
            )
        }
        commands.append(
            (
                name: "gateway", socket: gateway,
                arguments: [
                    "gateway", "--socket", gateway, "--state-dir", states.gateway, "--log-level", "warning", "--panel-timeout-ms",
                    String(panelTimeoutMs),
                ] + services.flatMap { ["--\($0.name)-socket", $0.socket] }
            ))
        var processes: [PanelProcess] = []
        do {
            for command in commands {
                processes.append(PanelProcess(name: command.name, process: try launch(command.name, binary, command.arguments)))
                try await waitUntilHealthy(socket: command.socket, timeout: healthTimeout)
            }
        } catch {
            for process in processes { process.process.stop() }
            throw error
        }
        return processes
    }
}

/// CPU time of the panel benchmark's processes from a starting point.
struct PanelCPU {
    private let processes: [(name: String, pid: Int32)]
    private let start: [CPUTime]
    private let callersStart: CPUTime

    init(_ processes: [(name: String, pid: Int32)]) throws {
        self.processes = processes
        self.start = try processes.map { try processCPUTime($0.pid) }
        self.callersStart = ownCPUTime()
    }

    /// "CPU per panel: gateway … + clients … + tasks … = … µs; callers …" since the start, each
    /// with its time in the kernel (the gateway first, then the services in the order they
    /// started). The callers (this process) share the machine's cores with the services, so
    /// their own CPU is given beside the sum, not in it.
    func perPanel(panels: Int) throws -> String {
        let perProcess = try zip(processes, start).map { (name: $0.name, time: try (processCPUTime($0.pid) - $1).microseconds(per: panels)) }
        let perPanel = perProcess.suffix(1) + perProcess.dropLast()
        let callers = (ownCPUTime() - callersStart).microseconds(per: panels)
        return "CPU per panel: " + perPanel.map { "\($0.name) \($0.time.described)" }.joined(separator: " + ")
            + " = \(format(perPanel.map(\.time.total).reduce(0, +))) µs; callers \(format(callers.total)) µs"
    }
}

/// The panels the benchmark asks for and how their widgets came back.
struct PanelWorkload: Sendable {
    /// Dialogs seeded (`bench-0` …).
    let dialogs: Int
    /// The widgets counted (those of the services started); nil: every widget of the panel.
    let widgets: Set<GatewayV1.WidgetKind>?

    /// A manager with the rights the panel's widgets need.
    static let caller = RPCV1.Caller(managerID: 1, rights: [.editClients, .createTags, .tasks])

    /// The latencies of one run, its rate and its widgets' states.
    struct Run {
        /// Per-call latencies.
        var latencies = LatencySamples()
        /// Completed calls per second.
        var rate = 0.0
        /// The widgets' states.
        var tally: WidgetTally
    }

    /// `calls` panels one after another on one connection; with `onLoop`, the caller runs on
    /// its connection's event loop.
    func sequential(socket: String, calls: Int, onLoop: Bool = false) async throws -> Run {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let client = makeClient(socket, eventLoopGroup: onLoop ? loop : MultiThreadedEventLoopGroup.singleton)
        let run = try await withTaskExecutorPreference(onLoop ? EventLoopTaskExecutor(eventLoop: loop) : nil) {
            var generator = SplitMix64(seed: 17)
            for _ in 0..<min(500, calls) { _ = try await panel(client, &generator) }  // warm-up
            var run = Run(tally: WidgetTally(widgets: widgets))
            run.latencies.reserve(calls)
            let started = ContinuousClock.now
            for _ in 0..<calls {
                let call = ContinuousClock.now
                let panel = try await panel(client, &generator)
                run.latencies.add(call.duration(to: .now))
                run.tally.add(panel)
            }
            run.rate = Double(calls) / started.duration(to: .now).inSeconds
            return run
        }
        await client.close()
        return run
    }

    /// Exactly `panels` panels one after another on one connection (the counted workload).
    func counted(socket: String, panels: Int) async throws {
        let client = makeClient(socket)
        var generator = SplitMix64(seed: 17)
        for _ in 0..<panels { _ = try await panel(client, &generator) }
        await client.close()
    }

    /// The panel of every dialog once, the dialogs split between `callers` concurrent callers.
    func everyDialog(socket: String, callers: Int) async throws {
        let clients = (0..<callers).map { _ in makeClient(socket) }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for (index, client) in clients.enumerated() {
                group.addTask {
                    for dialog in stride(from: index, to: dialogs, by: callers) {
                        var request = GatewayV1.GetPanelRequest()
                        request.dialogID = BenchSeed.dialogID(dialog)
                        _ = try await client.unary(GatewayV1.Gateway.getPanel, request)
                    }
                }
            }
            try await group.waitForAll()
        }
        for client in clients { await client.close() }
    }

    /// `calls` panels from `callers` concurrent callers, each on its own connection; with
    /// `onLoops`, each caller runs on its connection's event loop.
    func concurrent(socket: String, callers: Int, calls: Int, onLoops: Bool = false) async throws -> Run {
        let perCaller = max(1, calls / callers)
        let loops = (0..<callers).map { _ in MultiThreadedEventLoopGroup.singleton.next() }
        let clients = loops.map { makeClient(socket, eventLoopGroup: onLoops ? $0 : MultiThreadedEventLoopGroup.singleton) }
        for (index, client) in clients.enumerated() {
            var generator = SplitMix64(seed: UInt64(index))
            _ = try await panel(client, &generator)
        }
        let started = ContinuousClock.now
        var run = try await withThrowingTaskGroup(of: Run.self) { group in
            for (index, (client, loop)) in zip(clients, loops).enumerated() {
                group.addTask(executorPreference: onLoops ? EventLoopTaskExecutor(eventLoop: loop) : nil) {
                    var generator = SplitMix64(seed: 1000 + UInt64(index))
                    var part = Run(tally: WidgetTally(widgets: widgets))
                    part.latencies.reserve(perCaller)
                    for _ in 0..<perCaller {
                        let call = ContinuousClock.now
                        let panel = try await panel(client, &generator)
                        part.latencies.add(call.duration(to: .now))
                        part.tally.add(panel)
                    }
                    return part
                }
            }
            var all = Run(tally: WidgetTally(widgets: widgets))
            for try await part in group {
                all.latencies.merge(part.latencies)
                all.tally.merge(part.tally)
            }
            return all
        }
        run.rate = Double(run.latencies.count) / started.duration(to: .now).inSeconds
        for client in clients { await client.close() }
        return run
    }

    /// Switches on the summary bot and the site chat modules (off in a new gateway database),
    /// so that the Summary and Visit widgets are composed.
    static func switchOnModules(socket: String) async throws {
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [.admin])
        let client = RPCClient(configuration: configuration)
        var settings = GatewayV1.UpdateSettingsRequest()
        settings.summaryBotEnabled = true
        settings.siteChatEnabled = true
        do {
            _ = try await client.unary(GatewayV1.Gateway.updateSettings, settings)
        } catch {
            await client.close()
            throw error
        }
        await client.close()
    }

    private func makeClient(
        _ socket: String, eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton
    ) -> RPCClient {
        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = Self.caller
        configuration.defaultCallTimeout = .seconds(10)
        return RPCClient(configuration: configuration, eventLoopGroup: eventLoopGroup)
    }

    private func panel(_ client: RPCClient, _ generator: inout SplitMix64) async throws -> GatewayV1.Panel {
        var request = GatewayV1.GetPanelRequest()
        request.dialogID = BenchSeed.dialogID(generator.next(below: dialogs))
        return try await client.unary(GatewayV1.Gateway.getPanel, request)
    }
}

/// Counts of the widgets' states over many panels.
struct WidgetTally: Sendable {
    /// The widgets counted; nil: all.
    let widgets: Set<GatewayV1.WidgetKind>?
    private var counts: [GatewayV1.WidgetKind: [GatewayV1.WidgetState: Int]] = [:]
    private var panels = 0
    private var withoutClient = 0
    /// Panels whose counted widgets all came back OK.
    private(set) var wholePanels = 0
    /// Panels counted.
    var panelCount: Int { panels }

    /// A tally of `widgets` (nil: every widget).
    init(widgets: Set<GatewayV1.WidgetKind>?) {
        self.widgets = widgets
    }

    /// Counts one panel.
    mutating func add(_ panel: GatewayV1.Panel) {
        panels += 1
        if let card = try? ClientsV1.ClientCard(serializedBytes: panel.client?.data ?? []), card.client == nil { withoutClient += 1 }
        var whole = true
        for widget in panel.widgets where widgets?.contains(widget.kind) ?? true {
            counts[widget.kind, default: [:]][widget.state, default: 0] += 1
            if widget.state != .ok { whole = false }
        }
        if whole { wholePanels += 1 }
    }

    /// Adds another tally.
    mutating func merge(_ other: WidgetTally) {
        panels += other.panels
        withoutClient += other.withoutClient
        wholePanels += other.wholePanels
        for (kind, states) in other.counts {
            for (state, count) in states { counts[kind, default: [:]][state, default: 0] += count }
        }
    }

    /// "tags ok 100%, tasks ok 100%, notes ok 100%; 9.8% without a client", naming every
    /// widget the panels showed (in the order of the layout's kinds) and every state that came back.
    var summary: String {
        let widgets = counts.keys.sorted { $0.rawValue < $1.rawValue }.map { kind -> String in
            let states = counts[kind, default: [:]].sorted { $0.value > $1.value }
            let parts = states.map { "\($0.key) \(format(Double($0.value) * 100 / Double(max(1, panels))))%" }
            return "\(kind) " + parts.joined(separator: " ")
        }
        return "[" + (widgets.isEmpty ? "no widgets" : widgets.joined(separator: ", "))
            + "; \(format(Double(withoutClient) * 100 / Double(max(1, panels))))% without a client]"
    }
}
