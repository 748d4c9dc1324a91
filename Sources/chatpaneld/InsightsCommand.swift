import ArgumentParser
import ChatPanelRuntime
import Foundation
import InsightsService

/// `chatpaneld insights`: runs the insights process (messages and summaries, page views and visits).
struct InsightsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "insights", abstract: "Runs the insights process (conversation summaries and site visits).")

    @OptionGroup var options: ProcessOptions

    @Option(
        help: """
            The cl100k_base.tiktoken vocabulary (env: \(InsightsConfiguration.vocabularyEnvironmentKey); \
            default \(InsightsConfiguration.defaultVocabularyPath), installed by make deps).
            """)
    var tokenizerVocabulary: String?

    @Option(help: "The summary model's input budget in tokens.")
    var summaryTokenBudget: Int = TokenBudget().modelBudget

    @Option(help: "The share of the budget kept free for other models' tokenizers, in percent (0 to 50).")
    var summaryTokenMargin: Int = TokenBudget().marginPercent

    @Option(help: "The uap-core rules the device is read with (Debian uap-core).")
    var userAgentRules: String = UserAgentParser.defaultRulesPath

    @Option(help: "The IPv4 country ranges (Debian tor-geoipdb); the IPv6 file beside it is read too when present.")
    var countryRanges: String = CountryRanges.defaultIPv4Path

    @Option(help: "An operator's MaxMind DB (.mmdb, City or Country layout): country and city of page views' addresses, before the country ranges.")
    var cityDatabase: String?

    @Option(help: "Days a page view's IP address is kept (0: not stored; country is resolved when recorded).")
    var ipRetentionDays: Int = 30

    @Option(help: "An OpenAI-compatible chat completions address (http://host:port/v1/chat/completions) that writes summaries; without it the offline summarizer does.")
    var summaryProviderURL: String?

    @Option(help: "The model named in the provider's requests.")
    var summaryProviderModel: String?

    @Option(help: "A file whose first line is the provider's API key (sent as a bearer token).")
    var summaryProviderKeyFile: String?

    @Option(help: "Seconds the provider may take before the offline summarizer makes the summary instead.")
    var summaryProviderTimeoutSeconds: Int = 30

    func run() async throws {
        guard summaryTokenBudget >= 100 else { throw ValidationError("--summary-token-budget must be at least 100") }
        guard (0...50).contains(summaryTokenMargin) else { throw ValidationError("--summary-token-margin must be 0 to 50") }
        guard ipRetentionDays >= 0 else { throw ValidationError("--ip-retention-days must not be negative") }
        let vocabulary =
            tokenizerVocabulary ?? ProcessInfo.processInfo.environment[InsightsConfiguration.vocabularyEnvironmentKey]
            ?? InsightsConfiguration.defaultVocabularyPath
        let ipv6 = (countryRanges as NSString).deletingLastPathComponent + "/geoip6"
        var configuration: InsightsConfiguration
        do {
            configuration = try InsightsConfiguration.load(
                vocabularyPath: vocabulary, userAgentRulesPath: userAgentRules, countryRangesPath: countryRanges,
                countryRangesIPv6Path: ipv6, cityDatabasePath: cityDatabase)
        } catch {
            throw ValidationError("\(error)")
        }
        configuration.budget = TokenBudget(modelBudget: summaryTokenBudget, marginPercent: summaryTokenMargin)
        configuration.ipRetention = ipRetentionDays == 0 ? nil : .seconds(ipRetentionDays * 86_400)
        if let summaryProviderURL {
            guard let model = summaryProviderModel, !model.isEmpty else {
                throw ValidationError("--summary-provider-url needs --summary-provider-model")
            }
            guard (1...300).contains(summaryProviderTimeoutSeconds) else {
                throw ValidationError("--summary-provider-timeout-seconds must be 1 to 300")
            }
            do {
                configuration.summaryProvider = ChatCompletionsSettings(
                    endpoint: try HTTPEndpoint(url: summaryProviderURL), model: model,
                    apiKey: try summaryProviderKeyFile.map { try ChatCompletionsSettings.readKey(path: $0) },
                    timeout: .seconds(summaryProviderTimeoutSeconds))
            } catch {
                throw ValidationError("\(error)")
            }
        }
        try await options.serve(InsightsService.self, configuration: configuration)
    }
}
