import ChatPanelProto

/// What a summarizer returns: the summary's content; the period, counts and who asked are
/// filled in by the service.
struct SummaryContent: Sendable {
    /// The customer's intent, in their words.
    var intent = ""
    /// Key messages, oldest first, as "author: text".
    var highlights: [String] = []
    /// Customer questions no shop message has followed.
    var openQuestions: [String] = []
    /// What the shop promised to do next.
    var promisedActions: [String] = []
    /// Order numbers, sums, dates, phones, emails.
    var entities: [InsightsV1.Entity] = []
    /// The language the conversation is mostly in: "ru" or "en" (the summary's labels follow it).
    var language = "ru"
    /// Which summarizer made it (the offline one when a provider fell back to it).
    var summarizer = InsightsV1.Summarizer.offlineExtractive
    /// The model that wrote it; empty for the offline summarizer.
    var model = ""
    /// Why the configured provider was not used; empty when it was (or none is configured).
    var fallbackReason = ""
}

/// Makes a summary of messages (oldest first, all fitting the budget). Implementations are
/// deterministic for the same messages.
protocol Summarizer: Sendable {
    /// The summary of `messages`.
    func summarize(_ messages: [StoredMessage]) async throws -> SummaryContent
}
