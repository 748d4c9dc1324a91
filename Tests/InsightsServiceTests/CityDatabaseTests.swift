import ChatPanelProto
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import InsightsService
import Testing

/// Locations from an operator's `.mmdb` (written here with Debian's libmaxmind-db-writer-perl):
/// country and city where it has the address, the country ranges where it has not.
@Suite struct CityDatabaseTests {
    /// Writes a small GeoIP2-City-shaped database: 77.88.8.0/24 in Moscow, 8.8.8.0/24 with a
    /// country only; with `aliasIPv4`, IPv4-mapped IPv6 addresses (::ffff:0:0/96) lead to the
    /// IPv4 ones, as MaxMind's own files do (an operator's file need not).
    static func writeDatabase(to path: String, aliasIPv4: Bool = true) async throws {
        let script = """
            use utf8;
            use MaxMind::DB::Writer::Tree;
            my %types = (country => 'map', iso_code => 'utf8_string', city => 'map', names => 'map', en => 'utf8_string', ru => 'utf8_string');
            my $tree = MaxMind::DB::Writer::Tree->new(
                ip_version => 6, record_size => 24, database_type => 'GeoIP2-City', languages => ['en', 'ru'],
                description => { en => 'ChatPanel test cities' }, alias_ipv6_to_ipv4 => \(aliasIPv4 ? 1 : 0),
                map_key_type_callback => sub { $types{ $_[0] } });
            $tree->insert_network('77.88.8.0/24', { country => { iso_code => 'RU' }, city => { names => { en => 'Moscow', ru => 'Москва' } } });
            $tree->insert_network('8.8.8.0/24', { country => { iso_code => 'US' } });
            open my $fh, '>:raw', $ARGV[0] or die $!;
            $tree->write_tree($fh);
            close $fh;
            """
        let child = try ChildProcess.spawn("/usr/bin/perl", ["-e", script, path], logPrefix: "\(path).perl")
        defer { child.kill() }
        try #require(
            try await child.exit() == .exited(0),
            "perl could not write the test .mmdb (make deps installs libmaxmind-db-writer-perl): \(child.standardError)")
    }

    let start = Time.at("2026-05-01T10:00:00Z")

    /// Runs `body` against a service over a new test database, its clock at `start`.
    func withCities(aliasIPv4: Bool = true, _ body: (InsightsHarness) async throws -> Void) async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/cities.mmdb"
            try await Self.writeDatabase(to: path, aliasIPv4: aliasIPv4)
            try await withInsightsService(now: start, cityDatabase: path, body)
        }
    }

    @Test func theCityDatabaseGivesCountryAndCity() async throws {
        try await withCities { service in
            try await service.record([
                Make.view("p1", visitor: "moscow", at: start, ip: "77.88.8.8"),
                Make.view("p2", visitor: "us", at: start, ip: "8.8.8.8"),
                Make.view("p3", visitor: "ranges", at: start, ip: "5.255.255.242"),
            ])
            let moscow = try #require(try await service.visit(visitor: "moscow").visit?.location)
            #expect(moscow.countryCode == "RU" && moscow.city == "Moscow")
            let american = try #require(try await service.visit(visitor: "us").visit?.location)
            #expect(american.countryCode == "US" && american.city.isEmpty)
            // Not in the operator's database: the country from the ranges, no city.
            let fromRanges = try #require(try await service.visit(visitor: "ranges").visit?.location)
            #expect(fromRanges.countryCode == "RU" && fromRanges.city.isEmpty)
        }
    }

    /// An IPv4-mapped IPv6 address (a dual-stack server's IPv4 client) is looked up as the IPv4
    /// address, in a database that does not alias the mapped range too.
    @Test func anIPv4MappedAddressIsLookedUpAsIPv4() async throws {
        try await withCities(aliasIPv4: false) { service in
            try await service.record([
                Make.view("p1", visitor: "plain", at: start, ip: "77.88.8.8"),
                Make.view("p2", visitor: "mapped", at: start, ip: "::ffff:77.88.8.8"),
                Make.view("p3", visitor: "written-out", at: start, ip: "0:0:0:0:0:FFFF:4D58:0808"),
            ])
            for visitor in ["plain", "mapped", "written-out"] {
                let location = try #require(try await service.visit(visitor: visitor).visit?.location)
                #expect(location.countryCode == "RU" && location.city == "Moscow", "\(visitor)")
            }
        }
    }

    @Test func aMissingDatabaseIsRefusedByName() throws {
        #expect(throws: (any Error).self) {
            _ = try InsightsConfiguration.load(cityDatabasePath: "/nonexistent/cities.mmdb")
        }
    }
}
