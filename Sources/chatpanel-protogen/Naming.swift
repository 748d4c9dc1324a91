/// Naming rules shared by the emitters.
enum Naming {
    /// Words spelled in capitals when they start a namespace.
    private static let acronyms: Set<String> = ["rpc"]

    /// `chatpanel.clients.v1` becomes `ClientsV1`: the namespace enum of a package.
    static func namespace(forPackage package: String) -> String {
        var parts = package.split(separator: ".").map(String.init)
        if parts.first == "chatpanel", parts.count > 1 { parts.removeFirst() }
        return parts.map { part in
            if acronyms.contains(part) { return part.uppercased() }
            return upperCamel(part)
        }.joined()
    }

    /// `snake_case` or `lowerCamel` to `UpperCamel`.
    static func upperCamel(_ name: String) -> String {
        let lower = lowerCamel(name)
        return lower.prefix(1).uppercased() + lower.dropFirst()
    }

    /// `snake_case` to `lowerCamel`; `id` and `url` at a word start stay readable (`clientID`).
    static func lowerCamel(_ name: String) -> String {
        let words = name.split(separator: "_").map(String.init).filter { !$0.isEmpty }
        guard let first = words.first else { return name }
        var result = first.prefix(1).lowercased() + first.dropFirst()
        for word in words.dropFirst() {
            if word == "id" { result += "ID"; continue }
            if word == "ids" { result += "IDs"; continue }
            if word == "url" { result += "URL"; continue }
            result += word.prefix(1).uppercased() + word.dropFirst()
        }
        return result
    }

    /// An enum value name with the enum's own prefix removed: `RIGHT_CREATE_TAGS` in `Right`
    /// becomes `createTags`.
    static func enumCase(_ valueName: String, enumName: String) -> String {
        let prefix = screamingSnake(enumName) + "_"
        var trimmed = valueName
        if trimmed.hasPrefix(prefix), trimmed.count > prefix.count { trimmed = String(trimmed.dropFirst(prefix.count)) }
        let name = lowerCamel(trimmed.lowercased())
        if let first = name.first, first.isNumber { return "_" + name }
        return escaped(name)
    }

    /// `ServingStatus` to `SERVING_STATUS`.
    static func screamingSnake(_ name: String) -> String {
        var result = ""
        var previousWasUpper = true
        for ch in name {
            if ch.isUppercase, !previousWasUpper { result += "_" }
            previousWasUpper = ch.isUppercase
            result += ch.uppercased()
        }
        return result
    }

    /// protoc-c's lower-case spelling of a full name: `chatpanel.clients.v1.GetClient` becomes
    /// `chatpanel__clients__v1__get_client`.
    static func cLowerName(_ fullName: String) -> String {
        fullName.split(separator: ".").map { piece -> String in
            var result = ""
            var previous: Character? = nil
            for ch in piece {
                if ch.isUppercase, let p = previous, !p.isUppercase { result += "_" }
                result += ch.lowercased()
                previous = ch
            }
            return result
        }.joined(separator: "__")
    }

    private static let keywords: Set<String> = [
        "associatedtype", "class", "deinit", "enum", "extension", "fileprivate", "func", "import", "init",
        "inout", "internal", "let", "open", "operator", "private", "protocol", "public", "rethrows",
        "static", "struct", "subscript", "typealias", "var", "break", "case", "continue", "default",
        "defer", "do", "else", "fallthrough", "for", "guard", "if", "in", "repeat", "return", "switch",
        "where", "while", "as", "catch", "false", "is", "nil", "super", "self", "Self", "throw", "throws",
        "true", "try", "Type", "Protocol", "any", "some",
    ]

    /// The name in backticks where it is a Swift keyword.
    static func escaped(_ name: String) -> String {
        keywords.contains(name) ? "`\(name)`" : name
    }
}
