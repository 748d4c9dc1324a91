import ArgumentParser

/// `chatpaneld gateway`: runs the gateway process.
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gateway", abstract: "Runs the gateway process.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        throw ValidationError("the gateway process is not built yet")
    }
}
