import ChatPanelProto
public import ChatPanelRPC
import ChatPanelStore
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The kill drill: writes through a real service process with request ids while killing it
/// with SIGKILL at random moments, restarts it, and checks what a client may rely on:
///
/// - every acknowledged write exists exactly once after any number of crashes;
/// - a write whose answer was lost with the process is applied once when retried with its
///   request id after the restart;
/// - a retry of an acknowledged write answers the first answer (the same record id);
/// - `PRAGMA integrity_check` is `ok` after the last crash.
///
/// `make test` runs a few cycles per writing service; `chatpanel-bench crash` runs 1 000.
public enum CrashDrill {
    /// One service's writes: how to make the i-th, and how many records the i-th left.
    public struct Workload: Sendable {
        /// The `chatpaneld` subcommand, also the database's name (`<name>.sqlite`).
        public var service: String
        /// Makes write `index` with `requestID`; returns the id of the record it created.
        public var write: @Sendable (RPCClient, Int, String) async throws -> Int64
        /// How many records write `index` left (1 when applied exactly once).
        public var count: @Sendable (RPCClient, Int) async throws -> Int

        /// A workload from its parts.
        public init(
            service: String, write: @escaping @Sendable (RPCClient, Int, String) async throws -> Int64,
            count: @escaping @Sendable (RPCClient, Int) async throws -> Int
        ) {
            self.service = service
            self.write = write
            self.count = count
        }
    }

    /// What a drill did and found.
    public struct Report: Sendable, CustomStringConvertible {
        public var service: String
        public var cycles = 0
        /// Writes acknowledged before a crash.
        public var acknowledged = 0
        /// Writes whose answer was lost in a crash, applied by a retry after the restart.
        public var recovered = 0
        /// Retries of acknowledged writes that answered the first answer.
        public var replays = 0
        /// Records found more or less than once (must be empty).
        public var wrongCounts: [Int: Int] = [:]
        /// Retries that answered a different record (must be empty).
        public var wrongReplays: [Int] = []
        /// `PRAGMA integrity_check` after the last crash.
        public var integrity: [String] = []

        /// Whether every check held.
        public var passed: Bool { wrongCounts.isEmpty && wrongReplays.isEmpty && integrity == ["ok"] }

        public var description: String {
            "\(service): \(cycles) kills, \(acknowledged) writes acknowledged, \(recovered) lost answers recovered by a retry, "
                + "\(replays) retries answered the first answer; wrong counts \(wrongCounts.count), wrong replays "
                + "\(wrongReplays.count), integrity \(integrity.joined(separator: "; "))"
        }

        /// The first wrong counts (write index: records found) and wrong replays (write indexes).
        public var wrongOnes: String {
            "wrong counts \(wrongCounts.sorted { $0.key < $1.key }.prefix(20)); wrong replays \(wrongReplays.prefix(20))"
        }
    }

    /// The caller of the drill's writes: a manager with every right.
    static let caller = RPCV1.Caller(managerID: 9001, rights: [.admin, .tasks, .createTags, .editClients, .adminTags, .editCatalog])

    /// Notes, one per write, each on a client of its own.
    public static let tasks = Workload(
        service: "tasks",
        write: { client, index, requestID in
            var request = TasksV1.CreateNoteRequest()
            request.clientID = 1_000_000 + Int64(index)
            request.text = "drill note \(index)"
            let response = try await client.unary(
                TasksV1.Tasks.createNote, request, options: RPCCallOptions(timeout: .seconds(5), caller: caller, requestID: requestID))
            return response.note?.noteID ?? 0
        },
        count: { client, index in
            var request = TasksV1.ListNotesRequest()
            request.clientID = 1_000_000 + Int64(index)
            request.pageSize = 10
            let response = try await client.unary(TasksV1.Tasks.listNotes, request, options: RPCCallOptions(caller: caller))
            return response.notes.filter { $0.text == "drill note \(index)" }.count
        })

    /// Tags, one per write.
    public static let clients = Workload(
        service: "clients",
        write: { client, index, requestID in
            var request = ClientsV1.CreateTagRequest()
            request.name = "drill-\(index)"
            let tag = try await client.unary(
                ClientsV1.Clients.createTag, request, options: RPCCallOptions(timeout: .seconds(5), caller: caller, requestID: requestID))
            return tag.tagID
        },
        count: { client, index in
            var request = ClientsV1.AutocompleteTagsRequest()
            request.query = "drill-\(index)"
            request.limit = 50
            let response = try await client.unary(ClientsV1.Clients.autocompleteTags, request, options: RPCCallOptions(caller: caller))
            return response.tags.filter { $0.name == "drill-\(index)" }.count
        })

    /// Orders, one draft per write, each for a client of its own (a client keeps one draft, so
    /// a second create for the same client would be refused, not made twice).
    public static let orders = Workload(
        service: "orders",
        write: { client, index, requestID in
            var request = OrdersV1.CreateOrderRequest()
            request.clientID = 1_000_000 + Int64(index)
            let response = try await client.unary(
                OrdersV1.Orders.createOrder, request, options: RPCCallOptions(timeout: .seconds(5), caller: caller, requestID: requestID))
            return response.order?.orderID ?? 0
        },
        count: { client, index in
            var request = OrdersV1.ListOrdersRequest()
            request.clientID = 1_000_000 + Int64(index)
            request.pageSize = 50
            let response = try await client.unary(OrdersV1.Orders.listOrders, request, options: RPCCallOptions(caller: caller))
            return response.orders.count
        })

    /// Page views from the site tracker, one per write, each of a visitor of its own. The feed is
    /// idempotent by view id rather than by request id: a write answers 1 when its view is stored
    /// (recorded now or known already), and a count of 1 means the view is stored once.
    public static let insights = Workload(
        service: "insights",
        write: { client, index, requestID in
            var view = InsightsV1.PageView()
            view.viewID = "drill-view-\(index)"
            view.visitorID = "drill-visitor-\(index)"
            view.url = "https://shop.example/catalog/\(index)"
            view.title = "Drill page \(index)"
            view.userAgent = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
            view.viewedAtMs = Int64(Date().timeIntervalSince1970 * 1000)
            var request = InsightsV1.RecordPageViewsRequest()
            request.views = [view]
            let response = try await client.unary(
                InsightsV1.Insights.recordPageViews, request,
                options: RPCCallOptions(timeout: .seconds(5), caller: caller, requestID: requestID))
            return Int64(response.recorded + response.alreadyKnown)
        },
        count: { client, index in
            var request = InsightsV1.GetVisitRequest()
            request.visitorID = "drill-visitor-\(index)"
            let response = try await client.unary(InsightsV1.Insights.getVisit, request, options: RPCCallOptions(caller: caller))
            return response.visit?.pages.filter { $0.url == "https://shop.example/catalog/\(index)" }.count ?? 0
        })

    /// The services with a drill, by the `chatpaneld` subcommand that runs them.
    public static let services = ["tasks", "clients", "orders", "insights"]

    /// The drill of `service` (one of ``services``), or nil.
    public static func workload(named service: String) -> Workload? {
        switch service {
        case "tasks": tasks
        case "clients": clients
        case "orders": orders
        case "insights": insights
        default: nil
        }
    }

    /// Runs `cycles` kill cycles of `workload` against `daemon` (the `chatpaneld` binary) with
    /// its state in `directory`; `progress` hears about every 100th cycle.
    public static func run(
        _ workload: Workload, cycles: Int, daemon: String, directory: String, progress: @Sendable (String) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report(service: workload.service)
        let socket = "\(directory)/\(workload.service).sock"
        let state = "\(directory)/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        var answers: [Int: Int64] = [:]  // write index -> record id, for every applied write
        var next = 0
        var generator = SystemRandomNumberGenerator()

        /// Starts the service and retries the writes whose answers the last crash lost: each
        /// must be applied once.
        func restart(_ logName: String) async throws -> (ChildProcess, RPCClient) {
            let process = try ChildProcess.spawn(
                daemon, [workload.service, "--socket", socket, "--state-dir", state, "--log-level", "warning"],
                logPrefix: "\(directory)/\(workload.service)-\(logName)")
            let client = RPCClient(configuration: RPCClientConfiguration(socketPath: socket))
            do {
                try await waitUntilAnswering(client, process: process)
                for index in answers.keys.sorted() where answers[index] == 0 {
                    answers[index] = try await workload.write(client, index, "drill-\(index)")
                    report.recovered += 1
                }
            } catch {
                process.kill()
                await client.close()
                throw error
            }
            return (process, client)
        }

        for cycle in 0..<cycles {
            let (process, client) = try await restart("run")
            defer { process.kill() }
            // A replay of an acknowledged write answers its first answer.
            if let index = answers.keys.randomElement(using: &generator), let first = answers[index] {
                let again = try await workload.write(client, index, "drill-\(index)")
                if again == first { report.replays += 1 } else { report.wrongReplays.append(index) }
            }

            // Write until the kill comes, a few calls at a time.
            let killAfter = Duration.milliseconds(Int.random(in: 20...250, using: &generator))
            let pid = process.pid
            let killer = Task {
                try? await Task.sleep(for: killAfter)
                kill(pid, SIGKILL)
            }
            let first = next
            let outcomes = await withTaskGroup(of: [(Int, Int64?)].self) { group in
                for lane in 0..<4 {
                    group.addTask {
                        var results: [(Int, Int64?)] = []
                        var index = first + lane
                        while true {
                            do {
                                results.append((index, try await workload.write(client, index, "drill-\(index)")))
                            } catch {
                                results.append((index, nil))  // its answer was lost with the process
                                return results
                            }
                            index += 4
                        }
                    }
                }
                return await group.reduce(into: [(Int, Int64?)]()) { $0 += $1 }
            }
            _ = await killer.value
            // Reaped without holding a thread of the cooperative pool (see ChildProcess.exit(within:)).
            _ = try await process.exit(within: .seconds(60))
            await client.close()
            for (index, answer) in outcomes { answers[index] = answer ?? 0 }
            next = (outcomes.map(\.0).max() ?? first) + 1
            report.cycles = cycle + 1
            if (cycle + 1) % 100 == 0 { progress("\(workload.service): \(cycle + 1) kills, \(answers.count) writes") }
        }

        // The last restart: retry what is still uncertain, then count every record.
        let (process, client) = try await restart("final")
        defer { process.kill() }
        for index in answers.keys.sorted() {
            let count = try await workload.count(client, index)
            if count != 1 { report.wrongCounts[index] = count }
            if let first = answers[index], first > 0 {
                let again = try await workload.write(client, index, "drill-\(index)")
                if again != first { report.wrongReplays.append(index) }
            }
        }
        report.acknowledged = answers.values.filter { $0 != 0 }.count
        await client.close()
        process.send(SIGTERM)
        _ = try await process.waitForExit(timeout: .seconds(20))
        report.integrity = try SQLiteStore.integrityCheck(path: "\(state)/\(workload.service).sqlite")
        return report
    }

    /// The drill a test runs: `cycles` kill cycles of `workload` against the built `chatpaneld`,
    /// in a temporary directory of its own.
    public static func drill(_ workload: Workload, cycles: Int) async throws -> Report {
        try await withTemporaryDirectory { dir in
            try await run(workload, cycles: cycles, daemon: Binaries.daemon, directory: dir)
        }
    }

    private static func waitUntilAnswering(_ client: RPCClient, process: ChildProcess) async throws {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if (try? await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest(), options: .init(timeout: .seconds(1)))) != nil {
                return
            }
            if let ended = process.poll() { throw TestSupportFailure("\(process.name) exited (\(ended)): \(process.standardError)") }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportFailure("\(process.name) did not answer within 30 s: \(process.standardError)")
    }
}
