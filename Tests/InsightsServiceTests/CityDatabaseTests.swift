import ChatPanelProto
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import InsightsService
import Testing

/// Locations from an operator's `.mmdb` (written here with Debian's libmaxmind-db-writer-perl):
/// country and city where it has the address, the country ranges where it has not.
@Suite struct CityDatabaseTests {
    /// Writes a small GeoIP2-City-shaped database: 77.88.8.0/24 in Moscow, 8.8.8.0/24 with a country only.
    static func writeDatabase(to path: String) async throws {
        let script = """
            use utf8;
            use MaxMind::DB::Writer::Tree;
            my %types = (country => 'map', iso_code => 'utf8_string', city => 'map', names => 'map', en => 'utf8_string', ru => 'utf8_string');
            my $tree = MaxMind::DB::Writer::Tree->new(
                ip_version => 6, record_size => 24, database_type => 'GeoIP2-City', languages => ['en', 'ru'],
                description => { en => 'ChatPanel test cities' }, alias_ipv6_to_ipv4 => 1,
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

    @Test func theCityDatabaseGivesCountryAndCity() async throws {
        try await withTemporaryDirectory { directory in
            let path = "\(directory)/cities.mmdb"
            try await Self.writeDatabase(to: path)
            let start = Time.at("2026-05-01T10:00:00Z")
            try await withInsightsService(now: start, cityDatabase: path) { service in
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
    }

    @Test func aMissingDatabaseIsRefusedByName() throws {
        #expect(throws: (any Error).self) {
            _ = try InsightsConfiguration.load(cityDatabasePath: "/nonexistent/cities.mmdb")
        }
    }
}
