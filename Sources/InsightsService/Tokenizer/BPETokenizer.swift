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

    private let ranks: [[UInt8]: Int]
    private let tokens: [[UInt8]]
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
    /// no pair has a rank (tiktoken's algorithm).
    private func encodePiece(_ piece: [UInt8]) -> [Int] {
        if let rank = ranks[piece] { return [rank] }
        // parts[i] is where the i-th part starts; the last entry is the piece's end.
        var parts = Array(0...piece.count)
        func rank(_ i: Int) -> Int? {
            guard i + 2 < parts.count else { return nil }
            return ranks[Array(piece[parts[i]..<parts[i + 2]])]
        }
        var pairRanks = (0..<parts.count - 1).map { rank($0) }
        while true {
            var best: (rank: Int, index: Int)? = nil
            for (index, candidate) in pairRanks.enumerated() {
                if let candidate, best == nil || candidate < best!.rank { best = (candidate, index) }
            }
            guard let (_, index) = best else { break }
            parts.remove(at: index + 1)
            pairRanks.remove(at: index + 1)
            pairRanks[index] = rank(index)
            if index > 0 { pairRanks[index - 1] = rank(index - 1) }
        }
        return (0..<parts.count - 1).map { ranks[Array(piece[parts[$0]..<parts[$0 + 1]])] ?? 0 }
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

/// Why the tokenizer could not be loaded.
public struct TokenizerError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
