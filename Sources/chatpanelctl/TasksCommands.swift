import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The tasks process's socket when neither `--socket` nor `CHATPANEL_SOCKET` names one.
private let tasksSocket = "run/state/tasks.sock"

/// `chatpanelctl tasks …`: a client's tasks.
struct TasksCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks", abstract: "A client's tasks.",
        subcommands: [ListTasks.self, CreateTask.self, GetTask.self, CompleteTask.self, ReopenTask.self, MoveClientRecords.self])

    /// `chatpanelctl tasks list`: a page of a client's open tasks.
    struct ListTasks: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists a client's open tasks by deadline.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Flag(help: "Only tasks whose author and performer are the manager (the \"Mine\" tab).") var mine = false
        @Option(help: "Tasks per page (0: 20).") var pageSize: UInt32 = 0
        @Option(help: "The next_page_token of the previous page.") var pageToken = ""
        @Option(help: "Also list tasks completed at or after this time, UTC ms.") var completedSince: Int64?

        func run() async throws {
            var request = TasksV1.ListTasksRequest()
            request.clientID = client
            request.view = mine ? .mine : .all
            request.pageSize = pageSize
            request.pageToken = pageToken
            request.completedSinceMs = completedSince
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.listTasks, request) }
            try connection.output(response) {
                var lines = response.tasks.map(describe)
                if lines.isEmpty { lines.append("no open tasks") }
                if !response.nextPageToken.isEmpty { lines.append("more: --page-token \(response.nextPageToken)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl tasks create`: creates a task.
    struct CreateTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Creates a task for a client or an order.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client (or give --order).") var client: Int64 = 0
        @Option(help: "The order number, when the task has no client.") var order = ""
        @Option(help: "The title.") var title: String
        @Option(help: "The description.") var text = ""
        @Option(help: "Deadline as wall-clock time in --time-zone, like 2025-03-30T10:00.") var deadline: String?
        @Option(help: "Deadline as an instant, UTC ms.") var deadlineMs: Int64?
        @Option(help: "IANA time zone of the deadline, like Europe/Moscow.") var timeZone = ""
        @Option(help: "The performer (default: the manager).") var performer: Int64 = 0
        @Option(help: "Idempotency key: a retry with the same id is applied once.") var requestID = ""

        func run() async throws {
            var request = TasksV1.CreateTaskRequest()
            request.clientID = client
            request.orderNumber = order
            request.title = title
            request.text = text
            if deadline != nil || deadlineMs != nil {
                var value = TasksV1.Deadline()
                value.localTime = deadline ?? ""
                value.atMs = deadlineMs ?? 0
                value.timeZone = timeZone
                request.deadline = value
            }
            request.performerID = performer
            let options = RPCCallOptions(requestID: requestID.isEmpty ? UUID().uuidString : requestID)
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.createTask, request, options: options) }
            try connection.output(response) { response.task.map(describe) ?? "" }
        }
    }

    /// `chatpanelctl tasks get`: one task.
    struct GetTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Shows a task.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The task id.") var task: Int64

        func run() async throws {
            var request = TasksV1.GetTaskRequest()
            request.taskID = task
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.getTask, request) }
            try connection.output(response) {
                guard let task = response.task else { return "" }
                return describe(task) + (task.text.isEmpty ? "" : "\n\n" + task.text)
            }
        }
    }

    /// `chatpanelctl tasks complete`: ticks a task as done.
    struct CompleteTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "complete", abstract: "Completes a task.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The task id.") var task: Int64

        func run() async throws {
            var request = TasksV1.CompleteTaskRequest()
            request.taskID = task
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.completeTask, request, options: options) }
            try connection.output(response) { response.task.map(describe) ?? "" }
        }
    }

    /// `chatpanelctl tasks reopen`: opens a completed task again.
    struct ReopenTask: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "reopen", abstract: "Reopens a completed task.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The task id.") var task: Int64

        func run() async throws {
            var request = TasksV1.ReopenTaskRequest()
            request.taskID = task
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.reopenTask, request, options: options) }
            try connection.output(response) { response.task.map(describe) ?? "" }
        }
    }

    /// `chatpanelctl tasks move-client-records`: moves a client's tasks and notes to another (a merge).
    struct MoveClientRecords: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "move-client-records", abstract: "Moves every task and note of a client to another client.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client merged away.") var from: Int64
        @Option(help: "The client that stays.") var to: Int64
        @Option(help: "Idempotency key: a retry with the same id is applied once.") var requestID = ""

        func run() async throws {
            var request = TasksV1.MoveClientRecordsRequest()
            request.fromClientID = from
            request.toClientID = to
            let options = RPCCallOptions(requestID: requestID.isEmpty ? UUID().uuidString : requestID)
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.moveClientRecords, request, options: options) }
            try connection.output(response) {
                "moved \(response.tasksMoved) tasks and \(response.notesMoved) notes\(response.repeated ? " (repeated move)" : "")"
            }
        }
    }
}

/// `chatpanelctl notes …`: a client's notes.
struct NotesCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "notes", abstract: "A client's notes.", subcommands: [ListNotes.self, CreateNote.self, GetNote.self, DeleteNote.self])

    /// `chatpanelctl notes list`: a page of a client's notes, newest first.
    struct ListNotes: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "list", abstract: "Lists a client's notes, newest first.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "Notes per page (0: 5 first, then 3).") var pageSize: UInt32 = 0
        @Option(help: "The next_page_token of the previous page.") var pageToken = ""
        @Option(help: "Longest preview in characters (0: 300).") var previewLength: UInt32 = 0

        func run() async throws {
            var request = TasksV1.ListNotesRequest()
            request.clientID = client
            request.pageSize = pageSize
            request.pageToken = pageToken
            request.previewLength = previewLength
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.listNotes, request) }
            try connection.output(response) {
                var lines = response.notes.map(describe)
                if lines.isEmpty { lines.append("no notes") }
                if !response.nextPageToken.isEmpty { lines.append("more: --page-token \(response.nextPageToken)") }
                return lines.joined(separator: "\n")
            }
        }
    }

    /// `chatpanelctl notes create`: writes a note.
    struct CreateNote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "create", abstract: "Writes a note on a client.")

        @OptionGroup var connection: ConnectionOptions
        @Option(help: "The client.") var client: Int64
        @Option(help: "The text, 1 to 2000 characters.") var text: String
        @Option(help: "Idempotency key: a retry with the same id is applied once.") var requestID = ""

        func run() async throws {
            var request = TasksV1.CreateNoteRequest()
            request.clientID = client
            request.text = text
            let options = RPCCallOptions(requestID: requestID.isEmpty ? UUID().uuidString : requestID)
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.createNote, request, options: options) }
            try connection.output(response) { response.note.map(describe) ?? "" }
        }
    }

    /// `chatpanelctl notes get`: one note with its whole text.
    struct GetNote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "Shows a note's whole text.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The note id.") var note: Int64

        func run() async throws {
            var request = TasksV1.GetNoteRequest()
            request.noteID = note
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.getNote, request) }
            try connection.output(response) { response.note.map(describe) ?? "" }
        }
    }

    /// `chatpanelctl notes delete`: deletes a note (its author or an administrator).
    struct DeleteNote: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "delete", abstract: "Deletes a note.")

        @OptionGroup var connection: ConnectionOptions
        @Argument(help: "The note id.") var note: Int64

        func run() async throws {
            var request = TasksV1.DeleteNoteRequest()
            request.noteID = note
            let options = RPCCallOptions(requestID: UUID().uuidString)
            let response = try await connection.withClient(defaultPath: tasksSocket) { try await $0.unary(TasksV1.Tasks.deleteNote, request, options: options) }
            try connection.output(response) { "deleted note \(response.note?.noteID ?? note)" }
        }
    }
}


/// One line about a task: `#12 [ ] 2025-03-30T10:00:00 Europe/Moscow OVERDUE  Call back (performer 3, author 1)`.
private func describe(_ task: TasksV1.Task) -> String {
    let box = task.status == .completed ? "[x]" : "[ ]"
    let due = task.deadline.map { "\($0.localTime) \($0.timeZone)" } ?? "no deadline"
    let bound = task.clientID != 0 ? "client \(task.clientID)" : "order \(task.orderNumber)"
    return
        "#\(task.taskID) \(box) \(due)\(task.overdue ? " OVERDUE" : "")  \(task.title) (\(bound), performer \(task.performerID), author \(task.authorID))"
}

/// One note: `#7 by 3 at 2025-03-30T10:00:00Z: text…`.
private func describe(_ note: TasksV1.Note) -> String {
    let time = Date(timeIntervalSince1970: Double(note.createdAtMs) / 1000).ISO8601Format()
    return "#\(note.noteID) by \(note.authorID) at \(time): \(note.text)\(note.truncated ? "… (\(note.length) characters)" : "")"
}
