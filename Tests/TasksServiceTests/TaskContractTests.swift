import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import GRDB
import TasksService
import Testing

/// CreateTask, GetTask, UpdateTask, CompleteTask and ReopenTask over the real socket.
@Suite struct TaskContractTests {
    @Test func createsATaskBoundToAClientWithAZonedDeadline() async throws {
        try await withTasksService { service in
            let created = try await service.call(
                TasksV1.Tasks.createTask,
                Make.task(
                    client: 10, title: "Call back about the discount", text: "In an hour",
                    deadline: Make.deadline(local: "2025-03-30T10:00", zone: "Europe/Moscow")),
                as: .manager(7))
            let task = try #require(created.task)
            #expect(task.taskID > 0)
            #expect(task.clientID == 10 && task.orderNumber.isEmpty)
            #expect(task.title == "Call back about the discount" && task.text == "In an hour")
            // Moscow is UTC+3 all year: 10:00 there is 07:00 UTC.
            #expect(task.deadline?.atMs == 1_743_318_000_000)
            #expect(task.deadline?.localTime == "2025-03-30T10:00:00")
            #expect(task.deadline?.timeZone == "Europe/Moscow")
            #expect(task.authorID == 7 && task.performerID == 7)
            #expect(task.status == .open && task.version == 1 && task.completedAtMs == 0)
            #expect(task.overdue)  // 2025-03-30 has passed

            let fetched = try await service.call(TasksV1.Tasks.getTask, Make.taskID(task.taskID), as: .manager(8))
            #expect(fetched.task == task)
            #expect(fetched.nowMs > task.deadline!.atMs)
        }
    }

    @Test func createsATaskBoundToAnOrderWhenThereIsNoClient() async throws {
        try await withTasksService { service in
            let created = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 0, order: "A-1042", performer: 3))
            let task = try #require(created.task)
            #expect(task.clientID == 0 && task.orderNumber == "A-1042")
            #expect(task.performerID == 3 && task.authorID == 1)
            #expect(task.deadline == nil && !task.overdue)
            let fetched = try await service.call(TasksV1.Tasks.getTask, Make.taskID(task.taskID))
            #expect(fetched.task?.orderNumber == "A-1042")
        }
    }

    @Test func aDeadlineAsAnInstantIsShownInItsZoneOrUTC() async throws {
        try await withTasksService { service in
            let inUTC = try await service.call(TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(at: 4_102_444_800_000)))
            #expect(inUTC.task?.deadline?.localTime == "2100-01-01T00:00:00")
            #expect(inUTC.task?.deadline?.timeZone == "UTC")
            #expect(inUTC.task?.overdue == false)
            let inTokyo = try await service.call(
                TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(at: 4_102_444_800_000, zone: "Asia/Tokyo")))
            #expect(inTokyo.task?.deadline?.localTime == "2100-01-01T09:00:00")
            #expect(inTokyo.task?.deadline?.atMs == 4_102_444_800_000)
        }
    }

    @Test func refusesBadTasksNamingEveryFieldAndStoresNothing() async throws {
        try await withTasksService { service in
            await expectError(.invalidArgument, fields: ["client_id", "title"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 0, title: ""))
            }
            await expectError(.invalidArgument, fields: ["order_number"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 10, order: "A-1"))
            }
            await expectError(.invalidArgument, fields: ["client_id"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: -4))
            }
            await expectError(.invalidArgument, fields: ["order_number"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 0, order: String(repeating: "9", count: 65)))
            }
            await expectError(.invalidArgument, fields: ["title", "text", "performer_id"]) {
                _ = try await service.call(
                    TasksV1.Tasks.createTask,
                    Make.task(title: String(repeating: "я", count: 251), text: String(repeating: "x", count: 5001), performer: -1))
            }
            await expectError(.invalidArgument, fields: ["title"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(title: " \n\t "))
            }
            await expectError(.invalidArgument, fields: ["deadline.time_zone"]) {
                _ = try await service.call(
                    TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(local: "2030-01-01T10:00", zone: "Mars/Olympus")))
            }
            await expectError(.invalidArgument, fields: ["deadline.time_zone"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(local: "2030-01-01T10:00")))
            }
            await expectError(.invalidArgument, fields: ["deadline.local_time"]) {
                _ = try await service.call(
                    TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(local: "2030-02-30T10:00", zone: "Europe/Moscow")))
            }
            await expectError(.invalidArgument, fields: ["deadline.local_time"]) {
                _ = try await service.call(
                    TasksV1.Tasks.createTask,
                    Make.task(deadline: Make.deadline(at: 4_102_444_800_000, local: "2030-01-01T10:00", zone: "UTC")))
            }
            await expectError(.invalidArgument, fields: ["deadline"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(zone: "UTC")))
            }
            await expectError(.invalidArgument, fields: ["deadline.at_ms"]) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(deadline: Make.deadline(at: -5)))
            }
            let listed = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 10))
            #expect(listed.tasks.isEmpty)
            let count = try await service.store.database.read { db in try Int.fetchOne(db, sql: "SELECT count(*) FROM task") }
            #expect(count == 0)
        }
    }

    @Test func everyTaskMethodNeedsTheTasksRight() async throws {
        try await withTasksService { service in
            let id = try #require(try await service.call(TasksV1.Tasks.createTask, Make.task()).task?.taskID)
            let noRights = RPCV1.Caller.manager(1, [.editClients, .createTags])
            await expectError(.permissionDenied) { _ = try await service.call(TasksV1.Tasks.createTask, Make.task(), as: noRights) }
            await expectError(.permissionDenied) { _ = try await service.call(TasksV1.Tasks.getTask, Make.taskID(id), as: noRights) }
            await expectError(.permissionDenied) { _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(), as: noRights) }
            var update = TasksV1.UpdateTaskRequest()
            update.taskID = id
            update.title = "Changed"
            await expectError(.permissionDenied) { _ = try await service.call(TasksV1.Tasks.updateTask, update, as: noRights) }
            await expectError(.permissionDenied) {
                _ = try await service.call(TasksV1.Tasks.completeTask, Make.taskID(id), as: noRights)
            }
            await expectError(.permissionDenied) {
                _ = try await service.call(TasksV1.Tasks.reopenTask, Make.taskID(id), as: noRights)
            }
            // Nothing changed, and an administrator holds the right.
            let task = try await service.call(TasksV1.Tasks.getTask, Make.taskID(id), as: .admin(99)).task
            #expect(task?.title == "Call back" && task?.status == .open)
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list(), as: .admin(99)).tasks.count == 1)
        }
    }

    @Test func mutationsNeedAManagerID() async throws {
        try await withTasksService { service in
            await expectError(.unauthenticated) {
                _ = try await service.call(TasksV1.Tasks.createTask, Make.task(), as: .manager(0))
            }
            await expectError(.unauthenticated) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .mine), as: .manager(0))
            }
        }
    }

    @Test func unknownTasksAreNotFound() async throws {
        try await withTasksService { service in
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.getTask, Make.taskID(404)) }
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.completeTask, Make.taskID(404)) }
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.reopenTask, Make.taskID(404)) }
            var update = TasksV1.UpdateTaskRequest()
            update.taskID = 404
            update.title = "x"
            await expectError(.notFound) { _ = try await service.call(TasksV1.Tasks.updateTask, update) }
            await expectError(.invalidArgument, fields: ["task_id"]) {
                _ = try await service.call(TasksV1.Tasks.getTask, Make.taskID(0))
            }
            await expectError(.invalidArgument, fields: ["task_id"]) {
                _ = try await service.call(TasksV1.Tasks.completeTask, Make.taskID(-1))
            }
            await expectError(.invalidArgument, fields: ["task_id"]) {
                _ = try await service.call(TasksV1.Tasks.reopenTask, Make.taskID(0))
            }
        }
    }

    @Test func editsATaskAndBumpsItsVersion() async throws {
        try await withTasksService { service in
            let original = try #require(try await service.call(TasksV1.Tasks.createTask, Make.task()).task)
            var update = TasksV1.UpdateTaskRequest()
            update.taskID = original.taskID
            update.title = "Call back at noon"
            update.deadline = Make.deadline(local: "2099-07-01T12:00", zone: "America/New_York")
            update.performerID = 5
            update.expectedVersion = 1
            let edited = try #require(try await service.call(TasksV1.Tasks.updateTask, update, requestID: newRequestID()).task)
            #expect(edited.title == "Call back at noon" && edited.text == original.text)
            #expect(edited.deadline?.localTime == "2099-07-01T12:00:00")
            #expect(edited.deadline?.atMs == 4_086_604_800_000)  // 16:00 UTC (EDT is UTC-4)
            #expect(edited.performerID == 5 && edited.version == 2)

            // Stale version: ABORTED with the current task as details; nothing changes.
            var stale = TasksV1.UpdateTaskRequest()
            stale.taskID = original.taskID
            stale.text = "lost"
            stale.expectedVersion = 1
            let error = await expectError(.aborted) { _ = try await service.call(TasksV1.Tasks.updateTask, stale) }
            #expect(error?.decodedDetails(as: TasksV1.Task.self)?.version == 2)

            // Clearing the deadline; an edit that changes nothing keeps the version.
            var clear = TasksV1.UpdateTaskRequest()
            clear.taskID = original.taskID
            clear.clearDeadline = true
            let cleared = try #require(try await service.call(TasksV1.Tasks.updateTask, clear).task)
            #expect(cleared.deadline == nil && cleared.version == 3)
            let again = try #require(try await service.call(TasksV1.Tasks.updateTask, clear).task)
            #expect(again.version == 3)
        }
    }

    @Test func refusesBadEdits() async throws {
        try await withTasksService { service in
            let id = try #require(try await service.call(TasksV1.Tasks.createTask, Make.task()).task?.taskID)
            var update = TasksV1.UpdateTaskRequest()
            update.taskID = id
            update.title = ""
            update.text = String(repeating: "ё", count: 5001)
            update.deadline = Make.deadline(local: "2030-01-01T10:00", zone: "Europe/Moscow")
            update.clearDeadline = true
            update.performerID = 0
            await expectError(.invalidArgument, fields: ["title", "text", "clear_deadline", "performer_id"]) {
                _ = try await service.call(TasksV1.Tasks.updateTask, update)
            }
            #expect(try await service.call(TasksV1.Tasks.getTask, Make.taskID(id)).task?.version == 1)
        }
    }

    @Test func completesAndReopensATask() async throws {
        try await withTasksService { service in
            let id = try #require(try await service.call(TasksV1.Tasks.createTask, Make.task(), as: .manager(1)).task?.taskID)
            let completed = try #require(
                try await service.call(TasksV1.Tasks.completeTask, Make.taskID(id), as: .manager(2), requestID: newRequestID()).task)
            #expect(completed.status == .completed && completed.completedByID == 2 && completed.completedAtMs > 0)
            #expect(completed.version == 2 && !completed.overdue)
            // Completing again changes nothing.
            let twice = try #require(try await service.call(TasksV1.Tasks.completeTask, Make.taskID(id), as: .manager(3)).task)
            #expect(twice == completed)
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list()).tasks.isEmpty)

            let reopened = try #require(try await service.call(TasksV1.Tasks.reopenTask, Make.taskID(id), requestID: newRequestID()).task)
            #expect(reopened.status == .open && reopened.completedAtMs == 0 && reopened.completedByID == 0 && reopened.version == 3)
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list()).tasks.map(\.taskID) == [id])
        }
    }

    @Test func aRetriedCreateWithTheSameRequestIDIsAppliedOnce() async throws {
        try await withTasksService { service in
            let requestID = newRequestID()
            let first = try await service.call(TasksV1.Tasks.createTask, Make.task(), requestID: requestID)
            let retry = try await service.call(TasksV1.Tasks.createTask, Make.task(), requestID: requestID)
            #expect(first == retry)
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list()).tasks.count == 1)
            // The same id for another method is a caller bug.
            await expectError(.failedPrecondition) {
                _ = try await service.call(TasksV1.Tasks.completeTask, Make.taskID(first.task!.taskID), requestID: requestID)
            }
            // Without a request id every call applies.
            _ = try await service.call(TasksV1.Tasks.createTask, Make.task())
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list()).tasks.count == 2)
        }
    }
}
