import ChatPanelRPC

extension FieldViolations {
    /// Checks a text field under the shared ``ChatPanelRPC/TextRule``: its length in characters
    /// (with the rule's byte cap), and when `required` that it is not blank.
    mutating func checkText(_ text: String, field: String, required: Bool, maximum: Int) {
        checkText(text, field: field, TextRule(maxCharacters: maximum, required: required))
    }

    /// Checks a stable code: 1 to 64 characters of [A-Za-z0-9_.-].
    mutating func checkCode(_ code: String, field: String) {
        guard !code.isEmpty else { return add(field: field, "is required") }
        check(
            code.utf8.count <= 64 && code.utf8.allSatisfy { Self.codeBytes.contains($0) }, field: field,
            "must be 1 to 64 characters of A-Z, a-z, 0-9, '_', '.', '-'")
    }

    /// Checks an optional http(s) URL of at most 2000 characters.
    mutating func checkURL(_ url: String, field: String) {
        guard !url.isEmpty else { return }
        let lower = url.lowercased()
        check(
            (lower.hasPrefix("https://") || lower.hasPrefix("http://")) && url.utf8.count <= 2000
                && !url.contains(where: \.isWhitespace), field: field, "must be an http(s) URL of at most 2000 characters")
    }

    private static let codeBytes = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-".utf8)
}
