import ChatPanelStore
import ChatPanelTesting
import GRDB
import Testing

@testable import TasksService

/// The widget's list queries read one index range in order: no table scan, no sort, whatever
/// the number of rows (the benchmark shows the timings; this pins the plans).
@Suite struct QueryPlanTests {
    /// The plan of `sql` bound as the store binds it (by position).
    private func plan(_ sql: String, _ arguments: @autoclosure @escaping @Sendable () -> PositionalArguments) async throws -> String {
        try await withTemporaryDirectory { directory in
            let store = try TasksStore(path: "\(directory)/tasks.sqlite")
            return try await store.database.read { db in
                // EXPLAIN QUERY PLAN's columns: id, parent, notused, detail.
                try db.positionalRows(sql: "EXPLAIN QUERY PLAN " + sql, arguments()).map { $0[3] as String }.joined(separator: "\n")
            }
        }
    }

    private static var taskArguments: PositionalArguments {
        TaskRecord.pageArguments(client: 1, manager: 2, completedSince: 0, afterKey: 0, afterID: 0, limit: 21)
    }

    @Test func allOpenTasksReadTheDeadlineIndexInOrder() async throws {
        let sameDeadline = try await plan(TaskRecord.openPageSQL(mine: false, sameDeadline: true), Self.taskArguments)
        #expect(sameDeadline == "SEARCH task USING INDEX task_open_by_deadline (client_id=? AND status=? AND deadline_ms=? AND id>?)")
        let later = try await plan(TaskRecord.openPageSQL(mine: false, sameDeadline: false), Self.taskArguments)
        #expect(later == "SEARCH task USING INDEX task_open_by_deadline (client_id=? AND status=? AND deadline_ms>?)")
    }

    @Test func myOpenTasksReadThePartialIndexInOrder() async throws {
        let sameDeadline = try await plan(TaskRecord.openPageSQL(mine: true, sameDeadline: true), Self.taskArguments)
        #expect(
            sameDeadline
                == "SEARCH task USING INDEX task_mine_by_deadline (client_id=? AND author_id=? AND status=? AND deadline_ms=? AND id>?)")
        let later = try await plan(TaskRecord.openPageSQL(mine: true, sameDeadline: false), Self.taskArguments)
        #expect(later == "SEARCH task USING INDEX task_mine_by_deadline (client_id=? AND author_id=? AND status=? AND deadline_ms>?)")
    }

    @Test func recentlyCompletedTasksUseTheCompletionIndex() async throws {
        for mine in [false, true] {
            let plan = try await plan(TaskRecord.completedPageSQL(mine: mine), Self.taskArguments)
            #expect(
                plan.hasPrefix("SEARCH task USING INDEX task_completed_by_time (client_id=? AND status=? AND completed_at_ms>?)"), "\(plan)"
            )
        }
    }

    @Test func notesReadTheNewestFirstIndexInOrder() async throws {
        let plan = try await plan(NoteRecord.pageSQL, [1, Int64.max, Int64.max, 6])
        #expect(plan.contains("USING INDEX note_by_client_newest"), "\(plan)")
        #expect(!plan.contains("TEMP B-TREE"), "\(plan)")
        #expect(!plan.contains("SCAN"), "\(plan)")
    }
}
