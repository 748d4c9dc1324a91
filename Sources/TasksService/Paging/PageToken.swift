import Foundation

/// The opaque text of a page token: a kind tag and a few integers, base64url-encoded.
///
/// Tokens are not secret (they only say where a page ends); they are opaque so that callers
/// do not build them, and tagged so that a token of one list is refused by another.
enum PageToken {
    /// The token for `values` of list `kind`.
    static func encode(kind: String, _ values: [Int64]) -> String {
        let text = ([kind] + values.map(String.init)).joined(separator: ":")
        return Data(text.utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The `count` integers of a token of list `kind`; nil for anything else.
    static func decode(_ token: String, kind: String, count: Int) -> [Int64]? {
        guard token.utf8.count <= 256 else { return nil }
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else { return nil }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == count + 1, parts[0] == kind else { return nil }
        var values: [Int64] = []
        for part in parts.dropFirst() {
            guard let value = Int64(part) else { return nil }
            values.append(value)
        }
        return values
    }
}
