import ChatPanelProto
import ChatPanelRPC
import Foundation
import TasksService
import Testing

/// Request validation, without a server.
@Suite struct ValidationTests {
    private func fields(_ body: () throws -> Void) -> Set<String> {
        do {
            try body()
            return []
        } catch let error as RPCError {
            #expect(error.code == .invalidArgument)
            return Set(error.violations.map(\.field))
        } catch {
            Issue.record("unexpected \(error)")
            return ["?"]
        }
    }

    @Test func aCreatedTaskDefaultsItsPerformerToTheAuthor() throws {
        let task = try Make.task(client: 3, title: "t", deadline: Make.deadline(local: "2030-05-01T09:00", zone: "Europe/Moscow"))
            .validated(authorID: 42)
        #expect(task.subject == .client(3) && task.performerID == 42 && task.authorID == 42)
        #expect(task.deadline?.timeZoneName == "Europe/Moscow")
        #expect(try Make.task(client: 0, order: "7", performer: 5).validated(authorID: 42).subject == .order("7"))
    }

    @Test func taskFieldsAreCheckedTogether() {
        #expect(fields { _ = try Make.task(client: 0, title: "").validated(authorID: 1) } == ["client_id", "title"])
        #expect(fields { _ = try Make.task(client: 1, order: "x").validated(authorID: 1) } == ["order_number"])
        #expect(fields { _ = try Make.task(client: 0, order: "   ").validated(authorID: 1) } == ["order_number"])
        #expect(fields { _ = try Make.task(title: String(repeating: "👍🏽", count: 250)).validated(authorID: 1) } == [])
        #expect(fields { _ = try Make.task(title: String(repeating: "👍🏽", count: 251)).validated(authorID: 1) } == ["title"])
        #expect(
            fields { _ = try Make.task(deadline: Make.deadline(local: "tomorrow", zone: "Nowhere/City")).validated(authorID: 1) }
                == ["deadline.local_time", "deadline.time_zone"])
        #expect(
            fields { _ = try Make.task(deadline: Make.deadline(local: "1969-12-31T23:00", zone: "UTC")).validated(authorID: 1) }
                == ["deadline.local_time"])
        #expect(fields { _ = try Make.task(deadline: Make.deadline(at: 253_402_300_800_000)).validated(authorID: 1) } == ["deadline.at_ms"])
    }

    @Test func editsAreChecked() throws {
        var update = TasksV1.UpdateTaskRequest()
        #expect(fields { _ = try update.validated() } == ["task_id"])
        update.taskID = 1
        update.clearDeadline = true
        #expect(try update.validated().deadline == .clear)
        update.deadline = Make.deadline(at: 4_102_444_800_000)
        #expect(fields { _ = try update.validated() } == ["clear_deadline"])
        update.clearDeadline = false
        update.performerID = -2
        #expect(fields { _ = try update.validated() } == ["performer_id"])
    }

    @Test func listQueriesGetDefaultPageSizes() throws {
        #expect(try Make.list().validated(managerID: 1).pageSize == TaskLimits.defaultPageSize)
        #expect(try Make.notes().validated().pageSize == 5)
        let token = NoteCursor(clientID: 10, createdAtMilliseconds: 5, noteID: 6).token
        let next = try Make.notes(token: token).validated()
        #expect(next.pageSize == 3 && next.after?.noteID == 6 && next.previewLength == NoteLimits.defaultPreviewLength)
        #expect(try Make.notes(pageSize: 7, token: token, preview: 40).validated().pageSize == 7)
    }

    @Test func notesAreCheckedInCharactersAsTheUserSeesThem() {
        #expect(fields { try Make.note(text: String(repeating: "🇷🇺", count: 2000)).validate() } == [])
        #expect(fields { try Make.note(text: String(repeating: "🇷🇺", count: 2001)).validate() } == ["text"])
        #expect(fields { try Make.note(text: String(repeating: "е\u{0301}", count: 2000)).validate() } == [])
        #expect(fields { try Make.note(client: -1, text: "").validate() } == ["client_id", "text"])
    }

    @Test func movesNeedTwoDifferentClients() {
        #expect(fields { try Make.move(from: 1, to: 2).validate() } == [])
        #expect(fields { try Make.move(from: 1, to: 1).validate() } == ["to_client_id"])
        #expect(fields { try Make.move(from: 0, to: 0).validate() } == ["from_client_id", "to_client_id"])
    }
}
