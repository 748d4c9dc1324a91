import ChatPanelSystem
import ChatPanelTesting
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Who can reach what once `deploy/` is installed: the sockets' folder is made by
/// `deploy/tmpfiles.d/chatpanel.conf` for the chatpanel group (systemd makes a socket's missing
/// folder root:root), and `systemd-tmpfiles` really makes it so, even over a folder a socket
/// unit made first; every process's allow-list lets in the exporter's user and the user that
/// takes backups; the exporter starts after every socket; no process that serves a socket runs
/// in a private user namespace.
@Suite(.timeLimit(.minutes(2)))
struct DeploymentAccessTests {
    static let deploy = DeploymentUnitTests.deployDirectory
    static let tmpfiles = "\(deploy)/tmpfiles.d/chatpanel.conf"

    /// The `Key=value` lines of a unit in `deploy/`, in order (comments and sections left out).
    static func settings(_ unit: String) throws -> [(key: String, value: String)] {
        try String(contentsOfFile: "\(deploy)/\(unit)", encoding: .utf8).split(separator: "\n").compactMap { line in
            guard !line.hasPrefix("#"), !line.hasPrefix("["), let equals = line.firstIndex(of: "=") else { return nil }
            return (String(line[..<equals]), String(line[line.index(after: equals)...]))
        }
    }

    /// The last value of `key` in `unit`.
    static func value(_ key: String, in unit: String) throws -> String? {
        try settings(unit).last { $0.key == key }?.value
    }

    /// A unit's environment: every `Environment=` line's assignments.
    static func environment(of unit: String) throws -> [String: String] {
        var environment: [String: String] = [:]
        for line in try settings(unit) where line.key == "Environment" {
            for assignment in line.value.split(separator: " ") {
                let parts = assignment.split(separator: "=", maxSplits: 1)
                if parts.count == 2 { environment[String(parts[0])] = String(parts[1]) }
            }
        }
        return environment
    }

    /// The processes with a `.socket` and a `.service` unit (`clients`, …, `gateway`).
    static func processes() throws -> [String] {
        try DeploymentUnitTests.unitNames().filter { $0.hasSuffix(".socket") }.map {
            String($0.dropFirst("chatpanel-".count).dropLast(".socket".count))
        }
    }

    /// The tmpfiles.d lines: type, path, mode, user, group.
    static func tmpfilesEntries() throws -> [[String]] {
        try String(contentsOfFile: tmpfiles, encoding: .utf8).split(separator: "\n")
            .filter { !$0.hasPrefix("#") && !$0.allSatisfy(\.isWhitespace) }
            .map { $0.split(separator: " ", omittingEmptySubsequences: true).map(String.init) }
    }

    @Test func everySocketsFolderIsMadeForTheChatPanelGroupWithTheSocketUnitsMode() throws {
        let entries = try Self.tmpfilesEntries()
        #expect(try !Self.processes().isEmpty)
        for process in try Self.processes() {
            let unit = "chatpanel-\(process).socket"
            let listen = try #require(try Self.value("ListenStream", in: unit), "\(unit)")
            let folder = URL(fileURLWithPath: listen).deletingLastPathComponent().path
            let made: [String]? = entries.first { (line: [String]) -> Bool in line.count >= 5 && line[0] == "d" && line[1] == folder }
            let entry = try #require(made, "no tmpfiles.d line makes \(folder)")
            #expect(entry[3] == "root", "\(entry)")
            #expect(entry[4] == "chatpanel", "\(entry)")
            #expect(try Self.value("SocketGroup", in: unit) == "chatpanel", "\(unit)")
            // The group enters and lists it (the exporter reads every *.sock); the same mode
            // whichever of tmpfiles and the socket unit makes it.
            let mode = try #require(UInt32(entry[2], radix: 8), "\(entry)")
            #expect(mode & 0o050 == 0o050, "\(entry)")
            #expect(try Self.value("DirectoryMode", in: unit) == entry[2], "\(unit)")
        }
    }

    @Test(.enabled(if: geteuid() == 0, "systemd-tmpfiles gives the folder to a group: needs root"))
    func systemdTmpfilesMakesTheFolderAndSetsRightOneASocketUnitMadeFirst() async throws {
        try await withTemporaryDirectory { root in
            // A system whose chatpanel group is 4321 (systemd-tmpfiles --root reads its users there).
            try FileManager.default.createDirectory(atPath: "\(root)/etc", withIntermediateDirectories: true)
            try "root:x:0:0:root:/root:/bin/sh\nchatpanel:x:4321:4321::/nonexistent:/usr/sbin/nologin\n"
                .write(toFile: "\(root)/etc/passwd", atomically: true, encoding: .utf8)
            try "root:x:0:\nchatpanel:x:4321:\n".write(toFile: "\(root)/etc/group", atomically: true, encoding: .utf8)
            for before in ["nothing", "a socket unit's root:root folder"] {
                try? FileManager.default.removeItem(atPath: "\(root)/run")
                if before != "nothing" {
                    try FileManager.default.createDirectory(atPath: "\(root)/run/chatpanel", withIntermediateDirectories: true)
                    #expect(chmod("\(root)/run/chatpanel", 0o750) == 0)
                }
                let child = try ChildProcess.spawn(
                    "/usr/bin/systemd-tmpfiles", ["--create", "--root=\(root)", Self.tmpfiles], logPrefix: "\(root)/tmpfiles")
                let ended = try await child.exit(within: .seconds(60))
                #expect(ended == .exited(0), "\(before): \(child.standardError)")
                var info = stat()
                #expect(stat("\(root)/run/chatpanel", &info) == 0, "\(before)")
                #expect(info.st_mode & 0o7777 == 0o750, "\(before)")
                #expect(info.st_uid == 0 && info.st_gid == 4321, "\(before): \(info.st_uid):\(info.st_gid)")
            }
        }
    }

    @Test func theInstallScriptInstallsTheTmpfilesEntryAndAppliesIt() throws {
        let script = try String(contentsOfFile: "\(Self.deploy)/install.sh", encoding: .utf8)
        #expect(script.contains("install -m 0644 deploy/tmpfiles.d/chatpanel.conf \"$tmpfiles_dir/chatpanel.conf\""))
        #expect(script.contains("systemd-tmpfiles --create \"$tmpfiles_dir/chatpanel.conf\""))
        // Before the units start, after the chatpanel group exists.
        let apply = try #require(script.range(of: "systemd-tmpfiles --create"))
        #expect(try #require(script.range(of: "systemctl enable --now")).lowerBound > apply.lowerBound)
        #expect(try #require(script.range(of: "groupadd --system chatpanel")).lowerBound < apply.lowerBound)
    }

    /// The method groups `user` may call on the process of `unit`: every group as the process's
    /// own user, else those of its `CHATPANEL_ALLOW_UIDS` entry (every group when it names none);
    /// nil when it is refused.
    static func groups(of user: String, on unit: String) throws -> Set<String>? {
        let every: Set<String> = ["panel", "feeds", "admin"]
        if try value("User", in: unit) == user { return every }
        let entries = try environment(of: unit)["CHATPANEL_ALLOW_UIDS"]?.split(separator: ",") ?? []
        guard let entry = entries.first(where: { $0.split(separator: ":").first.map(String.init) == user }) else { return nil }
        let parts = entry.split(separator: ":", maxSplits: 1)
        return parts.count == 2 ? Set(parts[1].split(separator: "+").map(String.init)) : every
    }

    @Test func everyProcessLetsInTheExportersUserAndBackupsAndTheServicesLetInTheGateway() throws {
        let exporter = try #require(try Self.value("User", in: "chatpanel-exporter.service"))
        let gateway = try #require(try Self.value("User", in: "chatpanel-gateway.service"))
        for process in try Self.processes() {
            let unit = "chatpanel-\(process).service"
            let groups = try Self.groups(of: exporter, on: unit)
            #expect(groups != nil, "\(unit) refuses \(exporter), the exporter's user")
            // README: backups are taken with sudo -u chatpanel chatpanelctl backup (Admin/Backup).
            #expect(groups?.contains("admin") == true, "\(unit) does not let \(exporter) take a backup")
            if process != "gateway" {
                #expect(try Self.groups(of: gateway, on: unit) == ["panel"], "\(unit)")
            }
        }
    }

    @Test func theExporterStartsAfterEverySocket() throws {
        let after = Set(try Self.settings("chatpanel-exporter.service").filter { $0.key == "After" }.flatMap { $0.value.split(separator: " ") }.map(String.init))
        for process in try Self.processes() {
            #expect(after.contains("chatpanel-\(process).socket"), "\(after)")
        }
    }

    @Test func noProcessThatServesASocketRunsInAPrivateUserNamespace() throws {
        for process in try Self.processes() {
            let unit = "chatpanel-\(process).service"
            #expect(try Self.value("PrivateUsers", in: unit) == nil, "\(unit): its peers would all be nobody to the allow-list")
        }
    }
}
