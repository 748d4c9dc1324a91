import Foundation
import Synchronization

/// A byte-pair encoder over a tiktoken vocabulary file (`cl100k_base.tiktoken`: one
/// "base64-of-bytes rank" pair a line), splitting text first with the cl100k pattern: it
/// gives the same token ids as tiktoken's `cl100k_base` (special tokens are not recognized:
/// a message's text is plain text).
///
/// Loading reads and indexes 100 256 ranks; ``shared(path:)`` does it once per process. Every
/// stored property is immutable after `init` (NSRegularExpression matches from any thread).
///
/// ```swift
/// let tokenizer = try BPETokenizer.shared(path: "/usr/local/share/chatpanel/cl100k_base.tiktoken")
/// tokenizer.encode("Здравствуйте!")   // [36551, 7094, 28086, 20812, 83680, 51627, 0]
/// ```
public final class BPETokenizer: @unchecked Sendable {
    /// The cl100k split pattern (tiktoken's `cl100k_base` `pat_str`).
    static let cl100kPattern =
        #"'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s"#
    /// Ranks in `cl100k_base.tiktoken`.
    public static let cl100kRankCount = 100_256

    /// Each token's bytes and rank.
    let ranks: [[UInt8]: Int]
    private let tokens: [[UInt8]]
    /// The longest token's bytes: a longer run of bytes has no rank, and is not looked up.
    private let maximumTokenLength: Int
    private let splitter: NSRegularExpression

    /// The tokenizer over the vocabulary at `path`.
    ///
    /// - Throws: ``TokenizerError`` when the file is missing or is not a rank file whose ranks
    ///   run from 0 without gaps.
    public init(path: String) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw TokenizerError("cannot read the vocabulary \(path)") }
        var ranks: [[UInt8]: Int] = [:]
        ranks.reserveCapacity(Self.cl100kRankCount)
        var tokens: [[UInt8]] = []
        tokens.reserveCapacity(Self.cl100kRankCount)
        for line in data.split(separator: UInt8(ascii: "\n")) where !line.isEmpty {
            let fields = line.split(separator: UInt8(ascii: " "))
            guard fields.count == 2, let bytes = Data(base64Encoded: Data(fields[0])),
                let rank = Int(String(decoding: fields[1], as: UTF8.self)), rank == tokens.count
            else { throw TokenizerError("\(path) line \(tokens.count + 1) is not \"base64 rank\" in rank order") }
            ranks[[UInt8](bytes)] = rank
            tokens.append([UInt8](bytes))
        }
        guard !tokens.isEmpty else { throw TokenizerError("\(path) has no ranks") }
        self.ranks = ranks
        self.tokens = tokens
        self.maximumTokenLength = tokens.map(\.count).max() ?? 0
        self.splitter = try NSRegularExpression(pattern: Self.cl100kPattern)
    }

    /// How many ranks the vocabulary has.
    public var vocabularySize: Int { tokens.count }

    /// The token ids of `text`.
    public func encode(_ text: String) -> [Int] {
        var result: [Int] = []
        forEachPiece(of: text) { piece in result.append(contentsOf: encodePiece(piece)) }
        return result
    }

    /// How many tokens `text` takes.
    public func count(_ text: String) -> Int {
        var total = 0
        forEachPiece(of: text) { piece in total += ranks[piece] != nil ? 1 : encodePiece(piece).count }
        return total
    }

    /// The bytes of `ids` put back together (a cut in the middle of a character leaves
    /// replacement characters: callers trim them).
    public func decode(_ ids: some Sequence<Int>) -> String {
        var bytes: [UInt8] = []
        for id in ids where tokens.indices.contains(id) { bytes.append(contentsOf: tokens[id]) }
        return String(decoding: bytes, as: UTF8.self)
    }

    private func forEachPiece(of text: String, _ body: ([UInt8]) -> Void) {
        let string = text as NSString
        for match in splitter.matches(in: text, range: NSRange(location: 0, length: string.length)) {
            body(Array(string.substring(with: match.range).utf8))
        }
    }

    /// Byte-pair merges of one piece: the adjacent pair with the lowest rank is merged until
    /// no pair has a rank, the leftmost first among equal ranks (tiktoken's algorithm, and its
    /// token ids). The pairs wait in a heap ordered by (rank, position) instead of being
    /// rescanned after every merge, so a long run of one letter (a piece of 200 000 bytes) takes
    /// O(n log n), not O(n²): each merge pushes at most two pairs, and a pair made stale by a
    /// merge beside it is dropped when it comes up.
    func encodePiece(_ piece: [UInt8]) -> [Int] {
        var steps = 0
        return encodePiece(piece, steps: &steps)
    }

    /// ``encodePiece(_:)``, adding to `steps` each pair taken from the heap (the loop's work).
    func encodePiece(_ piece: [UInt8], steps: inout Int) -> [Int] {
        if let rank = ranks[piece] { return [rank] }
        let count = piece.count
        guard count > 0 else { return [] }
        // The parts as a list over their first bytes: next[i] is where the part starting at i
        // ends (the next part's start, or count), -1 once it was merged into the part before.
        var next = Array(1...count)
        var previous = Array(-1..<count)
        var heap = PairHeap()
        heap.reserveCapacity(count)
        /// The rank of the pair starting at `start` (its part and the next), if it has one.
        func pairRank(_ start: Int) -> PairHeap.Pair? {
            let middle = next[start]
            guard middle < count else { return nil }
            let end = next[middle]
            guard end - start <= maximumTokenLength, let rank = ranks[Array(piece[start..<end])] else { return nil }
            return PairHeap.Pair(rank: rank, start: start, middle: middle, end: end)
        }
        for start in 0..<count - 1 {
            if let pair = pairRank(start) { heap.push(pair) }
        }
        while let pair = heap.pop() {
            steps += 1
            // Stale: a merge beside it moved one of its bounds since it was pushed.
            guard next[pair.start] == pair.middle, next[pair.middle] == pair.end else { continue }
            next[pair.start] = pair.end
            next[pair.middle] = -1
            if pair.end < count { previous[pair.end] = pair.start }
            if let merged = pairRank(pair.start) { heap.push(merged) }
            let before = previous[pair.start]
            if before >= 0, let left = pairRank(before) { heap.push(left) }
        }
        var ids: [Int] = []
        var start = 0
        while start < count {
            ids.append(ranks[Array(piece[start..<next[start]])] ?? 0)
            start = next[start]
        }
        return ids
    }

    private static let loaded = Mutex<[String: BPETokenizer]>([:])

    /// The tokenizer over `path`, loaded once per process and path.
    public static func shared(path: String) throws -> BPETokenizer {
        if let tokenizer = loaded.withLock({ $0[path] }) { return tokenizer }
        let tokenizer = try BPETokenizer(path: path)
        return loaded.withLock { cache in
            if let existing = cache[path] { return existing }
            cache[path] = tokenizer
            return tokenizer
        }
    }
}

/// A binary min-heap of byte pairs by (rank, start): the lowest rank first, the leftmost
/// first among equal ranks.
struct PairHeap {
    /// A pair of adjacent parts, `start..<middle` and `middle..<end`, and its rank.
    struct Pair {
        let rank: Int
        let start: Int
        let middle: Int
        let end: Int

        func precedes(_ other: Pair) -> Bool { rank != other.rank ? rank < other.rank : start < other.start }
    }

    private var items: [Pair] = []

    mutating func reserveCapacity(_ capacity: Int) { items.reserveCapacity(capacity) }

    mutating func push(_ pair: Pair) {
        items.append(pair)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    mutating func pop() -> Pair? {
        guard let last = items.popLast() else { return nil }
        guard !items.isEmpty else { return last }
        let top = items[0]
        items[0] = last
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < items.count else { break }
            let right = left + 1
            let child = right < items.count && items[right].precedes(items[left]) ? right : left
            guard items[child].precedes(items[parent]) else { break }
            items.swapAt(child, parent)
            parent = child
        }
        return top
    }
}

/// Why the tokenizer could not be loaded.
public struct TokenizerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
