import ChatPanelStore
import Foundation
import Testing

/// UTC dates from the day number agree with Foundation's Gregorian calendar, across leap days,
/// century years, times before 1970 and the last millisecond of a day.
@Suite struct UTCDateTests {
    private static func calendarDate(_ milliseconds: Int64) -> String {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let parts = calendar.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        return String(format: "%04d-%02d-%02d", parts.year!, parts.month!, parts.day!)
    }

    @Test func knownDates() {
        #expect(UTCDate.string(milliseconds: 0) == "1970-01-01")
        #expect(UTCDate.string(milliseconds: -1) == "1969-12-31")
        #expect(UTCDate.string(milliseconds: 951_782_400_000) == "2000-02-29")
        #expect(UTCDate.string(milliseconds: 4_107_542_399_999) == "2100-02-28")
        #expect(UTCDate.string(milliseconds: 4_107_542_400_000) == "2100-03-01")
        #expect(UTCDate.string(milliseconds: -2_208_988_800_000) == "1900-01-01")
    }

    @Test func agreesWithTheCalendar() {
        let day: Int64 = 86_400_000
        func check(from first: Int64, days: Int64, every step: Int64) {
            var start = first
            for _ in 0..<(days / step) {
                for milliseconds in [start, start + day / 2, start + day - 1] {
                    #expect(UTCDate.string(milliseconds: milliseconds) == Self.calendarDate(milliseconds), "\(milliseconds)")
                }
                start += day * step
            }
        }
        // Day by day around the turns of 1900, 2000 and 2100 (leap rules of 4, 100 and 400 years).
        for turn: Int64 in [-2_208_988_800_000, 946_684_800_000, 4_102_444_800_000] {
            check(from: turn - 800 * day, days: 1_600, every: 1)
        }
        // Every 13th day from 1890 to 2110.
        check(from: -2_524_521_600_000, days: 80_400, every: 13)
    }
}
