import ChatPanelRPC

/// A fragment of a customer's message selected in the chat (CLIENT-8), cleaned before it is
/// validated like a normal edit.
public enum MessageFragment {
    /// Quotes and brackets people select along with the text.
    private static let wrappers: Set<Character> = ["\"", "'", "«", "»", "„", "“", "”", "‘", "’", "(", ")", "[", "]", "<", ">"]
    /// Sentence punctuation that ends a selection.
    private static let trailingPunctuation: Set<Character> = [".", ",", ";", ":", "!", "?", "…"]

    /// `raw` with white space collapsed and surrounding quotes and brackets removed; for names,
    /// phones and emails trailing sentence punctuation goes too ("ivan@mail.ru." is an email at
    /// the end of a sentence). An address keeps a trailing dot ("д. 5, кв. 3." stays readable).
    public static func clean(_ raw: String, keepTrailingDot: Bool) -> String {
        var text = Substring(raw.collapsingWhitespace())
        var changed = true
        while changed, !text.isEmpty {
            changed = false
            if let first = text.first, wrappers.contains(first) || first == " " {
                text = text.dropFirst()
                changed = true
            }
            if let last = text.last {
                let isPunctuation = trailingPunctuation.contains(last) && !(keepTrailingDot && last == ".")
                if wrappers.contains(last) || last == " " || isPunctuation {
                    text = text.dropLast()
                    changed = true
                }
            }
        }
        return String(text)
    }
}
