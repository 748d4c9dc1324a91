import CMaxMindDB
import Glibc

/// An operator-supplied MaxMind DB (`.mmdb`, GeoIP2/GeoLite2 City or Country layout) read with
/// libmaxminddb: the country's ISO code and the city's English name of an address. The file
/// is memory-mapped once; lookups are read-only and may run on any thread.
public final class CityDatabase: @unchecked Sendable {
    // `database` is written only by MMDB_open in init and freed in deinit; libmaxminddb's lookups
    // only read it.
    private let database: UnsafeMutablePointer<MMDB_s>

    /// Opens the database at `path`.
    ///
    /// - Throws: ``GeoError`` naming the file and libmaxminddb's reason.
    public init(path: String) throws {
        let opened = UnsafeMutablePointer<MMDB_s>.allocate(capacity: 1)
        let status = MMDB_open(path, UInt32(MMDB_MODE_MMAP), opened)
        guard status == MMDB_SUCCESS else {
            opened.deallocate()
            throw GeoError("cannot open the city database \(path): \(String(cString: MMDB_strerror(status)))")
        }
        database = opened
    }

    deinit {
        MMDB_close(database)
        database.deallocate()
    }

    /// The country code and city of `ip`; nil when the database has no entry for it.
    func lookup(_ ip: String) -> (countryCode: String, city: String)? {
        var addressError: Int32 = 0
        var databaseError: Int32 = 0
        var result = MMDB_lookup_string(database, ip, &addressError, &databaseError)
        guard addressError == 0, databaseError == MMDB_SUCCESS, result.found_entry else { return nil }
        let country = string(&result.entry, ["country", "iso_code"]) ?? ""
        let city = string(&result.entry, ["city", "names", "en"]) ?? ""
        return country.isEmpty && city.isEmpty ? nil : (country, city)
    }

    private func string(_ entry: inout MMDB_entry_s, _ path: [String]) -> String? {
        var data = MMDB_entry_data_s()
        let keys = path.map { strdup($0) }
        defer { keys.forEach { free($0) } }
        var pointers: [UnsafePointer<CChar>?] = keys.map { UnsafePointer($0) } + [nil]
        let status = pointers.withUnsafeMutableBufferPointer { MMDB_aget_value(&entry, &data, $0.baseAddress) }
        guard status == MMDB_SUCCESS, data.has_data, data.type == UInt32(MMDB_DATA_TYPE_UTF8_STRING), let text = data.utf8_string else {
            return nil
        }
        return String(decoding: UnsafeRawBufferPointer(start: text, count: Int(data.data_size)), as: UTF8.self)
    }
}
