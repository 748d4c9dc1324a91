import ChatPanelProto
import Foundation

/// Finds order numbers, sums, dates, phones and emails in messages (Russian and English
/// spellings), in the order of first mention, each once.
///
/// Every pattern reads a text in linear time: ICU's matcher backtracks, so no repetition may
/// be tried from each position of a long run and rescan the run (an email's parts, a sum's
/// thousands, the suffix of "заказ" and the look for a digit in an order number are bounded;
/// the spaces around an order number's sign are matched possessively). Unbounded, a message
/// of 20 000 letters took seconds, and "заказ" 4 000 times over took hours.
struct EntityExtractor: @unchecked Sendable {
    // Every pattern is immutable after init; NSRegularExpression matches from any thread.
    private let patterns: [(InsightsV1.EntityKind, NSRegularExpression)]

    /// Compiles the patterns.
    init() {
        let months =
            "января|февраля|марта|апреля|мая|июня|июля|августа|сентября|октября|ноября|декабря|"
            + "january|february|march|april|may|june|july|august|september|october|november|december|"
            + "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
        let sources: [(InsightsV1.EntityKind, String)] = [
            (.email, #"[A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9.-]{1,255}\.[A-Za-z]{2,}"#),
            (.phone, #"(?<![\d\w])(?:\+7|8|\+\d{1,3})[\s(-]*\d{3}[\s)-]*\d{3}[\s-]?\d{2}[\s-]?\d{2}(?!\d)"#),
            (
                .orderNumber,
                #"(?i)(?:заказ[а-я]{0,8}|order)\s*+(?:№|#|no\.?|номер)?\s*+((?=[A-Za-zА-Яа-я0-9-]{0,31}\d)[A-Za-zА-Яа-я0-9][A-Za-zА-Яа-я0-9-]{2,})|№\s?(\d{3,})"#
            ),
            (
                .sum,
                #"(?i)(?:(?<![\d.,])\d{1,3}(?:[  ]\d{3}){1,6}|(?<![\d.,])\d+)(?:[.,]\d{1,2})?\s?(?:₽|руб(?:лей|ля|ль)?\.?|р\.|rub\b|\$|usd\b|€|eur\b)|[$€]\s?\d+(?:[.,]\d{1,2})?"#
            ),
            (
                .date,
                #"(?i)\b\d{4}-\d{2}-\d{2}\b|\b\d{1,2}[./]\d{1,2}[./]\d{2,4}\b|\b\d{1,2}\.\d{1,2}\b(?![.,]?\d)|\b\d{1,2}\s+(?:\#(months))\b|\b(?:\#(months))\s+\d{1,2}(?:st|nd|rd|th)?\b"#
            ),
        ]
        patterns = sources.map { ($0.0, try! NSRegularExpression(pattern: $0.1)) }
    }

    /// The most recent `limit` distinct entities of `texts` (oldest first), in the order they
    /// are mentioned; a text span is claimed by the first kind that matches it (a phone is not
    /// also a sum), and an order number counts once however it is written ("заказ №5", "заказу №5").
    ///
    /// - Throws: `CancellationError` when the task running it is cancelled (checked before each text).
    func entities(in texts: [String], limit: Int = 20) throws -> [InsightsV1.Entity] {
        var groups: [[InsightsV1.Entity]] = []
        var seen: Set<String> = []
        var total = 0
        for text in texts.reversed() where total < limit {
            if Task.isCancelled { throw CancellationError() }
            let string = text as NSString
            // The spans claimed so far, in order and apart: each kind's matches come in order and
            // apart too, so one sweep finds the claimed span each might overlap.
            var claimed: [NSRange] = []
            var matches: [(NSRange, InsightsV1.EntityKind)] = []
            for (kind, pattern) in patterns {
                var accepted: [NSRange] = []
                var next = 0
                for match in pattern.matches(in: text, range: NSRange(location: 0, length: string.length)) {
                    let range = match.range
                    while next < claimed.count, NSMaxRange(claimed[next]) <= range.location { next += 1 }
                    if next < claimed.count, claimed[next].location < NSMaxRange(range) { continue }
                    accepted.append(range)
                    matches.append((range, kind))
                }
                claimed = Self.merged(claimed, accepted)
            }
            var group: [InsightsV1.Entity] = []
            for (range, kind) in matches.sorted(by: { $0.0.location < $1.0.location }) {
                let value = string.substring(with: range).trimmingCharacters(in: .whitespacesAndNewlines)
                guard !value.isEmpty, seen.insert("\(kind.rawValue):\(Self.key(value, kind))").inserted else { continue }
                var entity = InsightsV1.Entity()
                entity.kind = kind
                entity.text = value
                group.append(entity)
            }
            total += group.count
            groups.append(group)
        }
        return Array(groups.reversed().joined().suffix(limit))
    }

    /// Two lists of spans, each in order and apart, as one in order.
    private static func merged(_ first: [NSRange], _ second: [NSRange]) -> [NSRange] {
        guard !first.isEmpty else { return second }
        guard !second.isEmpty else { return first }
        var result: [NSRange] = []
        result.reserveCapacity(first.count + second.count)
        var i = 0
        var j = 0
        while i < first.count || j < second.count {
            if j == second.count || (i < first.count && first[i].location < second[j].location) {
                result.append(first[i])
                i += 1
            } else {
                result.append(second[j])
                j += 1
            }
        }
        return result
    }

    /// What makes two mentions the same entity: an order's number, otherwise the lowercased text.
    private static func key(_ value: String, _ kind: InsightsV1.EntityKind) -> String {
        let lowered = value.lowercased()
        guard kind == .orderNumber, let last = lowered.split(separator: " ").last else { return lowered }
        return String(last.drop { $0 == "№" || $0 == "#" })
    }
}
