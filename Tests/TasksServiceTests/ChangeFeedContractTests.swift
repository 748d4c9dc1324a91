import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore
import Synchronization
import TasksService
import Testing

/// The change feed every service answers (`Changes/Watch`), over the tasks service's socket:
/// each mutation publishes the widget it changed, in commit order; a refused one publishes
/// nothing; a caller resumes from its last position; a position no longer held is a gap.
@Suite("Tasks: change feed")
struct ChangeFeedContractTests {
    /// Collects a feed's changes in the background.
    final class FeedReader: Sendable {
        private final class Received: Sendable {
            let state = Mutex<(changes: [ChangesV1.Change], batches: [ChangesV1.ChangeBatch])>(([], []))
        }

        private let received = Received()
        private let task: Task<Void, Never>

        init(_ client: RPCClient, _ request: ChangesV1.WatchRequest) {
            let received = self.received
            let stream = client.serverStreaming(
                ChangesV1.Changes.watch, request, options: RPCCallOptions(timeout: .seconds(600), caller: .manager(1)))
            task = Task {
                do {
                    for try await batch in stream {
                        received.state.withLock { state in
                            state.batches.append(batch)
                            state.changes += batch.changes
                        }
                    }
                } catch {}
            }
        }

        var changes: [ChangesV1.Change] { received.state.withLock { $0.changes } }
        var batches: [ChangesV1.ChangeBatch] { received.state.withLock { $0.batches } }

        /// Waits (30 s at most) until `count` changes came.
        func waitFor(changes count: Int) async throws -> [ChangesV1.Change] {
            let deadline = ContinuousClock.now + .seconds(30)
            while changes.count < count, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            return changes
        }

        /// Waits (30 s at most) until a batch came.
        func firstBatch() async throws -> ChangesV1.ChangeBatch? {
            let deadline = ContinuousClock.now + .seconds(30)
            while batches.isEmpty, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
            return batches.first
        }

        func stop() { task.cancel() }
    }

    private static func fromHead() -> ChangesV1.WatchRequest {
        var request = ChangesV1.WatchRequest()
        request.fromHead = true
        return request
    }

    private static func after(_ position: Int64) -> ChangesV1.WatchRequest {
        var request = ChangesV1.WatchRequest()
        request.afterPosition = position
        return request
    }

    @Test("tasks and notes publish their widget with the client, in commit order; a refused write publishes nothing")
    func mutationsPublish() async throws {
        try await withTasksService { harness in
            let feed = FeedReader(harness.client, Self.fromHead())
            defer { feed.stop() }
            let head = try #require(try await feed.firstBatch())
            #expect(head.changes.isEmpty && !head.gap)

            let task = try await harness.call(TasksV1.Tasks.createTask, Make.task(client: 41, performer: 1)).task
            var note = TasksV1.CreateNoteRequest()
            note.clientID = 42
            note.text = "called"
            _ = try await harness.call(TasksV1.Tasks.createNote, note)
            // Refused: no such task. Nothing is written, so nothing is published.
            var missing = TasksV1.CompleteTaskRequest()
            missing.taskID = 9_999
            await #expect(throws: RPCError.self) { _ = try await harness.call(TasksV1.Tasks.completeTask, missing) }
            var complete = TasksV1.CompleteTaskRequest()
            complete.taskID = try #require(task?.taskID)
            _ = try await harness.call(TasksV1.Tasks.completeTask, complete)

            let changes = try await feed.waitFor(changes: 3)
            #expect(changes.map(\.widget) == ["tasks", "notes", "tasks"])
            #expect(changes.map(\.clientID) == [41, 42, 41])
            #expect(zip(changes, changes.dropFirst()).allSatisfy { $0.position < $1.position })
            #expect(try await harness.store.database.changeFeedHead() == changes.last?.position)
        }
    }

    @Test("a caller resumes from its last position and gets what it missed")
    func resumesFromAPosition() async throws {
        try await withTasksService { harness in
            for client in Int64(1)...3 { _ = try await harness.call(TasksV1.Tasks.createTask, Make.task(client: client, performer: 1)) }
            let feed = FeedReader(harness.client, Self.after(1))
            defer { feed.stop() }
            let changes = try await feed.waitFor(changes: 2)
            #expect(changes.map(\.position) == [2, 3])
            #expect(changes.map(\.clientID) == [2, 3])
        }
    }

    @Test("a position the service no longer holds is a gap, and the feed goes on from the head")
    func prunedPositionIsAGap() async throws {
        try await withTasksService { harness in
            for client in Int64(1)...3 { _ = try await harness.call(TasksV1.Tasks.createTask, Make.task(client: client, performer: 1)) }
            try await harness.store.database.pruneChanges(before: Int64.max)
            let feed = FeedReader(harness.client, Self.after(1))
            defer { feed.stop() }
            let first = try #require(try await feed.firstBatch())
            #expect(first.gap && first.headPosition == 3)
            _ = try await harness.call(TasksV1.Tasks.createTask, Make.task(client: 8, performer: 1))
            let changes = try await feed.waitFor(changes: 1)
            #expect(changes.map(\.position) == [4])
        }
    }

    @Test("a negative position is refused naming the field")
    func negativePosition() async throws {
        try await withTasksService { harness in
            let stream = harness.client.serverStreaming(
                ChangesV1.Changes.watch, Self.after(-1), options: RPCCallOptions(caller: .manager(1)))
            do {
                for try await _ in stream {}
                Issue.record("the feed accepted a negative position")
            } catch let error as RPCError {
                #expect(error.code == .invalidArgument)
                #expect(error.violations.map(\.field) == ["after_position"])
            }
        }
    }
}
