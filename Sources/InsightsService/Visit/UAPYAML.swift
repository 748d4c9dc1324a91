/// Reads the subset of YAML the uap-core files are written in: top-level keys each holding a
/// list of flat maps whose values are single-quoted, double-quoted or plain scalars (an empty
/// value is null), with `#` comment lines. Enough for `regexes.yaml`, `test_ua.yaml` and
/// `test_os.yaml`; anything else is refused with its line number.
enum UAPYAML {
    /// One list item: keys to values (nil for an empty value).
    typealias Item = [String: String?]

    /// The lists under each top-level key.
    static func parse(_ text: String) throws -> [String: [Item]] {
        var sections: [String: [Item]] = [:]
        var section: String? = nil
        var item: Item? = nil
        func flush() {
            if let section, let finished = item { sections[section, default: []].append(finished) }
            item = nil
        }
        for (number, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.hasSuffix("\r") ? rawLine.dropLast() : rawLine
            let content = line.drop { $0 == " " }
            if content.isEmpty || content.hasPrefix("#") { continue }
            let indented = content.count < line.count
            if !indented {
                flush()
                guard content.hasSuffix(":") else { throw UAPError("line \(number + 1): expected a top-level key") }
                section = String(content.dropLast())
                sections[section!] = sections[section!] ?? []
                continue
            }
            var entry = content
            if entry.hasPrefix("- ") {
                flush()
                item = [:]
                entry = entry.dropFirst(2).drop { $0 == " " }
            }
            guard item != nil, let colon = entry.firstIndex(of: ":") else {
                throw UAPError("line \(number + 1): expected \"key: value\" in a list item")
            }
            let key = String(entry[..<colon])
            let value = try scalar(entry[entry.index(after: colon)...].drop { $0 == " " }, line: number + 1)
            item![key] = .some(value)
        }
        flush()
        return sections
    }

    /// A scalar: 'single' ('' is a quote), "double" (with \\ \" \/ \t \n escapes) or plain; empty is nil.
    private static func scalar(_ text: Substring, line: Int) throws -> String? {
        let text = text.hasSuffix(" ") ? Substring(text.reversed().drop { $0 == " " }.reversed()) : text
        if text.isEmpty || text == "~" || text == "null" { return nil }
        if text.first == "'" {
            guard text.count >= 2, text.last == "'" else { throw UAPError("line \(line): unterminated single-quoted value") }
            return text.dropFirst().dropLast().replacingOccurrences(of: "''", with: "'")
        }
        if text.first == "\"" {
            guard text.count >= 2, text.last == "\"" else { throw UAPError("line \(line): unterminated double-quoted value") }
            var result = ""
            var escaping = false
            for character in text.dropFirst().dropLast() {
                if escaping {
                    switch character {
                    case "t": result.append("\t")
                    case "n": result.append("\n")
                    default: result.append(character)
                    }
                    escaping = false
                } else if character == "\\" {
                    escaping = true
                } else {
                    result.append(character)
                }
            }
            return result
        }
        return String(text)
    }
}

/// Why the uap-core rules could not be read.
public struct UAPError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}

extension Substring {
    fileprivate func replacingOccurrences(of target: String, with replacement: String) -> String {
        String(self).split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
