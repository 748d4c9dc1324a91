public import Foundation
import Synchronization

/// Looks up IANA time zones by name, remembering the ones already found (building a
/// `TimeZone` reads the tz database; listing tasks needs one per task).
public enum TimeZoneCatalog {
    private static let cache = Mutex<[String: TimeZone]>([:])
    /// More distinct names than there are zones means someone is probing: stop remembering.
    private static let cacheLimit = 1024

    /// The zone named `name` ("Europe/Moscow", "UTC"), or nil when Foundation knows none by
    /// that name.
    public static func zone(named name: String) -> TimeZone? {
        if let zone = cache.withLock({ $0[name] }) { return zone }
        guard !name.isEmpty, name.utf8.count <= 64, let zone = TimeZone(identifier: name) else { return nil }
        cache.withLock { cache in
            if cache.count < cacheLimit { cache[name] = zone }
        }
        return zone
    }

    /// UTC, the zone of deadlines given as an instant with no zone.
    public static let utc = TimeZone(identifier: "UTC")!
}
