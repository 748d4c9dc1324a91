import ArgumentParser

/// `chatpaneld clients`: runs the clients process.
struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clients", abstract: "Runs the clients process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        throw ValidationError("the clients process is not built yet")
    }
}
