public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Foundation
import GRDB

extension TasksStore {
    /// Creates a task (TASK-2).
    ///
    /// - Throws: FAILED_PRECONDITION when its client was merged into another.
    public func createTask(_ task: NewTask, requestID: String) async throws -> TasksV1.CreateTaskResponse {
        let now = now
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.createTask.path) { db in
            var clientID: Int64? = nil
            var orderNumber: String? = nil
            switch task.subject {
            case .client(let id):
                try ClientMoves.requireNotMovedAway(id, db)
                clientID = id
            case .order(let number):
                orderNumber = number
            }
            let time = now()
            try db.cachedStatement(
                sql: """
                    INSERT INTO task (client_id, order_number, title, text, deadline_ms, deadline_time_zone, performer_id, author_id,
                        status, created_at_ms, updated_at_ms, completed_at_ms, completed_by_id, version)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, NULL, NULL, 1)
                    """
            ).execute(arguments: [
                clientID, orderNumber, task.title, task.text, task.deadline?.atMilliseconds ?? TaskCursor.noDeadlineSortKey,
                task.deadline?.timeZoneName ?? "", task.performerID, task.authorID, time, time,
            ])
            let taskID = db.lastInsertedRowID
            if let clientID { try db.recordChanges([.tasks], clientID: clientID, at: time) }
            var response = TasksV1.CreateTaskResponse()
            response.task = try TaskRecord.fetch(db, id: taskID)?.proto(now: time)
            return response
        }
    }

    /// The task with this id, open or completed, with overdue computed now; nil when there is none.
    public func task(id: Int64) async throws -> TasksV1.GetTaskResponse? {
        let now = now()
        return try await database.read { db in
            guard let record = try TaskRecord.fetch(db, id: id) else { return nil }
            var response = TasksV1.GetTaskResponse()
            response.task = record.proto(now: now)
            response.nowMs = now
            return response
        }
    }

    /// A page of a client's open tasks in deadline order (TASK-1), with the tasks completed
    /// since `query.completedSince` in their place (TASK-3). A merged client's id lists the
    /// tasks of the client they were moved into.
    ///
    /// Keyset paging: each page reads at most `pageSize + 1` rows of an index range, however
    /// many tasks the client has and however deep the page is.
    public func listTasks(_ query: TaskListQuery) async throws -> TasksV1.ListTasksResponse {
        let now = now()
        return try await database.read { db in try Self.tasksPage(db, query, now: now) }
    }

    /// A page of tasks, inside a read transaction (see ``listTasks(_:)``). `holder` is the
    /// client holding the query's client's tasks (``ChatPanelStore/ClientMoves/survivor(of:_:)``), when the
    /// caller resolved it already.
    static func tasksPage(_ db: Database, _ query: TaskListQuery, now: Int64, holder: Int64? = nil) throws -> TasksV1.ListTasksResponse {
        let holder = try holder ?? ClientMoves.survivor(of: query.clientID, db)
        let mine = query.view == .mine
        let limit = query.pageSize + 1
        func fetch(_ sql: String, limit: Int) throws -> [TaskRecord] {
            let arguments = TaskRecord.pageArguments(
                client: holder, manager: query.managerID, completedSince: query.completedSince ?? 0,
                afterKey: query.after?.deadlineSortKey ?? Int64.min, afterID: query.after?.taskID ?? Int64.min, limit: limit)
            return try db.positionalRows(sql: sql, arguments) { TaskRecord(row: $0) }
        }
        var records: [TaskRecord] = []
        if query.after != nil {
            records = try fetch(TaskRecord.openPageSQL(mine: mine, sameDeadline: true), limit: limit)
        }
        if records.count < limit {
            records += try fetch(TaskRecord.openPageSQL(mine: mine, sameDeadline: false), limit: limit - records.count)
        }
        if query.completedSince != nil {
            let completed = try fetch(TaskRecord.completedPageSQL(mine: mine), limit: limit)
            if !completed.isEmpty {
                records = (records + completed).sorted { ($0.deadlineSortKey, $0.id) < ($1.deadlineSortKey, $1.id) }
            }
        }
        var response = TasksV1.ListTasksResponse()
        response.nowMs = now
        let page = records.prefix(query.pageSize)
        response.tasks = page.map { $0.proto(now: now) }
        if records.count > query.pageSize, let last = page.last {
            response.nextPageToken = last.cursor(clientID: query.clientID, view: query.view).token
        }
        return response
    }

    /// Edits a task (TASK-3).
    ///
    /// - Throws: NOT_FOUND; ABORTED with the current task as details when
    ///   `changes.expectedVersion` is stale.
    public func updateTask(id: Int64, _ changes: TaskChanges, requestID: String) async throws -> TasksV1.UpdateTaskResponse {
        let now = now
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.updateTask.path) { db in
            let time = now()
            guard var record = try TaskRecord.fetch(db, id: id) else { throw RPCError.notFound("task \(id) does not exist") }
            if let expected = changes.expectedVersion, expected != UInt64(record.version) {
                throw RPCError(
                    code: .aborted, message: "task \(id) changed since version \(expected) (now \(record.version)); reload it",
                    details: try record.proto(now: time).serializedBytes())
            }
            let before = record.proto(now: time)
            if let title = changes.title { record.title = title }
            if let text = changes.text { record.text = text }
            if let performerID = changes.performerID { record.performerID = performerID }
            switch changes.deadline {
            case .keep: break
            case .set(let deadline): record.deadline = deadline
            case .clear: record.deadline = nil
            }
            if record.proto(now: time) != before {
                record.updatedAt = time
                record.version += 1
                try record.update(db)
                try record.recordChange(db, at: time)
            }
            var response = TasksV1.UpdateTaskResponse()
            response.task = record.proto(now: time)
            return response
        }
    }

    /// Completes a task (TASK-3); a completed task stays as it is.
    ///
    /// - Throws: NOT_FOUND.
    public func completeTask(id: Int64, by managerID: Int64, requestID: String) async throws -> TasksV1.CompleteTaskResponse {
        let now = now
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.completeTask.path) { db in
            let time = now()
            guard var record = try TaskRecord.fetch(db, id: id) else { throw RPCError.notFound("task \(id) does not exist") }
            if record.isOpen {
                record.status = TaskRecord.completedStatus
                record.completedAt = time
                record.completedByID = managerID
                record.updatedAt = time
                record.version += 1
                try record.update(db)
                try record.recordChange(db, at: time)
            }
            var response = TasksV1.CompleteTaskResponse()
            response.task = record.proto(now: time)
            return response
        }
    }

    /// Reopens a completed task; an open task stays as it is.
    ///
    /// - Throws: NOT_FOUND.
    public func reopenTask(id: Int64, requestID: String) async throws -> TasksV1.ReopenTaskResponse {
        let now = now
        return try await database.idempotentWrite(requestID: requestID, method: TasksV1.Tasks.reopenTask.path) { db in
            let time = now()
            guard var record = try TaskRecord.fetch(db, id: id) else { throw RPCError.notFound("task \(id) does not exist") }
            if !record.isOpen {
                record.status = TaskRecord.openStatus
                record.completedAt = nil
                record.completedByID = nil
                record.updatedAt = time
                record.version += 1
                try record.update(db)
                try record.recordChange(db, at: time)
            }
            var response = TasksV1.ReopenTaskResponse()
            response.task = record.proto(now: time)
            return response
        }
    }
}

extension TaskRecord {
    /// Publishes that the Tasks widget of the task's client changed (a task bound to an order
    /// number alone is on no panel).
    func recordChange(_ db: Database, at time: Int64) throws {
        guard let clientID else { return }
        try db.recordChanges([.tasks], clientID: clientID, at: time)
    }
}
