import Foundation

/// TextRank (Mihalcea and Tarau, 2004) over messages: each message is a node, edges weigh the
/// stemmed words two messages share, normalized by their lengths; PageRank over that graph
/// ranks the messages that say what the conversation is about. Deterministic: fixed
/// iterations, ties broken by position.
enum TextRank {
    /// Words that say nothing about a conversation's subject (Russian and English).
    static let stopWords: Set<String> = [
        "и", "в", "во", "не", "что", "он", "на", "я", "с", "со", "как", "а", "то", "все", "она", "так", "его", "но", "да", "ты", "к",
        "у", "же", "вы", "за", "бы", "по", "только", "ее", "мне", "было", "вот", "от", "меня", "еще", "нет", "о", "из", "ему",
        "теперь", "когда", "даже", "ну", "вдруг", "ли", "если", "уже", "или", "ни", "быть", "был", "него", "до", "вас", "нибудь",
        "опять", "уж", "вам", "ведь", "там", "потом", "себя", "ничего", "ей", "может", "они", "тут", "где", "есть", "надо", "ней",
        "для", "мы", "тебя", "их", "чем", "была", "сам", "чтоб", "без", "будто", "чего", "раз", "тоже", "себе", "под", "будет", "ж",
        "тогда", "кто", "этот", "того", "потому", "этого", "какой", "совсем", "ним", "здесь", "этом", "один", "почти", "мой", "тем",
        "чтобы", "нее", "были", "куда", "зачем", "всех", "никогда", "можно", "при", "наконец", "два", "об", "другой", "хоть",
        "после", "над", "больше", "тот", "через", "эти", "нас", "про", "всего", "них", "какая", "много", "разве", "три", "эту",
        "моя", "впрочем", "хорошо", "свою", "этой", "перед", "иногда", "лучше", "чуть", "том", "нельзя", "такой", "им", "более",
        "всегда", "конечно", "всю", "между", "это", "здравствуйте", "спасибо", "пожалуйста", "добрый", "день", "вечер", "утро",
        "the", "a", "an", "and", "or", "but", "is", "are", "was", "were", "be", "been", "to", "of", "in", "on", "at", "for", "with",
        "it", "this", "that", "i", "you", "we", "he", "she", "they", "me", "my", "your", "our", "us", "do", "does", "did", "have",
        "has", "had", "will", "would", "can", "could", "so", "if", "not", "no", "yes", "hi", "hello", "thanks", "thank", "please",
        "ok", "okay", "as", "by", "from", "up", "about", "there", "what", "when", "how", "all", "just", "also", "am",
    ]

    /// The lowercase words of `text` (letters and digits), with ё folded to е.
    static func words(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        for scalar in text.lowercased().unicodeScalars {
            if scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) {
                current.unicodeScalars.append(scalar == "ё" ? "е" : scalar)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }

    /// The stems of the words of `text` that carry meaning.
    static func terms(_ text: String, stemmer: WordStemmer) -> Set<String> {
        Set(words(text).filter { $0.count > 1 && !stopWords.contains($0) }.map(stemmer.stem))
    }

    /// Each text's score (same order); texts sharing no term score the base rank.
    static func scores(_ terms: [Set<String>], damping: Double = 0.85, iterations: Int = 40) -> [Double] {
        let count = terms.count
        guard count > 1 else { return Array(repeating: 1, count: count) }
        var weights = Array(repeating: [Double](repeating: 0, count: count), count: count)
        for i in 0..<count where terms[i].count > 0 {
            for j in (i + 1)..<count where terms[j].count > 0 {
                let shared = terms[i].intersection(terms[j]).count
                guard shared > 0 else { continue }
                let norm = log(Double(terms[i].count) + 1) + log(Double(terms[j].count) + 1)
                let weight = Double(shared) / norm
                weights[i][j] = weight
                weights[j][i] = weight
            }
        }
        let outgoing = weights.map { $0.reduce(0, +) }
        var score = Array(repeating: 1.0, count: count)
        for _ in 0..<iterations {
            var next = Array(repeating: 1 - damping, count: count)
            for j in 0..<count where outgoing[j] > 0 {
                let share = damping * score[j] / outgoing[j]
                for i in 0..<count where weights[j][i] > 0 { next[i] += share * weights[j][i] }
            }
            score = next
        }
        return score
    }
}
