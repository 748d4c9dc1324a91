import ChatPanelExpectations
import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import ChatPanelTesting
import GRDB
import TasksService
import Testing

/// MoveClientRecords over the real socket: counts, repeats, crashes, the guards after a move, and
/// reads for a moved client's id answering with the survivor's records.
@Suite struct ClientMoveContractTests {
    static let merger = RPCV1.Caller.manager(1, [.editClients])

    private func seed(_ service: TasksHarness, client: Int64, tasks: Int, notes: Int) async throws {
        for index in 0..<tasks {
            _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: client, title: "task \(index) of \(client)"))
        }
        for index in 0..<notes {
            _ = try await service.call(TasksV1.Tasks.createNote, Make.note(client: client, text: "note \(index) of \(client)"))
        }
    }

    private func counts(_ service: TasksHarness, client: Int64) async throws -> (tasks: Int, notes: Int) {
        let tasks = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: client, pageSize: 100)).tasks.count
        let notes = try await service.call(TasksV1.Tasks.listNotes, Make.notes(client: client, pageSize: 50)).notes.count
        return (tasks, notes)
    }

    /// Every item of a listing, page after page from the first (`page` reads the page a token
    /// names and answers its items and the next token).
    private func allPages<Item>(_ page: (String) async throws -> ([Item], String)) async throws -> [Item] {
        var items: [Item] = []
        var token = ""
        repeat {
            let (more, next) = try await page(token)
            items += more
            token = next
        } while !token.isEmpty
        return items
    }

    @Test func movesEveryTaskAndNoteAndReportsTheCounts() async throws {
        try await withTasksService { service in
            try await seed(service, client: 20, tasks: 3, notes: 4)
            try await seed(service, client: 21, tasks: 1, notes: 1)
            try await seed(service, client: 22, tasks: 2, notes: 0)
            let moved = try await service.call(
                TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger, requestID: newRequestID())
            #expect(moved.tasksMoved == 3 && moved.notesMoved == 4 && !moved.repeated)
            // The merged id reads the survivor's records (as the clients service answers for it).
            #expect(try await counts(service, client: 20) == (4, 5))
            #expect(try await counts(service, client: 21) == (4, 5))
            #expect(try await counts(service, client: 22) == (2, 0))
            // Moved tasks record the change.
            let task = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 21)).tasks.first { $0.title.hasSuffix("of 20") }
            #expect(task?.clientID == 21 && task?.version == 2)
        }
    }

    @Test func aRepeatGivesTheSameEndStateAndCounts() async throws {
        try await withTasksService { service in
            try await seed(service, client: 20, tasks: 2, notes: 3)
            let requestID = newRequestID()
            let first = try await service.call(
                TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger, requestID: requestID)
            // A retry of the same call gets the same answer.
            let retried = try await service.call(
                TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger, requestID: requestID)
            #expect(retried == first)
            // A repeat under a new request id (say the workflow lost its record) reports the move's totals.
            let repeated = try await service.call(
                TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger, requestID: newRequestID())
            #expect(repeated.tasksMoved == 2 && repeated.notesMoved == 3 && repeated.repeated)
            #expect(
                try await service.store.database.read { db in
                    try Int.fetchOne(db, sql: "SELECT count(*) FROM task WHERE client_id = 20")
                } == 0)
            #expect(try await counts(service, client: 21) == (2, 3))
        }
    }

    @Test func isSafeToRepeatAfterACrashInTheMiddle() async throws {
        try await withTasksService { service in
            try await seed(service, client: 20, tasks: 2, notes: 3)
            // The move fails after its tasks were updated (as if the process died there).
            try await service.store.database.write { db in
                try db.execute(sql: "CREATE TEMP TRIGGER crash BEFORE UPDATE ON note BEGIN SELECT RAISE(ABORT, 'crash'); END")
            }
            await expectError(.internal) {
                _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger, requestID: "m1")
            }
            // Nothing moved: the transaction was rolled back as a whole.
            #expect(try await counts(service, client: 20) == (2, 3))
            #expect(try await counts(service, client: 21) == (0, 0))
            try await service.store.database.write { db in try db.execute(sql: "DROP TRIGGER temp.crash") }
            let moved = try await service.call(
                TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger, requestID: "m1")
            #expect(moved.tasksMoved == 2 && moved.notesMoved == 3 && !moved.repeated)
            #expect(try await counts(service, client: 21) == (2, 3))
        }
    }

    @Test func survivesARestartOfTheProcessAndItsDatabase() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/tasks.sqlite"
            let first = try TasksStore(path: path)
            _ = try await first.createNote(clientID: 20, text: "kept", authorID: 1, requestID: "")
            let before = try await first.moveClientRecords(from: 20, to: 21, requestID: "merge:w1:1")
            // A new process opens the same file; the workflow repeats the step with the same id.
            try await withLiveService(TasksService.self, configuration: (), in: directory) { _, socket in
                let client = RPCClient(configuration: RPCClientConfiguration(socketPath: socket))
                let again = try await client.unary(
                    TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21),
                    options: RPCCallOptions(caller: Self.merger, requestID: "merge:w1:1"))
                await client.close()
                #expect(again == before)
                #expect(again.notesMoved == 1)
            }
        }
    }

    @Test func aMovedClientsIDReadsTheSurvivorsRecordsThroughEveryRead() async throws {
        try await withTasksService { service in
            try await seed(service, client: 20, tasks: 3, notes: 4)
            _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 20, title: "another's", performer: 2))
            try await seed(service, client: 21, tasks: 1, notes: 1)
            try await seed(service, client: 22, tasks: 1, notes: 0)
            // Before the move each id reads its own records.
            #expect(try await counts(service, client: 20) == (4, 4))
            _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger)

            // ListTasks and ListNotes for the merged id: the survivor's, whole, and paged with
            // tokens that stay the merged id's.
            let survivorTasks = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 21, pageSize: 100)).tasks
            let survivorNotes = try await service.call(TasksV1.Tasks.listNotes, Make.notes(client: 21, pageSize: 50)).notes
            #expect(survivorTasks.count == 5 && survivorNotes.count == 5)
            #expect(try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 20, pageSize: 100)).tasks == survivorTasks)
            #expect(try await service.call(TasksV1.Tasks.listNotes, Make.notes(client: 20, pageSize: 50)).notes == survivorNotes)
            let tasks = try await allPages { token in
                let page = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 20, pageSize: 3, token: token))
                return (page.tasks, page.nextPageToken)
            }
            #expect(tasks.map(\.taskID) == survivorTasks.map(\.taskID))
            let notes = try await allPages { token in
                let page = try await service.call(TasksV1.Tasks.listNotes, Make.notes(client: 20, pageSize: 2, token: token))
                return (page.notes, page.nextPageToken)
            }
            #expect(notes.map(\.noteID) == survivorNotes.map(\.noteID))

            // The panel's data for the merged id: both tabs and the notes page are the survivor's.
            var panelData = TasksV1.GetPanelDataRequest()
            panelData.taskLists = [Make.list(client: 20, pageSize: 100), Make.list(client: 20, view: .mine, pageSize: 100)]
            panelData.notes = Make.notes(client: 20, pageSize: 50)
            let data = try await service.call(TasksV1.Tasks.getPanelData, panelData)
            #expect(data.taskLists.first?.tasks == survivorTasks)
            let survivorsMine = try await service.call(TasksV1.Tasks.listTasks, Make.list(client: 21, view: .mine, pageSize: 100)).tasks
            #expect(!survivorsMine.isEmpty && data.taskLists.last?.tasks == survivorsMine)
            #expect(data.notes?.notes == survivorNotes)

            // A survivor merged on in turn: the first merged id follows both moves.
            _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 21, to: 22), as: Self.merger)
            #expect(try await counts(service, client: 20) == (6, 5))
            #expect(try await counts(service, client: 21) == (6, 5))
            #expect(try await counts(service, client: 22) == (6, 5))
            panelData.taskLists = [Make.list(client: 20, pageSize: 100)]
            #expect(try await service.call(TasksV1.Tasks.getPanelData, panelData).taskLists.first?.tasks.count == 6)
            // A new record for the first merged id is refused, naming the client that holds its records now.
            let refused = await expectError(.failedPrecondition) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(client: 20, text: "late"))
            }
            #expect(refused?.message.contains("merged into client 22") == true, "\(refused?.message ?? "")")
        }
    }

    @Test func aMovedClientTakesNoNewRecords() async throws {
        try await withTasksService { service in
            _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: Self.merger)
            let noteError = await expectError(.failedPrecondition) {
                _ = try await service.call(TasksV1.Tasks.createNote, Make.note(client: 20, text: "late"))
            }
            #expect(noteError?.message.contains("client 21") == true)
            await expectError(.failedPrecondition) { _ = try await service.call(TasksV1.Tasks.createTask, Make.task(client: 20)) }
            // Moving it elsewhere, or moving into it, is refused.
            await expectError(.failedPrecondition) {
                _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 22), as: Self.merger)
            }
            await expectError(.failedPrecondition) {
                _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 23, to: 20), as: Self.merger)
            }
            // The survivor may be merged on in turn.
            let chained = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 21, to: 22), as: Self.merger)
            #expect(!chained.repeated)
        }
    }

    @Test func needsTheEditClientsRightAndTwoDifferentClients() async throws {
        try await withTasksService { service in
            try await seed(service, client: 20, tasks: 1, notes: 1)
            await expectError(.permissionDenied) {
                _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: .manager(1, [.tasks]))
            }
            #expect(try await counts(service, client: 20) == (1, 1))
            await expectError(.invalidArgument, fields: ["to_client_id"]) {
                _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 20), as: Self.merger)
            }
            await expectError(.invalidArgument, fields: ["from_client_id", "to_client_id"]) {
                _ = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 0, to: -1), as: Self.merger)
            }
            let byAdmin = try await service.call(TasksV1.Tasks.moveClientRecords, Make.move(from: 20, to: 21), as: .admin(9))
            #expect(byAdmin.tasksMoved == 1 && byAdmin.notesMoved == 1)
        }
    }
}
