import ChatPanelProto
import Foundation

/// How a summary is made: the tokenizer that counts the budget, the budget, and the summarizer.
public struct SummaryEngine: Sendable {
    /// Counts tokens (cl100k_base).
    let tokenizer: BPETokenizer
    /// The model's budget and its margin.
    let budget: TokenBudget
    /// Makes the summary's content.
    let summarizer: any Summarizer

    /// An engine with the chat completions provider when one is configured, else the offline summarizer.
    public init(tokenizer: BPETokenizer, budget: TokenBudget, provider: ChatCompletionsSettings? = nil) {
        self.tokenizer = tokenizer
        self.budget = budget
        self.summarizer = provider.map { ChatCompletionsSummarizer(settings: $0) } ?? ExtractiveSummarizer()
    }

    /// An engine with `summarizer` (the tests' own).
    init(tokenizer: BPETokenizer, budget: TokenBudget, summarizer: any Summarizer) {
        self.tokenizer = tokenizer
        self.budget = budget
        self.summarizer = summarizer
    }

    /// The summary of the selected messages, with its period and counts, and its plain text.
    func summary(of selection: BudgetSelection, dialogID: String, clientID: Int64?, messageCount: Int) async throws -> InsightsV1.Summary {
        let content = try await summarizer.summarize(selection.messages)
        var summary = InsightsV1.Summary()
        summary.dialogID = dialogID
        summary.clientID = clientID ?? 0
        summary.intent = content.intent
        summary.highlights = content.highlights
        summary.openQuestions = content.openQuestions
        summary.promisedActions = content.promisedActions
        summary.entities = content.entities
        summary.periodStartMs = selection.messages.first?.sentAtMs ?? 0
        summary.periodEndMs = selection.messages.last?.sentAtMs ?? 0
        summary.messagesUsed = UInt32(selection.messages.count)
        summary.messagesTotal = UInt32(max(messageCount, selection.messages.count))
        summary.tokensUsed = UInt32(selection.tokens)
        summary.tokenBudget = UInt32(budget.usable)
        summary.newestMessageCut = selection.newestCut
        summary.summarizer = content.summarizer
        summary.model = content.model
        summary.fallbackReason = content.fallbackReason
        summary.text = SummaryText.render(summary, language: content.language)
        return summary
    }
}

/// The plain text of a summary, what "copy" gives (SUMMARY-4): labels in the conversation's
/// language, times in UTC.
enum SummaryText {
    /// The summary as text.
    static func render(_ summary: InsightsV1.Summary, language: String) -> String {
        let ru = language == "ru"
        var lines: [String] = [ru ? "Резюме переписки" : "Conversation summary"]
        let period = "\(time(summary.periodStartMs, ru: ru)) — \(time(summary.periodEndMs, ru: ru)) UTC"
        lines.append(
            ru
                ? "Период: \(period) (сообщений: \(summary.messagesUsed) из \(summary.messagesTotal), токенов: \(summary.tokensUsed))"
                : "Period: \(period) (\(summary.messagesUsed) of \(summary.messagesTotal) messages, \(summary.tokensUsed) tokens)")
        if !summary.intent.isEmpty { lines.append((ru ? "Намерение клиента: " : "Customer's intent: ") + summary.intent) }
        func section(_ title: String, _ items: [String]) {
            guard !items.isEmpty else { return }
            lines.append(title)
            lines.append(contentsOf: items.map { "• " + $0 })
        }
        section(ru ? "Главное:" : "Key points:", summary.highlights)
        section(ru ? "Открытые вопросы:" : "Open questions:", summary.openQuestions)
        section(ru ? "Обещано клиенту:" : "Promised next steps:", summary.promisedActions)
        if !summary.entities.isEmpty {
            lines.append((ru ? "Упомянуто: " : "Mentioned: ") + summary.entities.map(\.text).joined(separator: "; "))
        }
        if !summary.fallbackReason.isEmpty {
            lines.append((ru ? "Модель недоступна, резюме составлено без неё: " : "The model was not available, made without it: ") + summary.fallbackReason)
        }
        return lines.joined(separator: "\n")
    }

    /// A UTC time as "dd.MM.yyyy HH:mm" (ru) or "yyyy-MM-dd HH:mm" (en).
    static func time(_ milliseconds: Int64, ru: Bool) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents(
            [.year, .month, .day, .hour, .minute], from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        func two(_ value: Int?) -> String { (value ?? 0) < 10 ? "0\(value ?? 0)" : "\(value ?? 0)" }
        let year = parts.year ?? 1970
        return ru
            ? "\(two(parts.day)).\(two(parts.month)).\(year) \(two(parts.hour)):\(two(parts.minute))"
            : "\(year)-\(two(parts.month))-\(two(parts.day)) \(two(parts.hour)):\(two(parts.minute))"
    }
}
