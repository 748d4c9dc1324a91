import ChatPanelProto
import ChatPanelStore
import Foundation
import GRDB

/// A `task` row as read from the database.
struct TaskRecord: Sendable {
    /// The columns, in the order ``init(row:)`` reads them.
    static let columns = """
        id, client_id, order_number, title, text, deadline_ms, deadline_time_zone, performer_id, author_id, status, \
        created_at_ms, updated_at_ms, completed_at_ms, completed_by_id, version
        """

    /// `status` of an open task.
    static let openStatus: Int64 = 1
    /// `status` of a completed task.
    static let completedStatus: Int64 = 2

    /// The task's id.
    var id: Int64
    /// Its client; nil when it is bound to an order.
    var clientID: Int64?
    /// Its order number; nil when it is bound to a client.
    var orderNumber: String?
    /// The title.
    var title: String
    /// The description.
    var text: String
    /// The deadline in UTC ms, or ``TaskCursor/noDeadlineSortKey``.
    var deadlineSortKey: Int64
    /// The deadline's zone name; empty without a deadline.
    var deadlineTimeZone: String
    /// Who is to do it.
    var performerID: Int64
    /// Who created it.
    var authorID: Int64
    /// ``openStatus`` or ``completedStatus``.
    var status: Int64
    /// Created, UTC ms.
    var createdAt: Int64
    /// Last changed, UTC ms.
    var updatedAt: Int64
    /// Completed, UTC ms; nil while open.
    var completedAt: Int64?
    /// Who completed it; nil while open.
    var completedByID: Int64?
    /// Increases with every change.
    var version: Int64

    /// A record from a row of ``columns``.
    init(row: some PositionalValues) {
        id = row[0]
        clientID = row[1]
        orderNumber = row[2]
        title = row[3]
        text = row[4]
        deadlineSortKey = row[5]
        deadlineTimeZone = row[6]
        performerID = row[7]
        authorID = row[8]
        status = row[9]
        createdAt = row[10]
        updatedAt = row[11]
        completedAt = row[12]
        completedByID = row[13]
        version = row[14]
    }

    /// The parameters of the page queries, by number (bound by position, in this order):
    /// `?1` the client, `?2` the manager (for `mine`), `?3` completed since, `?4` the cursor's
    /// deadline key, `?5` the cursor's task id, `?6` the limit.
    static func pageArguments(
        client: Int64, manager: Int64, completedSince: Int64, afterKey: Int64, afterID: Int64, limit: Int
    ) -> PositionalArguments {
        [client, manager, completedSince, afterKey, afterID, limit]
    }

    /// Open tasks of a client in deadline order after a cursor, in two parts: with the
    /// cursor's deadline and a greater id (`sameDeadline`), then with a later deadline.
    /// Arguments: ``pageArguments(client:manager:completedSince:afterKey:afterID:limit:)``.
    ///
    /// Each part is one range of `task_open_by_deadline` (or of the partial index
    /// `task_mine_by_deadline`, whose condition `author_id = performer_id` is repeated word
    /// for word so that SQLite uses it), read in order: no scan, no sort. (A row-value
    /// comparison `(deadline_ms, id) > (?, ?)` would seek on `deadline_ms` only, and walk
    /// every task sharing the cursor's deadline: all the undated ones, say.)
    static func openPageSQL(mine: Bool, sameDeadline: Bool) -> String {
        openPageSQLs[(mine ? 2 : 0) + (sameDeadline ? 1 : 0)]
    }

    /// The four texts of ``openPageSQL(mine:sameDeadline:)``, built once, in the order it reads them.
    private static let openPageSQLs = [false, true].flatMap { mine in
        [false, true].map { sameDeadline in makeOpenPageSQL(mine: mine, sameDeadline: sameDeadline) }
    }

    private static func makeOpenPageSQL(mine: Bool, sameDeadline: Bool) -> String {
        let position = sameDeadline ? "deadline_ms = ?4 AND id > ?5" : "deadline_ms > ?4"
        return """
            SELECT \(columns) FROM task
            WHERE \(owner(mine: mine)) AND status = 1 AND \(position)
            ORDER BY deadline_ms, id LIMIT ?6
            """
    }

    /// Tasks of a client completed since `?3`, in deadline order after a cursor. The few
    /// rows completed since are found by `task_completed_by_time` and then sorted (SQLite
    /// would rather walk the deadline index to avoid the sort, reading every completed task).
    /// Arguments: ``pageArguments(client:manager:completedSince:afterKey:afterID:limit:)``.
    static func completedPageSQL(mine: Bool) -> String {
        mine ? completedMinePageSQL : completedAllPageSQL
    }

    /// The two texts of ``completedPageSQL(mine:)``, built once.
    private static let completedAllPageSQL = makeCompletedPageSQL(mine: false)
    private static let completedMinePageSQL = makeCompletedPageSQL(mine: true)

    private static func makeCompletedPageSQL(mine: Bool) -> String {
        """
        SELECT \(columns) FROM task INDEXED BY task_completed_by_time
        WHERE \(owner(mine: mine)) AND status = 2 AND completed_at_ms >= ?3 AND (deadline_ms, id) > (?4, ?5)
        ORDER BY deadline_ms, id LIMIT ?6
        """
    }

    private static func owner(mine: Bool) -> String {
        mine ? "client_id = ?1 AND author_id = ?2 AND author_id = performer_id" : "client_id = ?1"
    }

    /// The row with this id, if any.
    static func fetch(_ db: Database, id: Int64) throws -> TaskRecord? {
        try Row.fetchOne(db.cachedStatement(sql: "SELECT \(columns) FROM task WHERE id = ?"), arguments: [id]).map(TaskRecord.init(row:))
    }

    /// Whether the task is still to be done.
    var isOpen: Bool { status == Self.openStatus }

    /// The deadline, if the task has one.
    var deadline: ZonedDeadline? {
        get {
            guard deadlineSortKey != TaskCursor.noDeadlineSortKey else { return nil }
            return ZonedDeadline(
                atMilliseconds: deadlineSortKey, timeZone: TimeZoneCatalog.zone(named: deadlineTimeZone) ?? TimeZoneCatalog.utc,
                timeZoneName: deadlineTimeZone)
        }
        set {
            deadlineSortKey = newValue?.atMilliseconds ?? TaskCursor.noDeadlineSortKey
            deadlineTimeZone = newValue?.timeZoneName ?? ""
        }
    }

    /// Where a page ending at this task ends.
    func cursor(clientID: Int64, view: TasksV1.TaskView) -> TaskCursor {
        TaskCursor(clientID: clientID, view: view, deadlineSortKey: deadlineSortKey, taskID: id)
    }

    /// The wire form; `overdue` is computed against `now` (UTC ms).
    func proto(now: Int64) -> TasksV1.Task {
        var task = TasksV1.Task()
        task.taskID = id
        task.clientID = clientID ?? 0
        task.orderNumber = orderNumber ?? ""
        task.title = title
        task.text = text
        let deadline = self.deadline
        task.deadline = deadline?.proto
        task.performerID = performerID
        task.authorID = authorID
        task.status = isOpen ? .open : .completed
        task.overdue = isOpen && (deadline?.isPassed(atMilliseconds: now) ?? false)
        task.createdAtMs = createdAt
        task.updatedAtMs = updatedAt
        task.completedAtMs = completedAt ?? 0
        task.completedByID = completedByID ?? 0
        task.version = UInt64(max(0, version))
        return task
    }

    /// Writes every changeable column back.
    func update(_ db: Database) throws {
        try db.cachedStatement(
            sql: """
                UPDATE task SET title = ?, text = ?, deadline_ms = ?, deadline_time_zone = ?, performer_id = ?, status = ?,
                    updated_at_ms = ?, completed_at_ms = ?, completed_by_id = ?, version = ?
                WHERE id = ?
                """
        ).execute(arguments: [
            title, text, deadlineSortKey, deadlineTimeZone, performerID, status, updatedAt, completedAt, completedByID, version, id,
        ])
    }
}
