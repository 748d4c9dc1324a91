import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import ClientsService
import GRDB
import Testing

/// The process's housekeeping services.
@Suite struct MaintenanceTests {
    @Test func oldRetryAnswersAreForgotten() async throws {
        try await withTemporaryDirectory { directory in
            let store = try ClientsStore(path: "\(directory)/clients.sqlite")
            _ = try await store.createTag(named: "VIP", by: Mutation(managerID: 1, requestID: "tag-1"))
            func records() async throws -> Int {
                try await store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM rpc_idempotency") ?? -1 }
            }
            #expect(try await records() == 1)
            let pruner = IdempotencyRecordPruner(store: store.database, retention: .zero, interval: .milliseconds(10), logger: testLogger("pruner"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await pruner.run() }
                try await waitUntil { try await records() == 0 }
                group.cancelAll()
            }
            // The same request id is now a new request: the tag exists, so it is refused.
            await expectError(.alreadyExists) { try await store.createTag(named: "VIP", by: Mutation(managerID: 1, requestID: "tag-1")) }
        }
    }
}
