import GRDB

/// The catalog's FTS5 tokenizer: SQLite's `unicode61 remove_diacritics 2` (words, case and
/// Latin accents folded), then ё folded to е, then the Snowball stemmer of the word's script
/// (Russian for Cyrillic, English for Latin), so "Кофеварка", "кофеварки" and "КОФЕВАРОК"
/// index and match as one word, and "ёлка" finds "Елка".
///
/// Registered on every connection of the orders database (see ``OrdersStore``); the FTS table
/// names it as `tokenize='chatpanel_catalog'`.
final class CatalogTokenizer: FTS5WrapperTokenizer {
    /// The name the FTS table's `tokenize=` option uses.
    static let name = "chatpanel_catalog"

    /// SQLite's unicode61 with diacritics removed.
    let wrappedTokenizer: any FTS5Tokenizer
    private let russian: SnowballStemmer?
    private let english: SnowballStemmer?

    /// A tokenizer for one FTS table on one connection.
    init(db: Database, arguments: [String]) throws {
        wrappedTokenizer = try db.makeTokenizer(.unicode61(diacritics: .remove))
        russian = SnowballStemmer(algorithm: "russian")
        english = SnowballStemmer(algorithm: "english")
    }

    /// Folds and stems one token of unicode61's (already lowercase). A prefix query's token
    /// is folded but not stemmed: a stemmer cuts a word's beginning as if it were a whole word
    /// ("кофев" would become "коф"), and stems are what the index holds, so a word's unstemmed
    /// beginning is a prefix of its stem or of a longer form (see ``FullTextQuery``).
    func accept(
        token: String, flags: FTS5TokenFlags, for tokenization: FTS5Tokenization, tokenCallback: FTS5WrapperTokenCallback
    ) throws {
        try tokenCallback(normalize(token, stemming: !tokenization.contains(.prefix)), flags)
    }

    /// The indexed form of a lowercase word.
    func normalize(_ token: String, stemming: Bool = true) -> String {
        var hasCyrillic = false
        var hasLatin = false
        var hasYo = false
        for scalar in token.unicodeScalars {
            switch scalar.value {
            case 0x0451: hasYo = true; hasCyrillic = true
            case 0x0400...0x04FF: hasCyrillic = true
            case 0x61...0x7A: hasLatin = true
            default: break
            }
        }
        let folded = hasYo ? String(String.UnicodeScalarView(token.unicodeScalars.map { $0.value == 0x0451 ? "е" : $0 })) : token
        guard stemming else { return folded }
        if hasCyrillic && !hasLatin, let russian { return russian.stem(folded) }
        if hasLatin && !hasCyrillic, let english { return english.stem(folded) }
        return folded
    }
}
