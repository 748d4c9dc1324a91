import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import ChatPanelTesting
import GRDB
import TasksService
import Testing

/// The background service that forgets old idempotency records.
@Suite struct IdempotencyRecordPrunerTests {
    private func records(_ store: TasksStore) async throws -> Int {
        try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rpc_idempotency") ?? -1 }
    }

    @Test func theServiceHostRunsThePrunerBesideTheServer() async throws {
        try await withTemporaryDirectory { directory in
            var schedule = PrunerSchedule()
            schedule.retention = .zero
            schedule.interval = .milliseconds(5)
            try await withLiveService(TasksService.self, configuration: (), in: directory, pruner: schedule) { host, socket in
                let client = RPCClient(configuration: RPCClientConfiguration(socketPath: socket))
                var request = TasksV1.CreateNoteRequest()
                request.clientID = 1
                request.text = "kept"
                _ = try await client.unary(
                    TasksV1.Tasks.createNote, request, options: RPCCallOptions(caller: .manager(1), requestID: "r1"))
                await client.close()
                let pruned = try await eventually(timeout: .seconds(10)) { try await records(host.store) == 0 }
                #expect(pruned)
                #expect(try await host.store.note(id: 1)?.note?.text == "kept")
            }
        }
    }

    @Test func forgetsRecordsOlderThanTheRetentionAndStopsWhenCancelled() async throws {
        try await withTemporaryDirectory { directory in
            let store = try TasksStore(path: "\(directory)/tasks.sqlite")
            _ = try await store.createNote(clientID: 1, text: "kept", authorID: 1, requestID: "r1")
            #expect(try await records(store) == 1)

            // A long retention keeps it.
            let keeping = Task {
                try await IdempotencyRecordPruner(store: store.database, interval: .milliseconds(5), logger: testLogger("pruner")).run()
            }
            try await Task.sleep(for: .milliseconds(50))
            keeping.cancel()
            try await keeping.value
            #expect(try await records(store) == 1)

            // No retention forgets it; the note stays.
            let pruning = Task {
                try await IdempotencyRecordPruner(
                    store: store.database, retention: .zero, interval: .milliseconds(5), logger: testLogger("pruner")
                )
                .run()
            }
            let deadline = ContinuousClock.now + .seconds(5)
            while try await records(store) > 0, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(5)) }
            pruning.cancel()
            try await pruning.value
            #expect(try await records(store) == 0)
            #expect(try await store.note(id: 1)?.note?.text == "kept")
        }
    }
}
