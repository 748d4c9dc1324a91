import Foundation
@testable import InsightsService
import Testing

/// The uap-core project's own test files (Debian's `uap-core`) run against the parser over
/// its `regexes.yaml`: every user agent and OS case must come out as the file says.
@Suite struct UserAgentRulesTests {
    let parser: UserAgentParser

    init() throws {
        parser = try loadedConfiguration().userAgents
    }

    @Test func everyUserAgentCaseOfTestUA() throws {
        let cases = try UAPTestFile.cases("test_ua.yaml")
        #expect(cases.count > 1_000)
        var failures: [String] = []
        for test in cases {
            let agent = parser.parse(test["user_agent_string"]! ?? "")
            let expected = [test["family"] ?? nil, test["major"] ?? nil, test["minor"] ?? nil, test["patch"] ?? nil]
            let got = [agent.browser] + agent.browserVersion
            if got != expected { failures.append("\(test["user_agent_string"]! ?? ""): \(got) ≠ \(expected)") }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count): \(failures.prefix(5))")
    }

    @Test func everyOSCaseOfTestOS() throws {
        let cases = try UAPTestFile.cases("test_os.yaml")
        #expect(cases.count > 400)
        var failures: [String] = []
        for test in cases {
            let agent = parser.parse(test["user_agent_string"]! ?? "")
            let expected = [test["family"] ?? nil, test["major"] ?? nil, test["minor"] ?? nil, test["patch"] ?? nil, test["patch_minor"] ?? nil]
            let got = [agent.os] + agent.osVersion
            if got != expected { failures.append("\(test["user_agent_string"]! ?? ""): \(got) ≠ \(expected)") }
        }
        #expect(failures.isEmpty, "\(failures.count) of \(cases.count): \(failures.prefix(5))")
    }
}

/// The test cases of a uap-core test file.
enum UAPTestFile {
    /// Where Debian's uap-core puts its test files.
    static let directory = "/usr/share/uap-core/tests"

    static func cases(_ name: String) throws -> [UAPYAML.Item] {
        let data = try #require(FileManager.default.contents(atPath: "\(directory)/\(name)"), "uap-core's \(name) is missing")
        return try UAPYAML.parse(String(decoding: data, as: UTF8.self))["test_cases"] ?? []
    }
}
