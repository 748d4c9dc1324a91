import TasksService
import Testing

/// Parsing and printing wall-clock date-times.
@Suite struct LocalDateTimeTests {
    @Test(arguments: ["2025-03-30T10:00", "2025-03-30T10:00:00", "2025-03-30 10:00", "2024-02-29T23:59:59", "0001-01-01T00:00"])
    func parsesValidDateTimes(_ text: String) {
        #expect(LocalDateTime(parsing: text) != nil)
    }

    @Test(arguments: [
        "", "2025-03-30", "2025-3-30T10:00", "2025-03-30T10:00Z", "2025-03-30T10:00+03:00", "2025-03-30T10:00:00.5",
        "2025-02-29T10:00", "2025-13-01T10:00", "2025-04-31T10:00", "2025-03-30T24:00", "2025-03-30T10:60", "2025-03-30T10:00:60",
        "0000-01-01T00:00", "２０２５-03-30T10:00", "2025-03-30t10:00",
    ])
    func refusesAnythingElse(_ text: String) {
        #expect(LocalDateTime(parsing: text) == nil)
    }

    @Test func convertsToAndFromSecondsSinceTheEpoch() throws {
        let epoch = try #require(LocalDateTime(parsing: "1970-01-01T00:00"))
        #expect(epoch.secondsSinceEpoch == 0)
        let value = try #require(LocalDateTime(parsing: "2100-01-01T00:00"))
        #expect(value.secondsSinceEpoch == 4_102_444_800)
        for seconds: Int64 in [-86_401, -1, 0, 951_782_400, 1_709_164_800, 253_402_300_799] {
            #expect(LocalDateTime(secondsSinceEpoch: seconds)?.secondsSinceEpoch == seconds)
        }
        #expect(LocalDateTime(secondsSinceEpoch: 951_782_400)?.description == "2000-02-29T00:00:00")
        #expect(LocalDateTime(secondsSinceEpoch: -1)?.description == "1969-12-31T23:59:59")
        #expect(LocalDateTime(secondsSinceEpoch: 253_402_300_800) == nil)  // year 10000
    }
}
