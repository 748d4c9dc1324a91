public import ChatPanelRPC

/// Tag names and colors (TAG-3, TAG-6).
public enum TagRules {
    /// The palette new tags take a random color from (TAG-3).
    public static let palette: [String] = [
        "#e53935", "#d81b60", "#8e24aa", "#5e35b1", "#3949ab", "#1e88e5",
        "#00897b", "#43a047", "#7cb342", "#fdd835", "#fb8c00", "#6d4c41",
    ]

    /// A random palette color.
    public static func randomColor() -> String {
        palette.randomElement()!
    }

    /// A cleaned tag name: one line, 1…100 characters (at most 800 bytes of UTF-8: ``ChatPanelRPC/TextRule``).
    public static func name(_ raw: String) -> Result<String, ValidationFailure> {
        TextRule.tagName.clean(raw)
    }

    /// A color as "#rrggbb", lower-cased.
    public static func color(_ raw: String) -> Result<String, ValidationFailure> {
        let value = raw.trimmingWhitespace().lowercased()
        let hex = value.dropFirst()
        guard value.hasPrefix("#"), hex.count == 6, hex.unicodeScalars.allSatisfy({ ("0"..."9").contains($0) || ("a"..."f").contains($0) })
        else {
            return .failure(ValidationFailure("must be a color like #1e88e5"))
        }
        return .success(value)
    }
}
