import ChatPanelProto
import ChatPanelRPC
import Foundation

extension TasksV1.Deadline {
    /// The deadline this request field means, or nil with the reasons recorded under `field`.
    ///
    /// Either `at_ms` (an instant, shown in `time_zone` or UTC) or `local_time` (a wall-clock
    /// time in `time_zone`, which is then required). Zone names are IANA names that Foundation
    /// knows.
    func validated(field: String, into violations: inout FieldViolations) -> ZonedDeadline? {
        let before = violations.all.count
        var zone: TimeZone? = nil
        let zoneName = timeZone.isEmpty ? "UTC" : timeZone
        if timeZone.isEmpty {
            if !localTime.isEmpty { violations.add(field: "\(field).time_zone", "is required with local_time") }
            zone = TimeZoneCatalog.utc
        } else {
            zone = TimeZoneCatalog.zone(named: timeZone)
            if zone == nil {
                violations.add(field: "\(field).time_zone", "is not a known IANA time zone name (like \"Europe/Moscow\")")
            }
        }
        var deadline: ZonedDeadline? = nil
        switch (atMs != 0, !localTime.isEmpty) {
        case (true, true):
            violations.add(field: "\(field).local_time", "give at_ms or local_time, not both")
        case (false, false):
            violations.add(field: field, "give at_ms, or local_time with time_zone")
        case (true, false):
            if let zone { deadline = ZonedDeadline(atMilliseconds: atMs, timeZone: zone, timeZoneName: zoneName) }
        case (false, true):
            if let local = LocalDateTime(parsing: localTime) {
                if let zone { deadline = ZonedDeadline(local: local, in: zone, timeZoneName: zoneName) }
            } else {
                violations.add(field: "\(field).local_time", "must be a date and time like 2025-03-30T10:00 or 2025-03-30T10:00:00")
            }
        }
        if let instant = deadline?.atMilliseconds, !(1...ZonedDeadline.latestMilliseconds).contains(instant) {
            violations.add(field: "\(field).\(atMs != 0 ? "at_ms" : "local_time")", "must lie between 1970 and 9999")
        }
        return violations.all.count == before ? deadline : nil
    }
}
