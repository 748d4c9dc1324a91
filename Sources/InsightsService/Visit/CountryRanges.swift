import Foundation

/// The country of an IP address from Debian's `tor-geoipdb` range files (`/usr/share/tor/geoip`
/// lines "from,to,CC" with IPv4 addresses as numbers; `geoip6` with IPv6 addresses written
/// out): a real, current country database that needs no operator download. "??" ranges
/// (unassigned or unknown) answer nil. The files are searched in place, so opening them costs
/// only reading them.
public struct CountryRanges: Sendable {
    /// Debian's IPv4 ranges.
    public static let defaultIPv4Path = "/usr/share/tor/geoip"
    /// Debian's IPv6 ranges.
    public static let defaultIPv6Path = "/usr/share/tor/geoip6"

    private let ipv4: RangeFile<UInt32>
    private let ipv6: RangeFile<UInt128>?

    /// The ranges of the two files (the IPv6 file may be absent: IPv6 addresses then answer nil).
    public init(ipv4Path: String = defaultIPv4Path, ipv6Path: String? = defaultIPv6Path) throws {
        ipv4 = try RangeFile(path: ipv4Path) { field in
            guard !field.isEmpty, field.count <= 10, field.allSatisfy({ (48...57).contains($0) }) else { return nil }
            return UInt32(String(decoding: field, as: UTF8.self))
        }
        if let ipv6Path, FileManager.default.fileExists(atPath: ipv6Path) {
            ipv6 = try RangeFile(path: ipv6Path) { field -> UInt128? in
                guard let address = IPAddress(String(decoding: field, as: UTF8.self)), case .v6(let number) = address.value else {
                    return nil
                }
                return number
            }
        } else {
            ipv6 = nil
        }
    }

    /// The two-letter country code of `address`, or nil when the files do not know it.
    func country(of address: IPAddress) -> String? {
        switch address.value {
        case .v4(let number): ipv4.country(of: number)
        case .v6(let number): ipv6?.country(of: number)
        }
    }
}

/// One range file kept as its bytes and searched in place: its lines are sorted by their first
/// address and do not overlap (as tor-geoipdb ships them), so a binary search over byte offsets
/// reads about 20 lines a lookup, and opening it parses nothing but its first line.
private struct RangeFile<Bound: Comparable & Sendable>: Sendable {
    private let bytes: [UInt8]
    private let firstLine: Int
    private let parse: @Sendable (ArraySlice<UInt8>) -> Bound?

    init(path: String, parse: @escaping @Sendable (ArraySlice<UInt8>) -> Bound?) throws {
        guard let data = FileManager.default.contents(atPath: path) else { throw GeoError("cannot read the country ranges \(path)") }
        let bytes = [UInt8](data)
        var offset = 0
        while offset < bytes.count, bytes[offset] == UInt8(ascii: "#") || bytes[offset] == UInt8(ascii: "\n") {
            offset = (bytes[offset...].firstIndex(of: UInt8(ascii: "\n")) ?? bytes.count) + 1
        }
        self.bytes = bytes
        self.parse = parse
        firstLine = offset
        guard offset < bytes.count, line(at: offset) != nil else { throw GeoError("\(path) has no \"from,to,CC\" line") }
    }

    /// The country of `value`; nil for "??" ranges and addresses in no range.
    func country(of value: Bound) -> String? {
        var low = firstLine
        var high = bytes.count
        while low < high {
            let start = lineStart(containing: (low + high) / 2)
            guard let entry = line(at: start) else { return nil }
            if entry.to < value { low = entry.end + 1 } else { high = start }
        }
        guard low < bytes.count, let entry = line(at: low), entry.from <= value, entry.country != "??" else { return nil }
        return entry.country
    }

    private func lineStart(containing offset: Int) -> Int {
        var start = offset
        while start > firstLine, bytes[start - 1] != UInt8(ascii: "\n") { start -= 1 }
        return start
    }

    private func lineEnd(from offset: Int) -> Int {
        var end = offset
        while end < bytes.count, bytes[end] != UInt8(ascii: "\n") { end += 1 }
        return end
    }

    private func line(at start: Int) -> (from: Bound, to: Bound, country: String, end: Int)? {
        let end = lineEnd(from: start)
        let fields = bytes[start..<end].split(separator: UInt8(ascii: ","), omittingEmptySubsequences: false)
        guard fields.count == 3, fields[2].count == 2, let from = parse(fields[0]), let to = parse(fields[1]) else { return nil }
        return (from, to, String(decoding: fields[2], as: UTF8.self), end)
    }
}

/// Why a location database could not be read.
public struct GeoError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
