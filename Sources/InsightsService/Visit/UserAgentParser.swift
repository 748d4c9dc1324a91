import Foundation
import Synchronization

/// A user agent read by the uap-core rules: the browser and the operating system.
public struct ParsedAgent: Sendable, Hashable {
    /// The browser family ("Chrome Mobile"); "Other" when no rule matches.
    public var browser = "Other"
    /// Its version parts (major, minor, patch), each nil when absent.
    public var browserVersion: [String?] = [nil, nil, nil]
    /// The operating system family ("Android"); "Other" when no rule matches.
    public var os = "Other"
    /// Its version parts (major, minor, patch, patch minor), each nil when absent.
    public var osVersion: [String?] = [nil, nil, nil, nil]

    /// "124.0.6367" from the parts present, stopping at the first absent one.
    static func joined(_ parts: [String?]) -> String {
        var present: [String] = []
        for part in parts {
            guard let part else { break }
            present.append(part)
        }
        return present.joined(separator: ".")
    }
}

/// The uap-core rules (`/usr/share/uap-core/regexes.yaml`, Debian's `uap-core`): the first
/// rule whose regex matches a user agent names its browser, and likewise its OS. Parsed agents
/// are cached (visitors send the same few agents again and again).
public final class UserAgentParser: @unchecked Sendable {
    // The rules are immutable after init (NSRegularExpression matches from any thread); the
    // cache is behind a Mutex.
    struct Rule {
        let regex: NSRegularExpression
        let replacements: [String?]
    }

    /// Where Debian's uap-core puts the rules.
    public static let defaultRulesPath = "/usr/share/uap-core/regexes.yaml"
    /// Most agents kept in the cache (it is emptied when full).
    static let cacheLimit = 4_096

    private let agentRules: [Rule]
    private let osRules: [Rule]
    private let cache = Mutex<[String: ParsedAgent]>([:])

    /// The parser over the rules file at `path`.
    public init(path: String = defaultRulesPath) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw UAPError("cannot read the uap-core rules \(path)") }
        let sections = try UAPYAML.parse(String(decoding: data, as: UTF8.self))
        func rules(_ key: String, _ replacementKeys: [String]) throws -> [Rule] {
            try (sections[key] ?? []).map { item in
                guard let pattern = item["regex"] ?? nil else { throw UAPError("a rule under \(key) has no regex") }
                let options: NSRegularExpression.Options = (item["regex_flag"] ?? nil) == "i" ? [.caseInsensitive] : []
                return Rule(regex: try NSRegularExpression(pattern: pattern, options: options), replacements: replacementKeys.map { item[$0] ?? nil })
            }
        }
        agentRules = try rules("user_agent_parsers", ["family_replacement", "v1_replacement", "v2_replacement", "v3_replacement"])
        osRules = try rules(
            "os_parsers", ["os_replacement", "os_v1_replacement", "os_v2_replacement", "os_v3_replacement", "os_v4_replacement"])
        guard !agentRules.isEmpty, !osRules.isEmpty else { throw UAPError("\(path) has no user agent or OS rules") }
    }

    /// The browser and OS of `userAgent`.
    public func parse(_ userAgent: String) -> ParsedAgent {
        if let cached = cache.withLock({ $0[userAgent] }) { return cached }
        var agent = ParsedAgent()
        if let parts = Self.firstMatch(agentRules, userAgent, count: 4) {
            agent.browser = parts[0] ?? "Other"
            agent.browserVersion = Array(parts[1...])
        }
        if let parts = Self.firstMatch(osRules, userAgent, count: 5) {
            agent.os = parts[0] ?? "Other"
            agent.osVersion = Array(parts[1...])
        }
        cache.withLock { cache in
            if cache.count >= Self.cacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[userAgent] = agent
        }
        return agent
    }

    /// The fields of the first rule that matches: each is its replacement (with `$n` put in)
    /// or else the n-th group; trimmed; nil when empty.
    private static func firstMatch(_ rules: [Rule], _ text: String, count: Int) -> [String?]? {
        let string = text as NSString
        let whole = NSRange(location: 0, length: string.length)
        for rule in rules {
            guard let match = rule.regex.firstMatch(in: text, range: whole) else { continue }
            func group(_ n: Int) -> String {
                guard n < match.numberOfRanges, match.range(at: n).location != NSNotFound else { return "" }
                return string.substring(with: match.range(at: n))
            }
            return (0..<count).map { index in
                var value: String
                if let replacement = rule.replacements[index] {
                    value = replacement
                    for n in (1...9).reversed() where value.contains("$\(n)") {
                        value = value.replacingOccurrences(of: "$\(n)", with: group(n))
                    }
                } else {
                    value = group(index + 1)
                }
                value = value.trimmingCharacters(in: .whitespaces)
                return value.isEmpty ? nil : value
            }
        }
        return nil
    }
}
