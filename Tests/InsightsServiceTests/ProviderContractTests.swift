import ChatPanelProto
import Foundation
import InsightsService
import Testing

/// The OpenAI-compatible provider against a local server on loopback: its answer becomes the
/// summary; an error, a bad answer, no server or no answer within the deadline make the
/// offline summarizer write it, and the summary says why.
@Suite struct ProviderContractTests {
    let start = Time.at("2026-04-01T08:00:00Z")

    func settings(port: Int, timeout: Duration = .seconds(30)) throws -> ChatCompletionsSettings {
        ChatCompletionsSettings(
            endpoint: try HTTPEndpoint(url: "http://127.0.0.1:\(port)/v1/chat/completions"), model: "local-test-model",
            apiKey: "test-key", timeout: timeout)
    }

    @Test func theModelsAnswerIsTheSummary() async throws {
        let server = ModelServer(
            answer: .completion(
                #"{"intent": "Купить кофемашину для офиса", "highlights": ["Выбрали Philips 3200"], "open_questions": ["Доставка в субботу?"], "promised_actions": ["Отправить счёт"]}"#
            ))
        try await server.serve { port in
            try await withInsightsService(provider: try settings(port: port)) { service in
                try await service.append(RussianChat.messages(start: start))
                let summary = try await service.summarize("d1")
                #expect(summary.summarizer == .chatCompletions && summary.model == "local-test-model" && summary.fallbackReason.isEmpty)
                #expect(summary.intent == "Купить кофемашину для офиса")
                #expect(summary.highlights == ["Выбрали Philips 3200"] && summary.openQuestions == ["Доставка в субботу?"])
                #expect(summary.promisedActions == ["Отправить счёт"])
                // Entities come from the messages, not from the model.
                #expect(summary.entities.contains { $0.kind == .email && $0.text == "anna.petrova@example.ru" })
                #expect(summary.messagesUsed == UInt32(RussianChat.count))
            }
        }
        let request = try #require(server.requests.first)
        #expect(request.method == "POST" && request.path == "/v1/chat/completions")
        #expect(request.headers["authorization"] == "Bearer test-key" && request.headers["content-type"] == "application/json")
        let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body.utf8)) as? [String: Any])
        #expect(body["model"] as? String == "local-test-model")
        let messages = try #require(body["messages"] as? [[String: Any]])
        #expect(messages.first?["role"] as? String == "system")
        let conversation = try #require(messages.last?["content"] as? String)
        #expect(conversation.split(separator: "\n").count == RussianChat.count)
        #expect(conversation.contains("customer Анна: Здравствуйте! Хочу купить кофемашину для офиса, на 20 человек."))
    }

    @Test func noAnswerWithinTheDeadlineFallsBackToTheOfflineSummarizer() async throws {
        let server = ModelServer(answer: ModelServer.Answer(status: 200, body: "{}", delay: .seconds(5)))
        try await server.serve { port in
            try await withInsightsService(provider: try settings(port: port, timeout: .milliseconds(500))) { service in
                try await service.append(RussianChat.messages(start: start))
                let summary = try await service.summarize("d1")
                // Had the 5 s answer been waited for, its "{}" would fall back as not a chat
                // completion: "no answer" shows the deadline cut the wait (no wall-clock bound,
                // which a loaded machine can pass).
                #expect(summary.summarizer == .offlineExtractive && summary.model.isEmpty)
                #expect(summary.fallbackReason.contains("no answer") && summary.fallbackReason.contains("0.5 s"), "\(summary.fallbackReason)")
                #expect(summary.openQuestions == ["А доставка в субботу возможна?"])
                #expect(summary.text.contains("Модель недоступна"))
            }
        }
    }

    @Test(arguments: [
        (ModelServer.Answer(status: 500, body: #"{"error":"overloaded"}"#), "HTTP status 500"),
        (ModelServer.Answer.completion("Клиент хочет кофемашину."), "not the JSON object asked for"),
        (ModelServer.Answer(status: 200, body: "<html></html>"), "not a chat completion"),
    ])
    func aFailedAnswerFallsBack(answer: ModelServer.Answer, reason: String) async throws {
        let server = ModelServer(answer: answer)
        try await server.serve { port in
            try await withInsightsService(provider: try settings(port: port)) { service in
                try await service.append(RussianChat.messages(start: start))
                let summary = try await service.summarize("d1")
                #expect(summary.summarizer == .offlineExtractive)
                #expect(summary.fallbackReason.contains(reason), "\(summary.fallbackReason)")
            }
        }
    }

    @Test func noServerFallsBack() async throws {
        // A port that was free a moment ago: nothing listens there.
        let port = try await ModelServer(answer: .completion("{}")).serve { $0 }
        try await withInsightsService(provider: try settings(port: port)) { service in
            try await service.append(RussianChat.messages(start: start))
            let summary = try await service.summarize("d1")
            #expect(summary.summarizer == .offlineExtractive && summary.fallbackReason.contains("cannot connect"), "\(summary.fallbackReason)")
        }
    }

    @Test func onlyHTTPAddressesAreAccepted() throws {
        #expect(throws: (any Error).self) { try HTTPEndpoint(url: "https://api.example/v1/chat/completions") }
        #expect(throws: (any Error).self) { try HTTPEndpoint(url: "localhost:8080") }
        let endpoint = try HTTPEndpoint(url: "http://127.0.0.1/v1/chat/completions")
        #expect(endpoint.port == 80 && endpoint.path == "/v1/chat/completions")
    }
}
