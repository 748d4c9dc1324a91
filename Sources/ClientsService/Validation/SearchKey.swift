import ChatPanelRPC
import Foundation

/// The form names are compared and searched in: lower-cased (Unicode, so Cyrillic too), "ё"
/// folded to "е" (Russian writers use them interchangeably), white space collapsed.
///
/// Stored next to the name (`tag.name_key`, `client.name_key`, `field_definition.name_key`)
/// so that indexes serve case-insensitive lookups without SQLite knowing Unicode case rules.
public enum SearchKey {
    /// The key of `text`.
    public static func make(_ text: String) -> String {
        var key = text.collapsingWhitespace().lowercased()
        if key.contains("ё") { key = key.replacingOccurrences(of: "ё", with: "е") }
        return key
    }

    /// The smallest string greater than every string starting with `prefix` (for index ranges:
    /// `key >= prefix AND key < upperBound(prefix)`). U+10FFFF sorts after every other scalar in
    /// SQLite's binary collation of UTF-8.
    public static func upperBound(forPrefix prefix: String) -> String {
        prefix + "\u{10FFFF}"
    }
}
