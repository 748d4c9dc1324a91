import ChatPanelRPC

extension FieldViolations {
    /// Checks a text field's length in characters (see ``TextRules``), and when `required`
    /// that it is not blank.
    mutating func checkText(_ text: String, field: String, required: Bool, maximum: Int) {
        if required && TextRules.isBlank(text) {
            add(field: field, text.isEmpty ? "is required" : "must not be blank")
            return
        }
        let count = TextRules.characterCount(text, countingUpTo: maximum)
        check(count <= maximum, field: field, "must be at most \(maximum) characters")
    }

    /// Checks that an id field names something (is positive).
    mutating func checkID(_ id: Int64, field: String) {
        check(id > 0, field: field, id == 0 ? "is required" : "must be positive")
    }
}
