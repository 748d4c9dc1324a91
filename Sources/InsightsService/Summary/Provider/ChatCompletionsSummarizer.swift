import ChatPanelProto
import Foundation

/// The settings of an OpenAI-compatible chat completions provider.
public struct ChatCompletionsSettings: Sendable, Hashable {
    /// The endpoint, like `http://127.0.0.1:8080/v1/chat/completions`.
    public var endpoint: HTTPEndpoint
    /// The model name sent in the request.
    public var model: String
    /// The bearer token (read from the key file); nil: no Authorization header.
    public var apiKey: String?
    /// How long a summary may take before the offline summarizer makes it instead (SUMMARY-2: 30 s).
    public var timeout: Duration

    /// Settings; the timeout defaults to 30 seconds.
    public init(endpoint: HTTPEndpoint, model: String, apiKey: String? = nil, timeout: Duration = .seconds(30)) {
        self.endpoint = endpoint
        self.model = model
        self.apiKey = apiKey
        self.timeout = timeout
    }

    /// The key in `path` (its first line, trimmed).
    ///
    /// - Throws: ``ProviderError`` when it cannot be read or is empty.
    public static func readKey(path: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path),
            let key = String(decoding: data, as: UTF8.self).split(whereSeparator: \.isNewline).first?
                .trimmingCharacters(in: .whitespaces), !key.isEmpty
        else { throw ProviderError("cannot read a key from \(path)") }
        return key
    }
}

/// A summarizer that asks a model behind an OpenAI-compatible `chat/completions` endpoint for
/// the summary's fields as JSON. When the model cannot be used (unreachable, no answer within
/// the deadline, an error status, an answer not in the asked form) the offline summarizer
/// makes the summary and the answer says why (`fallback_reason`). Entities are always found by
/// the offline patterns (a model may invent them).
struct ChatCompletionsSummarizer: Summarizer {
    /// The provider.
    let settings: ChatCompletionsSettings
    /// What makes the summary when the provider cannot.
    let fallback = ExtractiveSummarizer()

    /// The instructions sent as the system message.
    static let instructions = """
        You summarize a conversation between an online shop's manager and a customer, for the manager. \
        Answer with one JSON object and nothing else: {"intent": string (what the customer wants, one sentence), \
        "highlights": [string] (at most 5 key points), "open_questions": [string] (customer questions not answered yet), \
        "promised_actions": [string] (what the shop promised to do next)}. Write in the language of the conversation.
        """

    func summarize(_ messages: [StoredMessage]) async throws -> SummaryContent {
        do {
            var content = try await ask(messages)
            content.entities = try EntityExtractor().entities(in: messages.map(\.text))
            content.language = ExtractiveSummarizer.language(of: messages)
            content.summarizer = .chatCompletions
            content.model = settings.model
            return content
        } catch let error as ProviderError {
            var content = try await fallback.summarize(messages)
            content.fallbackReason = "\(settings.model) at \(settings.endpoint): \(error.description)"
            return content
        }
    }

    /// The request body: the model, the instructions, and the conversation one line a message.
    func requestBody(_ messages: [StoredMessage]) throws -> [UInt8] {
        let conversation = messages.map { message in
            "[\(SummaryText.time(message.sentAtMs, ru: false)) UTC] \(message.isIncoming ? "customer" : "shop") \(message.line)"
        }.joined(separator: "\n")
        let body: [String: Any] = [
            "model": settings.model,
            "temperature": 0,
            "response_format": ["type": "json_object"],
            "messages": [["role": "system", "content": Self.instructions], ["role": "user", "content": conversation]],
        ]
        return [UInt8](try JSONSerialization.data(withJSONObject: body, options: [.sortedKeys]))
    }

    private func ask(_ messages: [StoredMessage]) async throws -> SummaryContent {
        var headers: [(String, String)] = [("Accept", "application/json")]
        if let key = settings.apiKey { headers.append(("Authorization", "Bearer \(key)")) }
        let response = try await HTTPClient.post(settings.endpoint, headers: headers, body: try requestBody(messages), timeout: settings.timeout)
        guard (200..<300).contains(response.status) else {
            let detail = String(decoding: response.body.prefix(200), as: UTF8.self)
            throw ProviderError("HTTP status \(response.status): \(detail)")
        }
        guard let answer = try? JSONSerialization.jsonObject(with: Data(response.body)) as? [String: Any],
            let choices = answer["choices"] as? [[String: Any]], let message = choices.first?["message"] as? [String: Any],
            let text = message["content"] as? String
        else { throw ProviderError("the answer is not a chat completion") }
        guard let fields = try? JSONSerialization.jsonObject(with: Data(Self.jsonObjectText(text).utf8)) as? [String: Any],
            let intent = fields["intent"] as? String
        else { throw ProviderError("the model's answer is not the JSON object asked for") }
        var content = SummaryContent()
        content.intent = intent
        content.highlights = Self.strings(fields["highlights"])
        content.openQuestions = Self.strings(fields["open_questions"])
        content.promisedActions = Self.strings(fields["promised_actions"])
        return content
    }

    /// The JSON object in a model's text (models sometimes wrap it in a code fence).
    static func jsonObjectText(_ text: String) -> String {
        guard let start = text.firstIndex(of: "{"), let end = text.lastIndex(of: "}"), start < end else { return text }
        return String(text[start...end])
    }

    private static func strings(_ value: Any?) -> [String] {
        ((value as? [Any]) ?? []).compactMap { $0 as? String }.filter { !$0.isEmpty }
    }
}
