import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The process's metrics through `Metrics/Scrape` on the service's own socket: calls per
/// method and code and their latency histogram move when calls are made; the store's size,
/// write latency and idempotent replays are there too.
@Suite struct MetricsTests {
    /// The value of the sample line that starts with `prefix` (0 when absent).
    private func sample(_ text: String, _ prefix: String) -> Double {
        for line in text.split(separator: "\n") where line.hasPrefix(prefix) {
            if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
        }
        return 0
    }

    @Test func figuresMoveWhenCallsAreMade() async throws {
        try await withTasksService { service in
            let scrape = { try await service.client.unary(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text }
            let ok = #"chatpanel_rpc_calls_total{method="/chatpanel.tasks.v1.Tasks/CreateNote",code="OK"}"#
            let invalid = #"chatpanel_rpc_calls_total{method="/chatpanel.tasks.v1.Tasks/CreateNote",code="INVALID_ARGUMENT"}"#
            let histogram = #"chatpanel_rpc_call_duration_seconds_count{method="/chatpanel.tasks.v1.Tasks/CreateNote"}"#
            let before = try await scrape()

            let id = newRequestID()
            for index in 0..<3 { _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "n\(index)"), requestID: index == 0 ? id : "") }
            _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "n0"), requestID: id)  // a replay
            _ = try? await service.call(TasksV1.Tasks.createNote, Make.note(text: ""))  // refused

            let after = try await scrape()
            // Other suites in this test process may call the same method meanwhile: at least ours.
            #expect(sample(after, ok) - sample(before, ok) >= 4, "\(after)")
            #expect(sample(after, invalid) - sample(before, invalid) >= 1)
            #expect(sample(after, histogram) - sample(before, histogram) >= 5)
            #expect(sample(after, "chatpanel_store_idempotent_replays_total") - sample(before, "chatpanel_store_idempotent_replays_total") >= 1)
            #expect(sample(after, "chatpanel_store_database_bytes") > 0)
            #expect(sample(after, "chatpanel_store_filesystem_available_bytes") > 0)
            #expect(sample(after, "process_resident_memory_bytes") > 1_000_000, "\(after)")
            #expect(sample(after, "process_open_fds") > 2)
            #expect(sample(after, "process_cpu_seconds_total") > 0)
            #expect(sample(after, "process_start_time_seconds") > 1_700_000_000)
            #expect(after.contains("# TYPE chatpanel_rpc_call_duration_seconds histogram"), "\(after)")
            #expect(after.contains("chatpanel_store_write_duration_seconds_bucket"))
        }
    }

    @Test func theExporterServesEveryProcessOverHTTPInAFormatPromtoolAccepts() async throws {
        try await withTasksService { service in
            _ = try await service.call(TasksV1.Tasks.createNote, Make.note(text: "for the exporter"))
            let exporter = MetricsExporter(
                port: 0,
                targets: [
                    .init(process: "tasks", socket: "\(service.directory)/tasks.sock"),
                    .init(process: "absent", socket: "\(service.directory)/absent.sock"),
                ],
                logger: testLogger("exporter"))
            let running = Task { try await exporter.run() }
            defer { running.cancel() }
            let port = try await exporter.listeningPort()
            let (status, body) = try await Task.detached { try httpGet(port: port, path: "/metrics") }.value
            #expect(status.contains("200"), "\(status)")
            #expect(body.contains(#"chatpanel_rpc_calls_total{process="tasks",method="/chatpanel.tasks.v1.Tasks/CreateNote",code="OK"}"#), "\(body)")
            #expect(body.contains(#"chatpanel_exporter_up{process="tasks"} 1"#))
            #expect(body.contains(#"chatpanel_exporter_up{process="absent"} 0"#))
            #expect(body.components(separatedBy: "# TYPE chatpanel_rpc_calls_total counter").count == 2, "one header per family")
            let (missing, _) = try await Task.detached { try httpGet(port: port, path: "/nothing") }.value
            #expect(missing.contains("404"))

            // promtool (Debian prometheus) reads the exposition as Prometheus would.
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/promtool") {
                let check = try await promtoolCheck(body)
                #expect(check.status == 0, "promtool: \(check.output)")
            }
        }
    }

    @Test func mergingLabelsEachProcessAndKeepsFamiliesTogether() {
        let a = "# HELP x_total Things.\n# TYPE x_total counter\nx_total{k=\"1\"} 2\n# TYPE g gauge\ng 5\n"
        let b = "# HELP x_total Things.\n# TYPE x_total counter\nx_total 7\n"
        let merged = PrometheusText.merge([("a", a), ("b", b), ("c", nil)])
        #expect(
            merged == """
                # HELP x_total Things.
                # TYPE x_total counter
                x_total{process="a",k="1"} 2
                x_total{process="b"} 7
                # HELP g A ChatPanel metric.
                # TYPE g gauge
                g{process="a"} 5
                # HELP chatpanel_exporter_up Whether the process answered the exporter's scrape.
                # TYPE chatpanel_exporter_up gauge
                chatpanel_exporter_up{process="a"} 1
                chatpanel_exporter_up{process="b"} 1
                chatpanel_exporter_up{process="c"} 0

                """)
    }
}

/// A plain HTTP/1.1 GET on 127.0.0.1: the status line and the body (by Content-Length).
private func httpGet(port: Int, path: String) throws -> (String, String) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    defer { close(fd) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
    }
    guard connected == 0 else { throw TestSupportFailure("cannot connect to port \(port): errno \(errno)") }
    let request = Array("GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".utf8)
    _ = request.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, 0) }
    var received: [UInt8] = []
    var timeout = timeval(tv_sec: 10, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    while true {
        var buffer = [UInt8](repeating: 0, count: 65536)
        let count = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        guard count > 0 else { break }
        received += buffer[0..<count]
        let text = String(decoding: received, as: UTF8.self)
        guard let end = text.range(of: "\r\n\r\n") else { continue }
        let head = String(text[..<end.lowerBound])
        let length = head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
            .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        let bodyBytes = Array(text[end.upperBound...].utf8)
        if bodyBytes.count >= length {
            return (String(head.split(separator: "\r\n").first ?? ""), String(decoding: bodyBytes.prefix(length), as: UTF8.self))
        }
    }
    throw TestSupportFailure("no whole HTTP answer from port \(port)")
}

/// `promtool check metrics` on `text`: its exit status and output.
private func promtoolCheck(_ text: String) async throws -> (status: Int32, output: String) {
    let input = FileManager.default.temporaryDirectory.appendingPathComponent("cp-metrics-\(getpid())-\(UInt32.random(in: 0...UInt32.max))").path
    try text.write(toFile: input, atomically: true, encoding: .utf8)
    defer { try? FileManager.default.removeItem(atPath: input) }
    let process = try ChildProcess.spawn("/usr/bin/promtool", ["check", "metrics"], logPrefix: input + "-log", standardInput: input)
    defer {
        try? FileManager.default.removeItem(atPath: input + "-log.out")
        try? FileManager.default.removeItem(atPath: input + "-log.err")
    }
    let ended = try await process.exit()
    let status: Int32 = if case .exited(let code) = ended { code } else { -1 }
    return (status, process.standardOutput + process.standardError)
}
