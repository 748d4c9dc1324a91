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
    ///
    /// The graph is built from each term's texts (an inverted index), so only pairs sharing a
    /// term are visited, and it is kept as lists of neighbours: a long conversation whose
    /// messages share few words costs about its shared pairs, not the square of its length.
    /// The sums are taken in the same order as over a full matrix (neighbours by position),
    /// so the scores are the same to the last bit.
    ///
    /// - Throws: `CancellationError` when the task running it is cancelled (checked between iterations).
    static func scores(_ terms: [Set<String>], damping: Double = 0.85, iterations: Int = 40) throws -> [Double] {
        let count = terms.count
        guard count > 1 else { return Array(repeating: 1, count: count) }
        // Each term's texts, in order.
        var termIDs: [String: Int] = [:]
        var postings: [[Int]] = []
        var textTerms: [[Int]] = []
        textTerms.reserveCapacity(count)
        for text in terms {
            var ids: [Int] = []
            ids.reserveCapacity(text.count)
            for term in text {
                let id: Int
                if let known = termIDs[term] {
                    id = known
                } else {
                    id = postings.count
                    termIDs[term] = id
                    postings.append([])
                }
                postings[id].append(textTerms.count)
                ids.append(id)
            }
            textTerms.append(ids)
        }
        // neighbours[i]: (j, weight) for every j sharing a term with i, by j.
        var neighbours = Array(repeating: [(index: Int, weight: Double)](), count: count)
        var shared = Array(repeating: 0, count: count)
        var touched: [Int] = []
        for i in 0..<count where !textTerms[i].isEmpty {
            for term in textTerms[i] {
                for j in postings[term] where j > i {
                    if shared[j] == 0 { touched.append(j) }
                    shared[j] += 1
                }
            }
            touched.sort()
            for j in touched {
                let norm = log(Double(terms[i].count) + 1) + log(Double(terms[j].count) + 1)
                let weight = Double(shared[j]) / norm
                neighbours[i].append((j, weight))
                neighbours[j].append((i, weight))
                shared[j] = 0
            }
            touched.removeAll(keepingCapacity: true)
        }
        // Neighbours below i were added before those above it: each list is in order.
        let outgoing = neighbours.map { $0.reduce(0) { $0 + $1.weight } }
        var score = Array(repeating: 1.0, count: count)
        for _ in 0..<iterations {
            try Task.checkCancellation()
            var next = Array(repeating: 1 - damping, count: count)
            for j in 0..<count where outgoing[j] > 0 {
                let share = damping * score[j] / outgoing[j]
                for (i, weight) in neighbours[j] { next[i] += share * weight }
            }
            score = next
        }
        return score
    }
}
