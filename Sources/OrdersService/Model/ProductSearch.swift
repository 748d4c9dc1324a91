import ChatPanelProto

/// A validated picker query (PRODUCT-1).
struct ProductSearch: Sendable {
    /// The FTS5 query built from the text (see ``FullTextQuery``); nil without text.
    var match: String?
    /// The text as typed, trimmed (for the exact article match).
    var text: String
    /// A category code (with its subcategories).
    var categoryCode: String
    /// Manufacturers, any of.
    var manufacturers: [String]
    /// The price type code asked for; empty: the base one.
    var priceType: String
    /// The price range, in minor units of that price type.
    var priceMin: Int64?
    var priceMax: Int64?
    /// Only products available to sell.
    var inStock: Bool
    /// Property values by name: each name must have one of its values.
    var properties: [(name: String, values: [String])]
    /// Sort order.
    var sort: OrdersV1.ProductSort
    /// Product, service, or (unspecified) both.
    var kind: OrdersV1.ProductKind
    /// Also inactive products.
    var includeInactive: Bool
    /// Products per page.
    var pageSize: Int
    /// Where the previous page ended.
    var after: ProductCursor?
    /// The request's fingerprint without its page (FNV-1a of its encoding), which its page
    /// tokens carry.
    var fingerprint: UInt64
}

/// Builds the FTS5 query of what the manager typed: every word must match (in any form, as
/// the tokenizer stems), the last, unless the text ends with a space, either as a whole word
/// or as the beginning of one: `"кофеварки" AND ("кофев"* OR "кофев")`. The prefix is not
/// stemmed (see ``CatalogTokenizer``), the whole word is, so a finished word ("кофеварки",
/// stem "кофеварк") matches as well as a beginning ("кофев").
enum FullTextQuery {
    /// The MATCH expression, or nil when the text has no word.
    static func make(_ text: String) -> String? {
        var words: [String] = []
        var current = ""
        for character in text {
            if character.isLetter || character.isNumber {
                current.append(character)
            } else if !current.isEmpty {
                words.append(current)
                current = ""
            }
        }
        let endsInWord = !current.isEmpty
        if endsInWord { words.append(current) }
        guard !words.isEmpty else { return nil }
        return words.enumerated().map { index, word in
            index == words.count - 1 && endsInWord ? "(\"\(word)\"* OR \"\(word)\")" : "\"\(word)\""
        }.joined(separator: " AND ")
    }
}
