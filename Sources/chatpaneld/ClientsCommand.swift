import ArgumentParser
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
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
        let configuration = try options.resolve(name: "clients")
        let logger = ChatPanelProcess.makeLogger(name: "clients", level: configuration.logLevel)
        guard tagJobBatchSize > 0 else { throw ValidationError("--tag-job-batch-size must be positive") }
        let region = (phoneRegion ?? ProcessInfo.processInfo.environment[ClientsConfiguration.phoneRegionEnvironmentKey])?.uppercased()
        let clientsConfiguration = ClientsConfiguration(phoneRegion: region ?? ClientsConfiguration.defaultPhoneRegion)
        guard PhoneNumber.isSupportedRegion(clientsConfiguration.phoneRegion) else {
            throw ValidationError("--phone-region \(clientsConfiguration.phoneRegion) is not a region libphonenumber knows")
        }
        try FileManager.default.createDirectory(atPath: configuration.stateDirectory, withIntermediateDirectories: true)
        // Open and migrate before listening: READY=1 means the database is usable.
        let store = try ClientsStore(path: "\(configuration.stateDirectory)/clients.sqlite")
        var runnerConfiguration = TagJobRunner.Configuration()
        runnerConfiguration.batchSize = tagJobBatchSize
        // The runner resumes a tag job a restart interrupted as soon as it starts.
        let tagJobs = TagJobRunner(store: store, configuration: runnerConfiguration, logger: logger)
        try await ChatPanelProcess.run(
            configuration: configuration, router: ClientsService.makeRouter(store: store, configuration: clientsConfiguration),
            health: ClientsService.makeHealthReporter(store: store),
            backgroundServices: [tagJobs, IdempotencyRecordPruner(store: store.database, logger: logger)],
            environment: ProcessInfo.processInfo.environment, logger: logger)
    }
}
