import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The offline summarizer: needs no model. The highlights are the messages TextRank ranks
/// highest (over Snowball-stemmed words, Russian and English); the intent, open questions and
/// promised actions are found by cue words; entities by patterns.
struct ExtractiveSummarizer: Summarizer {
    /// Most highlights in a summary.
    var maximumHighlights = 5
    /// Most promised actions listed (the newest ones).
    var maximumPromises = 5
    /// Highlights sharing more than this share of their terms with one already chosen are
    /// skipped as saying the same thing.
    var redundancy = 0.5
    /// Longest highlight or quoted sentence, in characters (longer ones are cut with "…").
    var maximumQuoteLength = 240
    /// Most messages ranked for the highlights (the newest ones); the default budget fits
    /// fewer than 800 messages.
    var maximumRanked = 1_000

    /// Word beginnings that say what a customer wants (Russian and English).
    static let intentCues = [
        "хочу", "хотел", "хотим", "нужн", "нужен", "интерес", "ищу", "ищем", "подобрат", "заказат", "закажу", "купит", "куплю",
        "оформит", "вернут", "верну", "обменят", "want", "need", "looking for", "interested", "to order", "buy", "purchase",
        "to return", "refund", "to exchange",
    ]
    /// Phrases with which a shop promises a next step.
    static let promiseCues = [
        "перезвоню", "перезвоним", "позвоню", "позвоним", "отправлю", "отправим", "пришлю", "пришлем", "пришлём", "вышлю", "вышлем",
        "напишу", "напишем", "свяжусь", "свяжемся", "уточню", "уточним", "проверю", "проверим", "оформлю", "оформим", "сообщу",
        "сообщим", "забронирую", "зарезервирую", "передам", "подготовлю", "подготовим", "i'll", "i will", "we'll", "we will",
        "will send", "will call", "will check", "let you know", "get back to you",
    ]

    func summarize(_ messages: [StoredMessage]) async throws -> SummaryContent {
        var content = SummaryContent()
        let withText = messages.filter { !TextRule.isBlank($0.text) }
        guard !withText.isEmpty else { return content }
        content.language = Self.language(of: withText)

        // Highlights are ranked among the newest messages only: TextRank weighs every pair of
        // messages that share a word, and a budget far above the default fits many thousands.
        let rankable = withText.suffix(maximumRanked)
        let stemmer = WordStemmer()
        var terms: [Set<String>] = []
        terms.reserveCapacity(rankable.count)
        for message in rankable {
            try Task.checkCancellation()
            terms.append(TextRank.terms(message.text, stemmer: stemmer))
        }
        let scores = try TextRank.scores(terms)
        let ranked = terms.indices.sorted { scores[$0] != scores[$1] ? scores[$0] > scores[$1] : $0 < $1 }
        var chosen: [Int] = []
        for index in ranked where chosen.count < maximumHighlights {
            let repeats = chosen.contains { other in
                let union = terms[index].union(terms[other]).count
                return union > 0 && Double(terms[index].intersection(terms[other]).count) / Double(union) > redundancy
            }
            if !repeats { chosen.append(index) }
        }
        content.highlights = chosen.sorted().map { quote(rankable[rankable.startIndex + $0].line) }

        // The customer's current wish: the newest of their sentences that says what they want.
        let incoming = withText.filter(\.isIncoming)
        if let intent = incoming.reversed().lazy.flatMap({ Self.sentences($0.text) }).first(where: { Self.contains($0, any: Self.intentCues) }) {
            content.intent = quote(intent)
        } else if let first = incoming.first {
            content.intent = quote(Self.sentences(first.text).first ?? first.text)
        }

        // Questions after the shop's last message have not been answered.
        let lastOutgoing = withText.lastIndex { !$0.isIncoming }
        let unanswered = withText[(lastOutgoing.map { $0 + 1 } ?? 0)...].filter(\.isIncoming)
        content.openQuestions = Self.unique(unanswered.flatMap { Self.sentences($0.text).filter { $0.hasSuffix("?") } }.map(quote))

        // The newest promises, each once, oldest first.
        let promises = withText.filter { !$0.isIncoming }.flatMap { Self.sentences($0.text).filter { Self.contains($0, any: Self.promiseCues) } }
        content.promisedActions = Array(Self.unique(promises.reversed().map(quote)).prefix(maximumPromises).reversed())
        try Task.checkCancellation()
        content.entities = try EntityExtractor().entities(in: withText.map(\.text))
        return content
    }

    /// "ru" when most letters are Cyrillic, else "en".
    static func language(of messages: [StoredMessage]) -> String {
        var cyrillic = 0
        var latin = 0
        for message in messages {
            for scalar in message.text.unicodeScalars where scalar.properties.isAlphabetic {
                if (0x0400...0x04FF).contains(scalar.value) { cyrillic += 1 } else if scalar.isASCII { latin += 1 }
            }
        }
        return cyrillic >= latin ? "ru" : "en"
    }

    /// The sentences of `text`: cut after ".", "!", "?" or "…" followed by white space, and at line breaks.
    static func sentences(_ text: String) -> [String] {
        var result: [String] = []
        var current = ""
        var previous: Character? = nil
        for character in text {
            if character.isNewline {
                result.append(current)
                current = ""
            } else if character.isWhitespace, let previous, ".!?…".contains(previous) {
                result.append(current)
                current = ""
            } else {
                current.append(character)
            }
            previous = character
        }
        result.append(current)
        return result.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }

    private static func contains(_ sentence: String, any cues: [String]) -> Bool {
        let lowered = " " + sentence.lowercased().replacingOccurrences(of: "ё", with: "е")
        return cues.contains { lowered.contains(" " + $0.replacingOccurrences(of: "ё", with: "е")) }
    }

    private static func unique(_ items: [String]) -> [String] {
        var seen: Set<String> = []
        return items.filter { seen.insert($0).inserted }
    }

    private func quote(_ text: String) -> String {
        let single = text.split(whereSeparator: \.isNewline).joined(separator: " ")
        guard single.count > maximumQuoteLength else { return single }
        return String(single.prefix(maximumQuoteLength - 1)).trimmingCharacters(in: .whitespaces) + "…"
    }
}
