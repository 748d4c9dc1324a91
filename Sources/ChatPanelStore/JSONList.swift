/// A list bound as one statement argument, for SQLite's `json_each`: `WHERE x IN (?, ?, …)`
/// makes SQLite copy the list into a temporary table (a zeroed page and a B-tree) on every run,
/// while `FROM json_each(?) j JOIN t ON t.x = j.value` walks the list and looks each value up
/// by index. One cached statement serves lists of any length.
public enum JSONList {
    /// A JSON array of integers.
    public static func integers(_ values: some Sequence<Int64>) -> String {
        "[" + values.map(String.init).joined(separator: ",") + "]"
    }

    /// A JSON array of strings, each escaped as JSON requires.
    public static func strings(_ values: some Sequence<String>) -> String {
        var text = "["
        var first = true
        for value in values {
            if !first { text.append(",") }
            first = false
            text.append("\"")
            for scalar in value.unicodeScalars {
                switch scalar {
                case "\"": text.append("\\\"")
                case "\\": text.append("\\\\")
                case "\n": text.append("\\n")
                case "\r": text.append("\\r")
                case "\t": text.append("\\t")
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    text.append("\\u" + String(repeating: "0", count: 4 - hex.count) + hex)
                default: text.unicodeScalars.append(scalar)
                }
            }
            text.append("\"")
        }
        return text + "]"
    }
}
