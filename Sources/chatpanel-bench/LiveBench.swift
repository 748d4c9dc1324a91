import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import Foundation
import Synchronization

/// `chatpanel-bench live`: open panel watches through the real gateway, clients and tasks
/// processes while a stream of changes is committed straight on the tasks service (notes on
/// the watched dialogs' clients, at a fixed rate whatever the answers' pace).
///
/// Prints the latency from a change's commit (its `changed_at_ms`, the service's clock) to the
/// watcher's receipt, p50 and p99 over every widget update received (a coalesced update counts
/// from its oldest change), how many changes and updates there were, and the gateway's resident
/// memory (VmRSS from /proc) before the watches, with them open, and after the changes.
struct LiveBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "live", abstract: "Benchmarks WatchPanel: commit-to-receipt latency and the gateway's memory.")

    @Option(help: "Open watches.") var watches = 1_000
    @Option(help: "Dialogs watched (each by watches/dialogs managers).") var dialogs = 200
    @Option(help: "Changes committed per second.") var rate = 500
    @Option(help: "Seconds of changes.") var seconds = 20
    @Option(help: "Connections to the gateway the watches share (256 calls in flight at most on each).") var connections = 8
    @Option(help: "Where the databases and logs go.") var directory = "/tmp/cp-live-bench"
    @Option(help: "The chatpaneld binary (default: next to this one).") var daemon: String?

    func run() async throws {
        try? FileManager.default.removeItem(atPath: directory)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let binary = daemon ?? siblingExecutable("chatpaneld")
        let socket = { (name: String) in "\(directory)/\(name).sock" }
        var processes: [BenchProcess] = []
        defer { for process in processes.reversed() { process.stop() } }
        for name in ["clients", "tasks"] {
            processes.append(
                try BenchProcess.start(
                    binary, [name, "--socket", socket(name), "--state-dir", "\(directory)/\(name)", "--log-level", "warning"]))
        }
        let gatewayProcess = try BenchProcess.start(
            binary,
            [
                "gateway", "--socket", socket("gateway"), "--state-dir", "\(directory)/gateway", "--log-level", "warning",
                "--clients-socket", socket("clients"), "--tasks-socket", socket("tasks"),
            ])
        processes.append(gatewayProcess)
        for name in ["clients", "tasks", "gateway"] { try await waitUntilHealthy(socket: socket(name), timeout: .seconds(60)) }
        let gatewayPID = gatewayProcess.processIdentifier
        print("live benchmark: \(watches) watches over \(dialogs) dialogs, \(rate) changes/s for \(seconds) s (folder \(directory))")

        let seeding = RPCClient(configuration: RPCClientConfiguration(socketPath: socket("clients")))
        let writer = RPCClient(configuration: RPCClientConfiguration(socketPath: socket("tasks")))
        let admin = RPCCallOptions(timeout: .seconds(30), caller: RPCV1.Caller(managerID: 1, rights: [.editClients, .tasks]))
        var clientIDs: [Int64] = []
        for index in 0..<dialogs {
            var dialog = ClientsV1.UpsertDialogRequest()
            dialog.dialogID = "live-\(index)"
            dialog.channel = "telegram"
            dialog.externalLogin = "@live\(index)"
            dialog.displayName = "Клиент \(index)"
            _ = try await seeding.unary(ClientsV1.Clients.upsertDialog, dialog, options: admin)
            var save = ClientsV1.SaveClientFromDialogRequest()
            save.dialogID = dialog.dialogID
            clientIDs.append(try await seeding.unary(ClientsV1.Clients.saveClientFromDialog, save, options: admin).client?.clientID ?? 0)
        }
        await seeding.close()
        let rssBefore = residentKilobytes(gatewayPID)

        let gateways = (0..<max(1, connections)).map { _ in
            RPCClient(configuration: RPCClientConfiguration(socketPath: socket("gateway")))
        }
        let receipts = LiveReceipts()
        let readers = (0..<watches).map { index in
            var request = GatewayV1.WatchPanelRequest()
            request.dialogID = "live-\(index % dialogs)"
            let caller = RPCV1.Caller(managerID: Int64(100 + index), rights: [.editClients, .tasks])
            let updates = gateways[index % gateways.count].serverStreaming(
                GatewayV1.Gateway.watchPanel, request, options: RPCCallOptions(timeout: .seconds(3600), caller: caller))
            return Task {
                do {
                    for try await update in updates { receipts.add(update) }
                } catch {
                    receipts.failed(error)
                }
            }
        }
        defer { for reader in readers { reader.cancel() } }
        let opened = ContinuousClock.now
        while receipts.wholePanels < watches, opened.duration(to: .now) < .seconds(120), receipts.failures == 0 {
            try await Task.sleep(for: .milliseconds(50))
        }
        print(
            "  \(receipts.wholePanels) watches open in \(format(opened.duration(to: .now).inSeconds)) s"
                + (receipts.failures > 0 ? ", \(receipts.failures) failed: \(receipts.firstError)" : ""))
        let rssOpen = residentKilobytes(gatewayPID)
        receipts.startMeasuring()

        // Open loop: change i is due at i / rate seconds, whatever the answers' pace.
        let total = rate * seconds
        let perSecond = Int64(rate)
        let clients = clientIDs
        let started = ContinuousClock.now
        let next = LiveCounter()
        let failedWrites = LiveCounter()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<16 {
                group.addTask {
                    while true {
                        let index = next.increment()
                        guard index < total else { return }
                        let due = started + .microseconds(Int64(index) * 1_000_000 / perSecond)
                        if due > .now { try await Task.sleep(until: due, clock: .continuous) }
                        var note = TasksV1.CreateNoteRequest()
                        note.clientID = clients[index % clients.count]
                        note.text = "изменение \(index)"
                        do {
                            _ = try await writer.unary(TasksV1.Tasks.createNote, note, options: admin)
                        } catch {
                            _ = failedWrites.increment()
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let writing = started.duration(to: .now)
        try await Task.sleep(for: .seconds(2))  // the last updates arrive
        let rssAfter = residentKilobytes(gatewayPID)
        let latencies = receipts.latencies
        print(
            "  \(total) changes in \(format(writing.inSeconds)) s (\(Int(Double(total) / writing.inSeconds))/s"
                + "\(failedWrites.value > 0 ? ", \(failedWrites.value) failed" : ""))"
                + "; \(latencies.count) widget updates received, \(receipts.wholePanelsMeasured) whole panels")
        print("  commit to receipt: p50 \(format(latencies.percentile(50) / 1000)) ms, p99 \(format(latencies.percentile(99) / 1000)) ms")
        print(
            "  gateway RSS: \(rssBefore / 1024) MiB before the watches, \(rssOpen / 1024) MiB with them open, \(rssAfter / 1024) MiB after the changes"
        )
        for gateway in gateways { await gateway.close() }
        await writer.close()
    }

    /// VmRSS of a process in KiB (0 when unreadable).
    private func residentKilobytes(_ pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return 0 }
        for line in status.split(separator: "\n") where line.hasPrefix("VmRSS:") {
            return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
        }
        return 0
    }
}

/// What the watchers received.
final class LiveReceipts: Sendable {
    private struct State {
        var wholePanels = 0
        var wholePanelsMeasured = 0
        var measuring = false
        var latencies = LatencySamples()
        var failures = 0
        var firstError = ""
    }

    private let state = Mutex(State())

    func add(_ update: GatewayV1.PanelUpdate) {
        let receivedMs = Date().timeIntervalSince1970 * 1000
        state.withLock { state in
            if update.panel != nil {
                state.wholePanels += 1
                if state.measuring { state.wholePanelsMeasured += 1 }
            }
            guard state.measuring, update.changedAtMs > 0 else { return }
            state.latencies.add(.microseconds(Int64((receivedMs - Double(update.changedAtMs)) * 1000)))
        }
    }

    func failed(_ error: any Error) {
        state.withLock { state in
            state.failures += 1
            if state.firstError.isEmpty { state.firstError = "\(error)" }
        }
    }

    func startMeasuring() { state.withLock { $0.measuring = true } }

    var wholePanels: Int { state.withLock { $0.wholePanels } }
    var wholePanelsMeasured: Int { state.withLock { $0.wholePanelsMeasured } }
    var failures: Int { state.withLock { $0.failures } }
    var firstError: String { state.withLock { $0.firstError } }
    var latencies: LatencySamples { state.withLock { $0.latencies } }
}

/// A counter shared by the writers.
final class LiveCounter: Sendable {
    private let count = Atomic<Int>(0)

    /// Adds one; answers the value before.
    func increment() -> Int { count.wrappingAdd(1, ordering: .relaxed).oldValue }

    /// The value now.
    var value: Int { count.load(ordering: .relaxed) }
}
