import ArgumentParser
import ChatPanelRPC
import ChatPanelRuntime
import EchoService
import Foundation

/// `chatpaneld echo`: the echo service (tests, benchmarks, checking a socket works).
struct EchoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "echo", abstract: "Runs the echo service.")

    @OptionGroup var options: ProcessOptions

    func run() async throws {
        let configuration = try options.resolve(name: "echo")
        let logger = ChatPanelProcess.makeLogger(name: "echo", level: configuration.logLevel)
        try await ChatPanelProcess.run(
            configuration: configuration, router: EchoService.makeRouter(), health: HealthReporter(process: "echo"),
            environment: ProcessInfo.processInfo.environment, logger: logger)
    }
}
