import ChatPanelProto

/// Where an IP address is (VISIT-5): the country from Debian's `tor-geoipdb` ranges. The
/// locator is loaded once per process and shared.
public struct Locator: Sendable {
    private let countries: CountryRanges?

    /// A locator over the country ranges (nil: locations stay unknown).
    public init(countries: CountryRanges?) {
        self.countries = countries
    }

    /// The location of `ip` (empty fields when unknown or not an address).
    func locate(_ ip: String) -> InsightsV1.Location {
        var location = InsightsV1.Location()
        if let address = IPAddress(ip), let country = countries?.country(of: address) { location.countryCode = country }
        return location
    }
}
