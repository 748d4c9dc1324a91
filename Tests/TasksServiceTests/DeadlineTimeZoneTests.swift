import ChatPanelProto
import Foundation
import TasksService
import Testing

/// Wall-clock times in IANA zones to UTC instants and back, daylight-saving changes included.
@Suite struct DeadlineTimeZoneTests {
    private func zone(_ name: String) throws -> TimeZone { try #require(TimeZoneCatalog.zone(named: name)) }
    private func local(_ text: String) throws -> LocalDateTime { try #require(LocalDateTime(parsing: text)) }
    private func utcMilliseconds(_ text: String) throws -> Int64 { try local(text).secondsSinceEpoch * 1000 }

    @Test func aZoneWithoutDaylightSaving() throws {
        let deadline = ZonedDeadline(local: try local("2025-03-30T10:00"), in: try zone("Europe/Moscow"))
        #expect(deadline.atMilliseconds == (try utcMilliseconds("2025-03-30T07:00")))
        #expect(deadline.localTime?.description == "2025-03-30T10:00:00")
        let kathmandu = ZonedDeadline(local: try local("2025-01-01T00:00"), in: try zone("Asia/Kathmandu"))
        #expect(kathmandu.atMilliseconds == (try utcMilliseconds("2024-12-31T18:15")))  // UTC+5:45
    }

    @Test func summerAndWinterOffsetsOfOneZone() throws {
        let berlin = try zone("Europe/Berlin")
        #expect(ZonedDeadline(local: try local("2025-01-15T09:00"), in: berlin).atMilliseconds == (try utcMilliseconds("2025-01-15T08:00")))
        #expect(ZonedDeadline(local: try local("2025-07-15T09:00"), in: berlin).atMilliseconds == (try utcMilliseconds("2025-07-15T07:00")))
    }

    @Test func aTimeInTheSpringForwardGapMovesForwardByTheGap() throws {
        // 2021-03-14 in New York: clocks jump from 02:00 EST to 03:00 EDT; 02:30 does not exist.
        let deadline = ZonedDeadline(local: try local("2021-03-14T02:30"), in: try zone("America/New_York"))
        #expect(deadline.atMilliseconds == (try utcMilliseconds("2021-03-14T07:30")))
        #expect(deadline.localTime?.description == "2021-03-14T03:30:00")
        // Samoa skipped 2011-12-30 altogether (UTC-10 to UTC+14).
        let samoa = ZonedDeadline(local: try local("2011-12-30T12:00"), in: try zone("Pacific/Apia"))
        #expect(samoa.localTime?.description == "2011-12-31T12:00:00")
    }

    @Test func aTimeInTheFallBackOverlapIsTheEarlierInstant() throws {
        // 2021-11-07 in New York: 01:30 happens at 05:30 UTC (EDT) and again at 06:30 UTC (EST).
        let newYork = try zone("America/New_York")
        let deadline = ZonedDeadline(local: try local("2021-11-07T01:30"), in: newYork)
        #expect(deadline.atMilliseconds == (try utcMilliseconds("2021-11-07T05:30")))
        #expect(deadline.localTime?.description == "2021-11-07T01:30:00")
        // The later instant shows the same wall-clock time.
        let later = ZonedDeadline(atMilliseconds: try utcMilliseconds("2021-11-07T06:30"), timeZone: newYork)
        #expect(later.localTime?.description == "2021-11-07T01:30:00")
    }

    @Test func overdueDependsOnlyOnTheInstant() throws {
        let at = try utcMilliseconds("2030-01-01T00:00")
        for name in ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago"] {
            let deadline = ZonedDeadline(atMilliseconds: at, timeZone: try zone(name))
            #expect(deadline.isPassed(atMilliseconds: at + 1))
            #expect(!deadline.isPassed(atMilliseconds: at))
        }
    }

    @Test func theWireFormCarriesTheInstantTheWallClockAndTheZone() throws {
        let deadline = ZonedDeadline(local: try local("2025-06-01T18:45:30"), in: try zone("Asia/Vladivostok"))
        let wire = deadline.proto
        #expect(wire.atMs == (try utcMilliseconds("2025-06-01T08:45:30")))
        #expect(wire.localTime == "2025-06-01T18:45:30")
        #expect(wire.timeZone == "Asia/Vladivostok")
    }

    @Test func onlyKnownZoneNamesAreAccepted() {
        #expect(TimeZoneCatalog.zone(named: "Europe/Moscow") != nil)
        #expect(TimeZoneCatalog.zone(named: "Mars/Olympus") == nil)
        #expect(TimeZoneCatalog.zone(named: "") == nil)
        #expect(TimeZoneCatalog.zone(named: String(repeating: "A", count: 100)) == nil)
    }
}
