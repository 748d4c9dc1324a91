import ChatPanelProto
import TasksService
import Testing

/// Page tokens are opaque and refuse to be something else.
@Suite struct PageTokenTests {
    @Test func roundTrips() {
        let tasks = TaskCursor(clientID: 12, view: .mine, deadlineSortKey: TaskCursor.noDeadlineSortKey, taskID: 99)
        #expect(TaskCursor(token: tasks.token) == tasks)
        let notes = NoteCursor(clientID: 12, createdAtMilliseconds: 1_700_000_000_000, noteID: 5)
        #expect(NoteCursor(token: notes.token) == notes)
        #expect(!tasks.token.contains("12:"))  // opaque, not the plain text
    }

    @Test func refusesTokensOfAnotherKindOrTampered() {
        let tasks = TaskCursor(clientID: 12, view: .all, deadlineSortKey: 5, taskID: 99)
        #expect(NoteCursor(token: tasks.token) == nil)
        #expect(TaskCursor(token: "") == nil)
        #expect(TaskCursor(token: String(tasks.token.dropLast(2))) == nil)
        #expect(TaskCursor(token: String(repeating: "A", count: 1000)) == nil)
    }
}
