import ArgumentParser

/// `chatpanelctl panel`: the composed chat panel of a manager and a dialog.
struct PanelCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "panel", abstract: "Shows the composed chat panel.", subcommands: [])
}

/// `chatpanelctl layout …`: a manager's panel layout.
struct LayoutCommands: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "layout", abstract: "Shows and changes a manager's layout.", subcommands: [])
}
