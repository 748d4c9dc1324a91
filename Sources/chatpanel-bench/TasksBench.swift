import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import Foundation
import GRDB
import TasksService

/// `chatpanel-bench tasks`: the tasks widget's list calls against a big database.
///
/// Seeds a tasks database (by default 5 000 000 notes and 2 000 000 tasks over 1 000 000
/// clients, plus the same at a 10× smaller scale), serves it with the real tasks service on a
/// Unix socket, and prints p50/p99 of the widget's list calls: a typical client's first page,
/// and a heavy client's first and deep pages. Every scale holds the same heavy clients (5 000
/// notes and 2 000 tasks each), so the two columns differ only in the database's size: the
/// figures should not grow with it.
struct TasksBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "Benchmarks listing a client's tasks and notes over a big database.")

    @Option(help: "Clients at full scale.") var clients = 1_000_000
    @Option(help: "Notes at full scale.") var notes = 5_000_000
    @Option(help: "Tasks at full scale.") var tasks = 2_000_000
    @Option(help: "The smaller scale is the full one divided by this (1: full scale only).") var smallerBy = 10
    @Option(help: "Timed calls per measurement.") var samples = 3000
    @Option(help: "Where the databases go.") var directory = "/tmp/cp-tasks-bench"
    @Flag(help: "Reuse databases seeded by an earlier run with the same sizes.") var reuse = false
    @Flag(help: "Keep the databases afterwards (for --reuse).") var keep = false

    func run() async throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var scales: [Scale] = []
        if smallerBy > 1 {
            scales.append(Scale(clients: clients / smallerBy, notes: notes / smallerBy, tasks: tasks / smallerBy))
        }
        scales.append(Scale(clients: clients, notes: notes, tasks: tasks))
        print("Tasks benchmark: the real tasks service over a Unix socket, sequential calls, \(samples) timed calls each")
        print("heavy clients: \(Scale.heavyClients) per scale, \(Scale.heavyNotes) notes and \(Scale.heavyTasks) tasks each\n")

        var results: [[(String, LatencySamples)]] = []
        for scale in scales {
            let path = "\(directory)/tasks-\(scale.clients)-\(scale.notes)-\(scale.tasks).sqlite"
            if !(reuse && FileManager.default.fileExists(atPath: path)) {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
                let store = try TasksStore(path: path)
                let (_, elapsed) = try await measure { try await Self.seed(store, scale) }
                let seconds = elapsed.inSeconds
                print(
                    "seeded \(scale.label) in \(format(seconds)) s (\(Int(Double(scale.notes + scale.tasks) / seconds)) rows/s), "
                        + "\(fileSize(path) / 1_048_576) MiB")
            }
            let store = try TasksStore(path: path)
            results.append(try await measureCalls(store, scale))
            if !keep {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
        }

        print("\n" + pad("call", 46) + scales.map { pad($0.label, 36) }.joined())
        for (index, (name, _)) in results[0].enumerated() {
            print(
                pad(name, 46)
                    + results.map { pad("\(format($0[index].1.percentile(50))) / \(format($0[index].1.percentile(99))) µs", 36) }.joined())
        }
        print("\n(p50 / p99 per call, client and server on this machine's 2 vCPUs, unpinned)")
    }

    /// Times the widget's list calls on `store` over a live socket.
    private func measureCalls(_ store: TasksStore, _ scale: Scale) async throws -> [(String, LatencySamples)] {
        // Deep-page cursors, read straight from the database: 800 open tasks and 3 000 notes in.
        let deep: [(task: String, note: String)] = try await store.database.read { db in
            try (1...Int64(Scale.heavyClients)).map { client in
                let task = try Row.fetchOne(
                    db,
                    sql: "SELECT deadline_ms, id FROM task WHERE client_id = ? AND status = 1 ORDER BY deadline_ms, id LIMIT 1 OFFSET 799",
                    arguments: [client])!
                let note = try Row.fetchOne(
                    db,
                    sql: "SELECT created_at_ms, id FROM note WHERE client_id = ? ORDER BY created_at_ms DESC, id DESC LIMIT 1 OFFSET 2999",
                    arguments: [client])!
                return (
                    TaskCursor(clientID: client, view: .all, deadlineSortKey: task[0], taskID: task[1]).token,
                    NoteCursor(clientID: client, createdAtMilliseconds: note[0], noteID: note[1]).token
                )
            }
        }
        let samples = self.samples
        return try await withTemporaryDirectory { socketDirectory in
            try await withLiveServer(
                router: TasksService(store: store, logger: testLogger("tasks")).makeRouter(), in: socketDirectory, name: "tasks"
            ) { _, socket in
                var configuration = RPCClientConfiguration(socketPath: socket)
                configuration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [.tasks])
                let client = RPCClient(configuration: configuration)
                var random = SplitMix64(seed: 7)
                func typical() -> Int64 {
                    Int64(Scale.heavyClients) + 1 + Int64(random.next() % UInt64(scale.clients - Scale.heavyClients))
                }
                func heavy() -> Int { Int(random.next() % UInt64(Scale.heavyClients)) }

                func time(_ call: () async throws -> Int) async throws -> LatencySamples {
                    for _ in 0..<min(500, samples) { _ = try await call() }
                    var result = LatencySamples()
                    result.reserve(samples)
                    var listed = 0
                    for _ in 0..<samples {
                        let start = ContinuousClock.now
                        listed += try await call()
                        result.add(start.duration(to: .now))
                    }
                    guard listed > 0 else { throw ValidationError("a measured call listed nothing") }
                    return result
                }
                func tasks(_ client: Int64, view: TasksV1.TaskView = .all, token: String = "", since: Int64? = nil)
                    -> TasksV1.ListTasksRequest
                {
                    var request = TasksV1.ListTasksRequest()
                    request.clientID = client
                    request.view = view
                    request.pageToken = token
                    request.completedSinceMs = since
                    return request
                }
                func notes(_ client: Int64, token: String = "") -> TasksV1.ListNotesRequest {
                    var request = TasksV1.ListNotesRequest()
                    request.clientID = client
                    request.pageToken = token
                    return request
                }
                let since = UTCMilliseconds.now() - 3_600_000
                var results: [(String, LatencySamples)] = []
                results.append(
                    (
                        "ListTasks first page, typical client",
                        try await time {
                            try await client.unary(TasksV1.Tasks.listTasks, tasks(typical())).tasks.count + 1
                        }
                    ))
                results.append(
                    (
                        "ListTasks first page, heavy client",
                        try await time {
                            try await client.unary(TasksV1.Tasks.listTasks, tasks(Int64(heavy() + 1))).tasks.count
                        }
                    ))
                results.append(
                    (
                        "ListTasks first page + completed since, heavy",
                        try await time {
                            try await client.unary(TasksV1.Tasks.listTasks, tasks(Int64(heavy() + 1), since: since)).tasks.count
                        }
                    ))
                results.append(
                    (
                        "ListTasks \"Mine\" first page, heavy client",
                        try await time {
                            try await client.unary(TasksV1.Tasks.listTasks, tasks(Int64(heavy() + 1), view: .mine)).tasks.count
                        }
                    ))
                results.append(
                    (
                        "ListTasks deep page (800 in), heavy client",
                        try await time {
                            let index = heavy()
                            return try await client.unary(TasksV1.Tasks.listTasks, tasks(Int64(index + 1), token: deep[index].task)).tasks
                                .count
                        }
                    ))
                results.append(
                    (
                        "ListNotes first page, typical client",
                        try await time {
                            try await client.unary(TasksV1.Tasks.listNotes, notes(typical())).notes.count + 1
                        }
                    ))
                results.append(
                    (
                        "ListNotes first page, heavy client",
                        try await time {
                            try await client.unary(TasksV1.Tasks.listNotes, notes(Int64(heavy() + 1))).notes.count
                        }
                    ))
                results.append(
                    (
                        "ListNotes deep page (3000 in), heavy client",
                        try await time {
                            let index = heavy()
                            return try await client.unary(TasksV1.Tasks.listNotes, notes(Int64(index + 1), token: deep[index].note)).notes
                                .count
                        }
                    ))
                await client.close()
                return results
            }
        }
    }

    /// Fills `store` with `scale`'s clients, notes and tasks: a few big transactions of
    /// prepared inserts, in client order (so every index grows at its end).
    static func seed(_ store: TasksStore, _ scale: Scale) async throws {
        let texts = NoteTexts()
        let now = UTCMilliseconds.now()
        let chunk = 50_000
        let started = ContinuousClock.now
        var done = 0
        var firstClient = 1
        while firstClient <= scale.clients {
            let range = firstClient...min(scale.clients, firstClient + chunk - 1)
            try await store.database.write { db in
                try db.execute(sql: "PRAGMA cache_size = -262144")
                let note = try db.makeStatement(
                    sql: "INSERT INTO note (client_id, author_id, text, length, created_at_ms) VALUES (?, ?, ?, ?, ?)")
                let task = try db.makeStatement(
                    sql: """
                        INSERT INTO task (client_id, order_number, title, text, deadline_ms, deadline_time_zone, performer_id, author_id,
                            status, created_at_ms, updated_at_ms, completed_at_ms, completed_by_id, version)
                        VALUES (?, NULL, ?, '', ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)
                        """)
                var random = SplitMix64(seed: UInt64(range.lowerBound))
                for client in range {
                    let (noteCount, taskCount) = scale.records(of: client)
                    var created = now - 730 * 86_400_000 + Int64(random.next() % 86_400_000)
                    for _ in 0..<noteCount {
                        created += 1 + Int64(random.next() % 3_600_000)
                        let (text, length) = texts.pick(&random)
                        note.setUncheckedArguments([client, 1 + Int64(random.next() % 50), text, length, created])
                        try note.execute()
                    }
                    for index in 0..<taskCount {
                        let roll = random.next() % 100
                        let author = 1 + Int64(random.next() % 20)
                        let performer = roll % 4 == 0 ? author : 1 + Int64(random.next() % 20)
                        let undated = roll < 15
                        let completed = roll >= 75
                        let deadline =
                            undated ? TaskCursor.noDeadlineSortKey : now + Int64(random.next() % (400 * 86_400_000)) - 200 * 86_400_000
                        let createdAt = now - Int64(random.next() % (300 * 86_400_000))
                        let completedAt: Int64? = completed ? createdAt + Int64(random.next() % 86_400_000) : nil
                        task.setUncheckedArguments([
                            client, "Перезвонить клиенту №\(index)", deadline, undated ? "" : "Europe/Moscow", performer, author,
                            completed ? 2 : 1, createdAt, completedAt ?? createdAt, completedAt, completed ? performer : nil,
                        ])
                        try task.execute()
                    }
                }
            }
            done = range.upperBound
            firstClient = range.upperBound + 1
            let elapsed = started.duration(to: .now)
            print("  \(scale.label): \(done) / \(scale.clients) clients seeded, \(elapsed.components.seconds) s")
        }
        try await store.database.write { db in try db.execute(sql: "ANALYZE") }
    }

    private func fileSize(_ path: String) -> Int {
        ["", "-wal"].reduce(0) { total, suffix in
            total + ((try? FileManager.default.attributesOfItem(atPath: path + suffix)[.size] as? Int) ?? 0)
        }
    }
}

extension TasksBench {
    /// How many clients, notes and tasks one run seeds, and who holds them.
    struct Scale {
        /// Clients 1...heavyClients hold many records at every scale (the deep pages).
        static let heavyClients = 20
        /// Notes of each heavy client.
        static let heavyNotes = 5000
        /// Tasks of each heavy client.
        static let heavyTasks = 2000

        /// Clients 1...clients.
        let clients: Int
        /// Notes over every client.
        let notes: Int
        /// Tasks over every client.
        let tasks: Int

        /// "100k clients, 500k notes, 200k tasks", as seeded (the heavy clients' records at least).
        var label: String {
            let seededNotes = max(notes, Self.heavyClients * Self.heavyNotes)
            let seededTasks = max(tasks, Self.heavyClients * Self.heavyTasks)
            return "\(clients / 1000)k clients, \(seededNotes / 1000)k notes, \(seededTasks / 1000)k tasks"
        }

        /// The notes and tasks of `client`: the heavy ones hold their fixed share, the rest is
        /// spread evenly over everyone else.
        func records(of client: Int) -> (notes: Int, tasks: Int) {
            if client <= Self.heavyClients { return (Self.heavyNotes, Self.heavyTasks) }
            let others = clients - Self.heavyClients
            let index = client - Self.heavyClients - 1
            func share(_ total: Int, heavyEach: Int) -> Int {
                let rest = max(0, total - Self.heavyClients * heavyEach)
                return rest / others + (index < rest % others ? 1 : 0)
            }
            return (share(notes, heavyEach: Self.heavyNotes), share(tasks, heavyEach: Self.heavyTasks))
        }
    }

    /// Note texts of every length a widget meets (short, a few lines, near the 2000-character limit),
    /// in Russian as the CRM's managers write them.
    struct NoteTexts {
        private let texts: [(String, Int64)]

        /// The texts, with their lengths in characters.
        init() {
            let sentences = [
                "Клиент просит перезвонить после 18:00.", "Интересуется доставкой в Казань.", "Постоянный покупатель, скидка 5%.",
                "Не любит звонки, пишите в мессенджер.", "Заказ №1042 вернули, размер не подошёл.",
                "Хочет подарочную упаковку к 8 марта 🎁.", "Оплата только картой курьеру.",
            ]
            var texts: [(String, Int64)] = []
            // Mostly a sentence or two; now and then a long one (cut in lists), rarely one near the limit.
            let sentenceCounts = Array(repeating: 1, count: 40) + Array(repeating: 2, count: 14) + [3, 3, 3, 4, 4, 6, 10, 10, 10, 50]
            for count in sentenceCounts {
                let text = (0..<count).map { sentences[($0 * 3 + count) % sentences.count] }.joined(separator: " ")
                let cut = String(text.prefix(2000))
                texts.append((cut, Int64(cut.count)))
            }
            self.texts = texts
        }

        /// One of the texts, at random.
        func pick(_ random: inout SplitMix64) -> (String, Int64) {
            texts[Int(random.next() % UInt64(texts.count))]
        }
    }
}
