import ArgumentParser
import ChatPanelRuntime
import ClientsService
import Foundation

/// `chatpaneld clients`: runs the clients process (clients, dialogs, tags, custom fields,
/// duplicates and merges) with its background tag job runner.
struct ClientsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "clients", abstract: "Runs the clients process.")

    @OptionGroup var options: ProcessOptions

    @Option(help: "Client-tag links a tag deletion removes per transaction.")
    var tagJobBatchSize: Int = 5_000

    @Option(
        help: """
            The shop's region (like RU or US): phone numbers without + are read as dialled there \
            (env: \(ClientsConfiguration.phoneRegionEnvironmentKey); default \(ClientsConfiguration.defaultPhoneRegion)).
            """)
    var phoneRegion: String?

    func run() async throws {
        guard tagJobBatchSize > 0 else { throw ValidationError("--tag-job-batch-size must be positive") }
        let region = (phoneRegion ?? ProcessInfo.processInfo.environment[ClientsConfiguration.phoneRegionEnvironmentKey])?.uppercased()
        var configuration = ClientsConfiguration(phoneRegion: region ?? ClientsConfiguration.defaultPhoneRegion)
        guard PhoneNumber.isSupportedRegion(configuration.phoneRegion) else {
            throw ValidationError("--phone-region \(configuration.phoneRegion) is not a region libphonenumber knows")
        }
        configuration.tagJobs?.batchSize = tagJobBatchSize
        try await options.serve(ClientsService.self, configuration: configuration)
    }
}
