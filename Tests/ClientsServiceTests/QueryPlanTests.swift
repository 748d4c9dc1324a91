import ChatPanelStore
import ChatPanelTesting
import GRDB
import Testing

@testable import ClientsService

/// The card's duplicate lookups read one index range in id order, with no sort, also when
/// SQLite's statistics (`ANALYZE`) say a phone or an email belongs to one client.
@Suite struct QueryPlanTests {
    /// The plan of `sql` on a clients database whose statistics say phones and emails are
    /// unique, as `ANALYZE` finds them on a real one.
    private func planWithStatistics(_ sql: String) async throws -> String {
        try await withTemporaryDirectory { directory in
            let store = try ClientsStore(path: "\(directory)/clients.sqlite")
            try await store.database.write { db in
                try db.execute(sql: "ANALYZE sqlite_schema")
                try db.execute(
                    sql: """
                        INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES
                            ('client', 'client_email', '5800 1 1'), ('client', NULL, '10000'),
                            ('client_phone', 'client_phone_normalized', '13333 1'), ('client_phone', 'client_phone', '13333 2 1');
                        ANALYZE sqlite_schema;
                        """)
            }
            return try await store.database.read { db in
                try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: ["x", 51]).map { $0["detail"] as String }
                    .joined(separator: "\n")
            }
        }
    }

    @Test func clientsSharingAnEmailComeFromTheEmailIndexInOrder() async throws {
        let plan = try await planWithStatistics(ClientsStore.emailDuplicatesSQL)
        #expect(plan == "SEARCH client USING INDEX client_email (email=? AND id>?)")
    }

    @Test func clientsSharingAPhoneComeFromThePhoneIndexInOrder() async throws {
        let plan = try await planWithStatistics(ClientsStore.phoneDuplicatesSQL)
        #expect(plan == "SEARCH client_phone USING COVERING INDEX client_phone_normalized (normalized=?)")
    }
}
