import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import ClientsService
import Foundation
import GRDB
import Synchronization

/// `chatpanel-bench clients`: seeds a clients database at scale, runs the real clients
/// process (`chatpaneld clients`) over its socket, and prints the p50/p99 of the panel's reads
/// and the run time of deleting a tag attached to half the clients while reads go on.
///
/// Run it at 1 000 000 and at 10 000 clients (`--clients 10000`) to see that reads stay flat
/// as the data grows: every read is index-driven.
struct ClientsBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "clients", abstract: "Benchmarks the clients service at scale (reads, tag autocomplete, the tag delete job).")

    @Option(help: "Clients to seed.")
    var clients = 1_000_000

    @Option(help: "Dialogs to seed (default: a fifth of the clients).")
    var dialogs: Int?

    @Option(help: "Tags to seed.")
    var tags = 10_000

    @Option(help: "Sequential calls measured per read.")
    var samples = 2_000

    @Option(help: "Client-tag links the delete job removes per transaction.")
    var batchSize = 5_000

    @Option(help: "The chatpaneld binary (default: next to this one).")
    var daemon: String?

    @Flag(help: "Keep the temporary folder (database and logs).")
    var keep = false

    @Flag(help: "Skip the tag delete job.")
    var skipJob = false

    @Option(help: "Measure only the reads whose title contains this text (like \"Card\").")
    var only: String?

    func run() async throws {
        let directory = "/tmp/cp-bench-clients-\(getpid())"
        let state = "\(directory)/state"
        try FileManager.default.createDirectory(atPath: state, withIntermediateDirectories: true)
        defer { if !keep { try? FileManager.default.removeItem(atPath: directory) } }
        let dialogCount = dialogs ?? max(1, clients / 5)
        let path = "\(state)/clients.sqlite"

        print("clients benchmark: \(clients) clients, \(dialogCount) dialogs, \(tags) tags (folder \(directory))")
        // Migrate with the service's own store, then seed the same schema directly.
        _ = try ClientsStore(path: path)
        let seedTime = try measureSync { try BenchSeed(clients: clients, dialogs: dialogCount, tags: tags).write(to: path) }
        let size = ((try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0) / 1_048_576
        print("seeded in \(format(seedTime.inSeconds)) s; database \(size) MiB")

        let socket = "\(directory)/clients.sock"
        let server = try BenchProcess.start(
            daemon ?? siblingExecutable("chatpaneld"),
            ["clients", "--socket", socket, "--state-dir", state, "--log-level", "warning", "--tag-job-batch-size", String(batchSize)])
        defer { server.stop() }
        try await waitUntilHealthy(socket: socket, timeout: .seconds(60))

        var configuration = RPCClientConfiguration(socketPath: socket)
        configuration.defaultCaller = RPCV1.Caller(managerID: 1, rights: [.admin])
        configuration.defaultCallTimeout = .seconds(30)
        let client = RPCClient(configuration: configuration)
        let workload = ReadWorkload(clients: clients, dialogs: dialogCount, tags: tags)
        _ = try await client.unary(HealthV1.Health.check, HealthV1.HealthCheckRequest())

        print("\nreads, \(samples) sequential calls each, one connection (client and server share the 2 vCPUs, unpinned):")
        var results: [(String, LatencySamples)] = []
        for read in ReadWorkload.Read.allCases where only.map({ read.title.contains($0) }) ?? true {
            var generator = SplitMix64(seed: 7)
            for _ in 0..<200 { try await workload.call(read, client, &generator) }  // warm-up
            var latencies = LatencySamples()
            latencies.reserve(samples)
            for _ in 0..<samples {
                let start = ContinuousClock.now
                try await workload.call(read, client, &generator)
                latencies.add(start.duration(to: .now))
            }
            results.append((read.title, latencies))
            print("  " + pad(read.title, 44) + latencies.summary)
        }

        if !skipJob { try await deleteJob(client: client, workload: workload) }
        await client.close()
    }

    /// Deletes the tag on half the clients while one task reads and another tags clients.
    private func deleteJob(client: RPCClient, workload: ReadWorkload) async throws {
        var spec = ClientsV1.TagJobSpec()
        spec.tagID = BenchSeed.bigTagID
        spec.action = .delete
        var preview = ClientsV1.PreviewTagJobRequest()
        preview.spec = spec
        let previewed = try await client.unary(ClientsV1.Clients.previewTagJob, preview)
        print("\ntag delete job: \(previewed.confirmation)")
        var start = ClientsV1.StartTagJobRequest()
        start.spec = spec
        start.confirmed = true
        let wallStart = ContinuousClock.now
        let job = try await client.unary(ClientsV1.Clients.startTagJob, start, options: RPCCallOptions(requestID: "bench-delete"))

        let (reads, writes, finished) = try await withThrowingTaskGroup(of: (LatencySamples?, LatencySamples?, ClientsV1.TagJob?).self) {
            group in
            let running = RunningFlag()
            group.addTask {
                var generator = SplitMix64(seed: 11)
                var latencies = LatencySamples()
                let mix: [ReadWorkload.Read] = [.card, .autocomplete, .duplicates, .filterOneTag]
                var index = 0
                while running.isSet {
                    let call = ContinuousClock.now
                    try await workload.call(mix[index % mix.count], client, &generator)
                    latencies.add(call.duration(to: .now))
                    index += 1
                }
                return (latencies, nil, nil)
            }
            group.addTask {
                var generator = SplitMix64(seed: 13)
                var latencies = LatencySamples()
                while running.isSet {
                    var attach = ClientsV1.AttachTagRequest()
                    attach.clientID = Int64(generator.next(below: workload.clients)) + 1
                    attach.tagID = Int64(generator.next(below: workload.tags - 2)) + 3
                    let call = ContinuousClock.now
                    _ = try await client.unary(ClientsV1.Clients.attachTag, attach)
                    latencies.add(call.duration(to: .now))
                    try await Task.sleep(for: .milliseconds(20))
                }
                return (nil, latencies, nil)
            }
            group.addTask {
                var request = ClientsV1.GetTagJobRequest()
                request.jobID = job.jobID
                var lastPrinted = ContinuousClock.now
                while true {
                    let current = try await client.unary(ClientsV1.Clients.getTagJob, request)
                    if current.state == .done || current.state == .failed {
                        running.clear()
                        return (nil, nil, current)
                    }
                    if lastPrinted.duration(to: .now) > .seconds(2) {
                        print("  … \(current.clientsDone)/\(current.clientsTotal) clients")
                        lastPrinted = .now
                    }
                    try await Task.sleep(for: .milliseconds(50))
                }
            }
            var reads = LatencySamples()
            var writes = LatencySamples()
            var finished: ClientsV1.TagJob?
            for try await (r, w, f) in group {
                if let r { reads = r }
                if let w { writes = w }
                if let f { finished = f }
            }
            return (reads, writes, finished)
        }
        let wall = wallStart.duration(to: .now)
        guard let finished else { throw ValidationError("the job did not finish") }
        let serverMs = finished.finishedAtMs - finished.startedAtMs
        print(
            "  job \(finished.state == .done ? "done" : "FAILED \(finished.error)"): \(finished.clientsDone) links removed in \(serverMs) ms "
                + "(\(format(wall.inSeconds)) s from the start call to seeing it done), batches of \(batchSize)")
        print("  " + pad("reads during the job (card/autocomplete/dup/filter)", 56) + reads.summary)
        print("  " + pad("AttachTag during the job (one every 20 ms)", 56) + writes.summary)
    }
}

/// The reads the benchmark measures, with their random inputs.
struct ReadWorkload: Sendable {
    /// One measured read.
    enum Read: CaseIterable {
        /// The reads, in the order they are measured.
        case card, cardByClient, autocomplete, duplicates, filterOneTag, filterTwoTags, filterDialogs, findByPhone

        /// How the read is printed.
        var title: String {
            switch self {
            case .card: "GetClientCard (dialog)"
            case .cardByClient: "GetClientCard (client)"
            case .autocomplete: "AutocompleteTags (2–5 letters, any case)"
            case .duplicates: "ListDuplicates (client)"
            case .filterOneTag: "ListClients by 1 tag (page 50)"
            case .filterTwoTags: "ListClients by 2 tags, ALL (page 50)"
            case .filterDialogs: "ListDialogs by 1 tag (page 50)"
            case .findByPhone: "ListClients by phone"
            }
        }
    }

    /// Seeded clients.
    let clients: Int
    /// Seeded dialogs.
    let dialogs: Int
    /// Seeded tags.
    let tags: Int

    /// Makes one call of `read` with random inputs.
    func call(_ read: Read, _ client: RPCClient, _ generator: inout SplitMix64) async throws {
        switch read {
        case .card:
            var request = ClientsV1.GetClientCardRequest()
            request.target = .dialogID(BenchSeed.dialogID(generator.next(below: dialogs)))
            _ = try await client.unary(ClientsV1.Clients.getClientCard, request)
        case .cardByClient:
            var request = ClientsV1.GetClientCardRequest()
            request.target = .clientID(Int64(generator.next(below: clients)) + 1)
            _ = try await client.unary(ClientsV1.Clients.getClientCard, request)
        case .autocomplete:
            var request = ClientsV1.AutocompleteTagsRequest()
            let name = BenchSeed.tagName(generator.next(below: tags - 2) + 2)
            let letters = Array(name)
            let length = 2 + generator.next(below: 4)
            let start = generator.next(below: max(1, letters.count - length))
            let fragment = String(letters[start..<min(letters.count, start + length)])
            request.query = generator.next(below: 2) == 0 ? fragment.uppercased() : fragment
            _ = try await client.unary(ClientsV1.Clients.autocompleteTags, request)
        case .duplicates:
            var request = ClientsV1.ListDuplicatesRequest()
            request.target = .clientID(Int64(generator.next(below: clients)) + 1)
            _ = try await client.unary(ClientsV1.Clients.listDuplicates, request)
        case .filterOneTag:
            var request = ClientsV1.ListClientsRequest()
            request.tagIDs = [generator.next(below: 2) == 0 ? BenchSeed.regularTagID : Int64(generator.next(below: tags - 2)) + 3]
            _ = try await client.unary(ClientsV1.Clients.listClients, request)
        case .filterTwoTags:
            var request = ClientsV1.ListClientsRequest()
            request.tagIDs = [BenchSeed.regularTagID, BenchSeed.bigTagID]
            if generator.next(below: 2) == 0 { request.tagIDs[1] = Int64(generator.next(below: tags - 2)) + 3 }
            _ = try await client.unary(ClientsV1.Clients.listClients, request)
        case .filterDialogs:
            var request = ClientsV1.ListDialogsRequest()
            request.tagIDs = [BenchSeed.regularTagID]
            _ = try await client.unary(ClientsV1.Clients.listDialogs, request)
        case .findByPhone:
            var request = ClientsV1.ListClientsRequest()
            request.query = "+" + BenchSeed.phone(generator.next(below: clients) + 1)
            _ = try await client.unary(ClientsV1.Clients.listClients, request)
        }
    }
}

/// Writes the benchmark's data set straight into a migrated clients database, in one
/// transaction with prepared statements (the schema of migration `clients.v1`).
///
/// Client `i` (1-based) has one phone (every third a second one; every hundredth shares its
/// first phone with client `i-1`), an email for 60% (every fiftieth shared with `i-1`), the
/// big tag (id 1) when `i` is even, the regular tag (id 2) when `i` is a multiple of 10, and
/// one random other tag. Each dialog has a random client's contact data and is linked to that
/// client, except every tenth, which is not saved yet.
struct BenchSeed {
    /// The tag on half the clients, deleted by the job.
    static let bigTagID: Int64 = 1
    /// The tag on a tenth of the clients.
    static let regularTagID: Int64 = 2

    /// Clients to write.
    let clients: Int
    /// Dialogs to write.
    let dialogs: Int
    /// Tags to write.
    let tags: Int

    /// The words tag names are made of (Russian and English, as CRM users write them).
    static let words = [
        "постоянный", "оптовый", "новый", "важный", "холодный", "тёплый", "горячий", "спящий", "ушедший", "вернувшийся",
        "москва", "питер", "казань", "сибирь", "урал", "юг", "север", "запад", "восток", "центр",
        "доставка", "самовывоз", "рассрочка", "кредит", "предоплата", "скидка", "бонус", "подарок", "акция", "распродажа",
        "жалоба", "отзыв", "возврат", "обмен", "гарантия", "ремонт", "сервис", "монтаж", "консультация", "замер",
        "юрлицо", "физлицо", "ип", "партнёр", "дилер", "агент", "блогер", "сотрудник", "родственник", "друг",
        "vip", "b2b", "b2c", "premium", "gold", "silver", "bronze", "loyal", "new", "lost",
        "instagram", "telegram", "whatsapp", "vk", "site", "avito", "ozon", "wildberries", "yandex", "google",
        "email", "sms", "call", "chat", "push", "referral", "promo", "coupon", "cashback", "points",
        "kids", "sport", "home", "garden", "auto", "beauty", "health", "books", "music", "games",
        "spring", "summer", "autumn", "winter", "black", "friday", "sale", "outlet", "test", "archive",
    ]
    /// First names of seeded clients.
    static let firstNames = [
        "Иван", "Пётр", "Анна", "Мария", "Сергей", "Ольга", "Дмитрий", "Елена", "Алексей", "Наталья", "Андрей", "Татьяна",
    ]
    /// Last names of seeded clients.
    static let lastNames = ["Иванов", "Петров", "Смирнов", "Кузнецов", "Попов", "Васильев", "Соколов", "Михайлов", "Новиков", "Фёдоров"]

    /// Tag `index` (0-based; id `index + 1`): a unique two-word name.
    static func tagName(_ index: Int) -> String {
        if index == 0 { return "Удаляемый" }
        if index == 1 { return "Постоянный клиент" }
        let first = words[index % words.count]
        let second = words[(index / words.count) % words.count]
        let round = index / (words.count * words.count)
        return "\(first) \(second)" + (round > 0 ? " \(round)" : "")
    }

    /// Client `i`'s first phone, digits with the country code.
    static func phone(_ client: Int) -> String {
        let owner = client % 100 == 0 ? client - 1 : client
        return "79" + String(format: "%09d", owner * 7919 % 1_000_000_000)
    }

    /// Dialog number `index`'s id.
    static func dialogID(_ index: Int) -> String { "bench-\(index)" }

    /// Writes everything into the migrated database at `path`.
    func write(to path: String) throws {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = OFF; PRAGMA cache_size = -1048576; PRAGMA temp_store = MEMORY")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var generator = SplitMix64(seed: 1)
        var tagOf = [Int](repeating: 0, count: clients + 1)
        var counts = [Int64](repeating: 0, count: tags + 1)
        for client in 1...clients {
            if client % 2 == 0 { counts[1] += 1 }
            if client % 10 == 0 { counts[2] += 1 }
            tagOf[client] = tags > 2 ? 3 + generator.next(below: tags - 2) : 0
            if tagOf[client] > 0 { counts[tagOf[client]] += 1 }
        }
        try queue.write { db in
            let tag = try db.makeStatement(
                sql: "INSERT INTO tag (id, name, name_key, color, client_count, created_at_ms) VALUES (?, ?, ?, ?, ?, ?)")
            for index in 0..<tags {
                let name = Self.tagName(index)
                try tag.execute(arguments: [
                    index + 1, name, SearchKey.make(name), TagRules.palette[index % TagRules.palette.count], counts[index + 1], now,
                ])
            }
            progress("tags")

            let client = try db.makeStatement(
                sql: """
                    INSERT INTO client (id, first_name, last_name, patronymic, name_key, email, city, created_at_ms, updated_at_ms)
                    VALUES (?, ?, ?, '', ?, ?, ?, ?, ?)
                    """)
            let phone = try db.makeStatement(sql: "INSERT INTO client_phone (client_id, position, number, normalized) VALUES (?, ?, ?, ?)")
            let link = try db.makeStatement(sql: "INSERT INTO client_tag (client_id, tag_id, pinned, attached_at_ms) VALUES (?, ?, ?, ?)")
            let value = try db.makeStatement(sql: "INSERT INTO client_field_value (client_id, field_code, value) VALUES (?, 'birthday', ?)")
            for id in 1...clients {
                let first = Self.firstNames[id % Self.firstNames.count]
                let last = Self.lastNames[(id / 7) % Self.lastNames.count]
                let owner = id % 50 == 0 ? id - 1 : id
                let email = owner % 5 < 3 ? "client\(owner)@example.com" : ""
                try client.execute(arguments: [
                    id, first, last, SearchKey.make("\(last) \(first)"), email, id % 3 == 0 ? "Москва" : "", now, now,
                ])
                let number = Self.phone(id)
                try phone.execute(arguments: [id, 0, "+" + number, number])
                if id % 3 == 0 { try phone.execute(arguments: [id, 1, "+7 800 \(id)", "7800" + String(format: "%07d", id % 10_000_000)]) }
                var links: [(Int, Bool)] = []
                if id % 2 == 0 { links.append((1, false)) }
                if id % 10 == 0 { links.append((2, true)) }
                if tagOf[id] > 0 { links.append((tagOf[id], false)) }
                for (tagID, pinned) in links.sorted(by: { $0.0 < $1.0 }) { try link.execute(arguments: [id, tagID, pinned, now]) }
                if id % 5 == 0 {
                    try value.execute(arguments: [id, String(format: "19%02d-%02d-%02d", 50 + id % 50, 1 + id % 12, 1 + id % 28)])
                }
                if id % 200_000 == 0 { progress("\(id) clients") }
            }
            progress("clients")

            let dialog = try db.makeStatement(
                sql: """
                    INSERT INTO dialog (id, channel, external_login, display_name, phone, phone_normalized, email, client_id, created_at_ms, updated_at_ms)
                    VALUES (?, 'telegram', ?, ?, ?, ?, '', ?, ?, ?)
                    """)
            for index in 0..<dialogs {
                let owner = generator.next(below: clients) + 1
                let linked: Int? = index % 10 == 9 ? nil : owner
                let number = Self.phone(owner)
                try dialog.execute(arguments: [
                    Self.dialogID(index), "@user\(index)", "Клиент \(index)", "+" + number, number, linked, now, now,
                ])
            }
            progress("dialogs")
            try db.execute(
                sql:
                    "INSERT INTO manager_field (manager_id, field_code, position, pinned) VALUES (1, 'birthday', 0, 1), (1, 'address.city', 1, 1)"
            )
        }
        try queue.writeWithoutTransaction { db in try db.execute(sql: "ANALYZE; PRAGMA wal_checkpoint(TRUNCATE)") }
        progress("analyzed")
    }

    private func progress(_ what: String) {
        print("  seeded \(what)")
    }
}

/// A flag the job's watcher clears to stop the load tasks.
private final class RunningFlag: Sendable {
    private let value = Mutex(true)
    /// Whether the load should go on.
    var isSet: Bool { value.withLock { $0 } }
    /// Stops the load.
    func clear() { value.withLock { $0 = false } }
}
