import ArgumentParser

/// `chatpanelctl tasks …`: a client's tasks.
struct TasksCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "tasks", abstract: "A client's tasks.", subcommands: [])
}

/// `chatpanelctl notes …`: a client's notes.
struct NotesCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "notes", abstract: "A client's notes.", subcommands: [])
}
