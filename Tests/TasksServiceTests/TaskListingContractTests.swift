import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import TasksService
import Testing

/// ListTasks over the real socket: order, overdue, "All" and "Mine", paging, recently completed.
@Suite struct TaskListingContractTests {
    /// Deadlines far in the past and the future, UTC ms.
    static let past: Int64 = 946_684_800_000  // 2000-01-01
    static func future(_ days: Int64) -> Int64 { 4_102_444_800_000 + days * 86_400_000 }  // 2100-01-01 + days

    @discardableResult
    private func create(
        _ service: TasksHarness, title: String, deadline: Int64?, client: Int64 = 10, performer: Int64 = 0, author: Int64 = 1
    ) async throws -> Int64 {
        let request = Make.task(client: client, title: title, deadline: deadline.map { Make.deadline(at: $0) }, performer: performer)
        return try #require(try await service.call(TasksV1.Tasks.createTask, request, as: .manager(author)).task?.taskID)
    }

    @Test func listsOpenTasksByDeadlineWithOverdueMarkedAndUndatedLast() async throws {
        try await withTasksService { service in
            try await create(service, title: "undated", deadline: nil)
            try await create(service, title: "later", deadline: Self.future(2))
            try await create(service, title: "overdue", deadline: Self.past)
            try await create(service, title: "sooner", deadline: Self.future(1))
            try await create(service, title: "other client", deadline: Self.future(1), client: 11)
            let done = try await create(service, title: "done", deadline: Self.future(0))
            _ = try await service.call(TasksV1.Tasks.completeTask, Make.taskID(done))
            _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 0, order: "A-1", deadline: Make.deadline(at: Self.past)))

            let listed = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 10))
            #expect(listed.tasks.map(\.title) == ["overdue", "sooner", "later", "undated"])
            #expect(listed.tasks.map(\.overdue) == [true, false, false, false])
            #expect(listed.nextPageToken.isEmpty)
            #expect(listed.nowMs > Self.past)
        }
    }

    @Test func mineHasTheTasksWhoseAuthorAndPerformerAreTheCaller() async throws {
        try await withTasksService { service in
            try await create(service, title: "mine", deadline: Self.future(3), performer: 0, author: 1)
            try await create(service, title: "mine too", deadline: Self.future(1), performer: 1, author: 1)
            try await create(service, title: "I asked 2", deadline: Self.future(2), performer: 2, author: 1)
            try await create(service, title: "2 asked me", deadline: Self.future(2), performer: 1, author: 2)
            try await create(service, title: "of 2", deadline: Self.future(2), performer: 2, author: 2)
            let mine = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .mine), as: .manager(1))
            #expect(mine.tasks.map(\.title) == ["mine too", "mine"])
            let all = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .all), as: .manager(1))
            #expect(all.tasks.count == 5)
            let theirs = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .mine), as: .manager(2))
            #expect(theirs.tasks.map(\.title) == ["of 2"])
        }
    }

    @Test func pagesWithAKeysetTokenThatStaysCorrectUnderChanges() async throws {
        try await withTasksService { service in
            var ids: [Int64] = []
            for day in 0..<7 { ids.append(try await create(service, title: "t\(day)", deadline: Self.future(Int64(day) * 2))) }
            let first = try await service.call(TasksV1.Tasks.listTasks, Make.list(pageSize: 3))
            #expect(first.tasks.map(\.taskID) == Array(ids[0..<3]))
            #expect(!first.nextPageToken.isEmpty)
            // Between pages: a task due before the cursor, one due after it, and a completed one.
            try await create(service, title: "early", deadline: Self.future(0) - 1)
            let late = try await create(service, title: "late", deadline: Self.future(9))
            _ = try await service.call(TasksV1.Tasks.completeTask, Make.taskID(ids[4]))
            let second = try await service.call(TasksV1.Tasks.listTasks, Make.list(pageSize: 3, token: first.nextPageToken))
            #expect(second.tasks.map(\.taskID) == [ids[3], late, ids[5]])
            let third = try await service.call(TasksV1.Tasks.listTasks, Make.list(pageSize: 3, token: second.nextPageToken))
            #expect(third.tasks.map(\.taskID) == [ids[6]])
            #expect(third.nextPageToken.isEmpty)
            // The default page size is 20.
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list()).tasks.count == 8)
        }
    }

    @Test func keepsTasksCompletedSinceTheGivenTimeInTheirPlace() async throws {
        try await withTasksService { service in
            let first = try await create(service, title: "first", deadline: Self.future(1))
            let second = try await create(service, title: "second", deadline: Self.future(2))
            let third = try await create(service, title: "third", deadline: Self.future(3))
            let opened = try await service.call(TasksV1.Tasks.listTasks, Make.list()).nowMs
            let completed = try #require(try await service.call(TasksV1.Tasks.completeTask, Make.taskID(second)).task)

            let panel = try await service.call(TasksV1.Tasks.listTasks, Make.list(completedSince: opened))
            #expect(panel.tasks.map(\.taskID) == [first, second, third])
            #expect(panel.tasks.map(\.status) == [.open, .completed, .open])
            // Paging keeps it in place too.
            let page1 = try await service.call(TasksV1.Tasks.listTasks, Make.list(pageSize: 1, completedSince: opened))
            let page2 = try await service.call(
                TasksV1.Tasks.listTasks, Make.list(pageSize: 1, token: page1.nextPageToken, completedSince: opened))
            #expect(page1.tasks.map(\.taskID) == [first] && page2.tasks.map(\.taskID) == [second])
            // A reloaded panel (no time, or a later one) shows open tasks only.
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list()).tasks.map(\.taskID) == [first, third])
            let later = try await service.call(TasksV1.Tasks.listTasks, Make.list(completedSince: completed.completedAtMs + 1))
            #expect(later.tasks.map(\.taskID) == [first, third])
            // "Mine" applies to them as well.
            let mineOther = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .mine, completedSince: opened), as: .manager(2))
            #expect(mineOther.tasks.isEmpty)
        }
    }

    @Test func refusesBadListRequests() async throws {
        try await withTasksService { service in
            for day in 0..<3 { try await create(service, title: "t\(day)", deadline: Self.future(Int64(day))) }
            let token = try await service.call(TasksV1.Tasks.listTasks, Make.list(pageSize: 1)).nextPageToken
            await expectError(.invalidArgument, fields: ["client_id", "page_size"]) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 0, pageSize: 101))
            }
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(token: "not-a-token"))
            }
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 11, token: token))
            }
            await expectError(.invalidArgument, fields: ["page_token"]) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .mine, token: token))
            }
            await expectError(.invalidArgument, fields: ["view"]) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(view: .unrecognized(7)))
            }
            await expectError(.invalidArgument, fields: ["completed_since_ms"]) {
                _ = try await service.call(TasksV1.Tasks.listTasks, Make.list(completedSince: -1))
            }
        }
    }
}
