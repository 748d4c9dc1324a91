import ChatPanelProto

/// Where an IP address is (VISIT-5): the country and city from the operator's `.mmdb` when one
/// is configured, else the country from Debian's `tor-geoipdb` ranges. Loaded once per process
/// and shared.
public struct Locator: Sendable {
    private let cities: CityDatabase?
    private let countries: CountryRanges?

    /// A locator over an operator's city database and the country ranges (either may be nil).
    public init(cities: CityDatabase? = nil, countries: CountryRanges?) {
        self.cities = cities
        self.countries = countries
    }

    /// The location of `ip` (empty fields when unknown or not an address). An IPv4-mapped IPv6
    /// address (`::ffff:8.8.8.8`) is looked up as the IPv4 address it carries: neither database
    /// need hold the mapped range.
    func locate(_ ip: String) -> InsightsV1.Location {
        var location = InsightsV1.Location()
        guard var address = IPAddress(ip) else { return location }
        var text = ip
        if let mapped = address.mappedIPv4, let mappedText = mapped.ipv4Text {
            address = mapped
            text = mappedText
        }
        if let found = cities?.lookup(text) {
            location.countryCode = found.countryCode
            location.city = found.city
        }
        if location.countryCode.isEmpty, let country = countries?.country(of: address) { location.countryCode = country }
        return location
    }
}
