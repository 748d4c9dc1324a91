public import ChatPanelProto
public import Foundation

/// A task's deadline as stored: an instant (UTC ms) and the IANA time zone it was set in,
/// which decides how it is shown. Whether it is overdue depends only on the instant.
public struct ZonedDeadline: Sendable, Hashable {
    /// The latest instant accepted: 9999-12-31T23:59:59.999Z.
    public static let latestMilliseconds: Int64 = 253_402_300_799_999

    /// The instant, UTC ms.
    public let atMilliseconds: Int64
    /// The zone it was set in and is shown in.
    public let timeZone: TimeZone
    /// The zone's name as the caller gave it ("UTC", "Europe/Moscow"); Foundation may know
    /// the zone by another (it calls UTC "GMT").
    public let timeZoneName: String

    /// A deadline at an instant, shown in `timeZone` (named `timeZoneName`, by default the
    /// zone's identifier).
    public init(atMilliseconds: Int64, timeZone: TimeZone, timeZoneName: String? = nil) {
        self.atMilliseconds = atMilliseconds
        self.timeZone = timeZone
        self.timeZoneName = timeZoneName ?? timeZone.identifier
    }

    /// The deadline a manager means by the wall-clock time `local` in `timeZone`.
    ///
    /// A time skipped by a daylight-saving change (a gap) is moved forward by the gap's length
    /// (02:30 on a spring-forward night in New York is 03:30 EDT); a time that occurs twice
    /// (an overlap) is the earlier of the two instants. These are the rules of `java.time` and
    /// of calendar applications.
    public init(local: LocalDateTime, in timeZone: TimeZone, timeZoneName: String? = nil) {
        let wallSeconds = local.secondsSinceEpoch
        func offset(at seconds: Int64) -> Int64 {
            Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
        }
        // Offsets are within ±14 h, so a day either side lies before and after any transition near it.
        let offsetBefore = offset(at: wallSeconds - 86_400)
        let offsetAfter = offset(at: wallSeconds + 86_400)
        let candidates = Set([offsetBefore, offsetAfter]).map { wallSeconds - $0 }.filter { $0 + offset(at: $0) == wallSeconds }
        let instant: Int64
        if let earliest = candidates.min() {
            instant = earliest
        } else {
            // A gap: read the time with the offset in force before it, which moves it forward.
            instant = wallSeconds - offsetBefore
        }
        self.init(atMilliseconds: instant * 1000, timeZone: timeZone, timeZoneName: timeZoneName)
    }

    /// The wall-clock time of the deadline in its zone (whole seconds, rounded down).
    public var localTime: LocalDateTime? {
        let seconds = atMilliseconds >= 0 ? atMilliseconds / 1000 : (atMilliseconds - 999) / 1000
        let offset = Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds))))
        return LocalDateTime(secondsSinceEpoch: seconds + offset)
    }

    /// Whether the deadline has passed at `nowMilliseconds` (UTC ms).
    public func isPassed(atMilliseconds nowMilliseconds: Int64) -> Bool {
        atMilliseconds < nowMilliseconds
    }

    /// The wire form, every field filled.
    public var proto: TasksV1.Deadline {
        var deadline = TasksV1.Deadline()
        deadline.atMs = atMilliseconds
        deadline.localTime = localTime?.description ?? ""
        deadline.timeZone = timeZoneName
        return deadline
    }
}
