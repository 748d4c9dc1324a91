import Foundation

/// The country of an IP address from Debian's `tor-geoipdb` range files (`/usr/share/tor/geoip`
/// lines "from,to,CC" with IPv4 addresses as numbers; `geoip6` with IPv6 addresses written
/// out): a real, current country database that needs no operator download. "??" ranges
/// (unassigned or unknown) answer nil.
public struct CountryRanges: Sendable {
    /// Debian's IPv4 ranges.
    public static let defaultIPv4Path = "/usr/share/tor/geoip"
    /// Debian's IPv6 ranges.
    public static let defaultIPv6Path = "/usr/share/tor/geoip6"

    private struct Range<Bound: Comparable & Sendable>: Sendable {
        let from: Bound
        let to: Bound
        let country: String
    }

    private let ipv4: [Range<UInt32>]
    private let ipv6: [Range<UInt128>]

    /// The ranges of the two files (the IPv6 file may be absent: IPv6 addresses then answer nil).
    public init(ipv4Path: String = defaultIPv4Path, ipv6Path: String? = defaultIPv6Path) throws {
        ipv4 = try Self.load(ipv4Path) { UInt32($0) }
        if let ipv6Path, FileManager.default.fileExists(atPath: ipv6Path) {
            ipv6 = try Self.load(ipv6Path) { text -> UInt128? in
                guard let address = IPAddress(String(text)), case .v6(let number) = address.value else { return nil }
                return number
            }
        } else {
            ipv6 = []
        }
    }

    /// The two-letter country code of `address`, or nil when the files do not know it.
    func country(of address: IPAddress) -> String? {
        switch address.value {
        case .v4(let number): Self.find(number, in: ipv4)
        case .v6(let number): Self.find(number, in: ipv6)
        }
    }

    private static func find<Bound: Comparable>(_ value: Bound, in ranges: [Range<Bound>]) -> String? {
        var low = 0
        var high = ranges.count
        while low < high {
            let middle = (low + high) / 2
            if ranges[middle].to < value { low = middle + 1 } else { high = middle }
        }
        guard low < ranges.count, ranges[low].from <= value else { return nil }
        return ranges[low].country == "??" ? nil : ranges[low].country
    }

    private static func load<Bound: Comparable>(_ path: String, _ parse: (Substring) -> Bound?) throws -> [Range<Bound>] {
        guard let data = FileManager.default.contents(atPath: path) else { throw GeoError("cannot read the country ranges \(path)") }
        var ranges: [Range<Bound>] = []
        for (number, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() where !line.hasPrefix("#") {
            let fields = line.split(separator: ",")
            guard fields.count == 3, let from = parse(fields[0]), let to = parse(fields[1]), from <= to else {
                throw GeoError("\(path) line \(number + 1) is not \"from,to,CC\"")
            }
            ranges.append(Range(from: from, to: to, country: String(fields[2])))
        }
        ranges.sort { $0.from < $1.from }
        return ranges
    }
}

/// Why a location database could not be read.
public struct GeoError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String

    init(_ description: String) { self.description = description }
}
