import ArgumentParser
import ChatPanelRuntime
import Foundation
import Logging

/// `chatpaneld exporter`: serves every process's metrics to Prometheus over HTTP (the one
/// process with a TCP port; the services keep to Unix sockets).
struct ExporterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "exporter", abstract: "Serves the metrics of every ChatPanel process on http://127.0.0.1:9464/metrics.")

    @Option(help: "host:port to listen on (env CHATPANEL_EXPORTER_LISTEN).") var listen: String?
    @Option(name: .customLong("target"), help: "A process to scrape as name=socket; repeatable (default: every *.sock in --socket-dir).")
    var targets: [String] = []
    @Option(help: "Where the sockets are (env CHATPANEL_SOCKET_DIR; default /run/chatpanel).") var socketDir: String?
    @Option(help: "trace … critical (env CHATPANEL_LOG_LEVEL; default info).") var logLevel: String?

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        let address = listen ?? environment["CHATPANEL_EXPORTER_LISTEN"] ?? "127.0.0.1:9464"
        guard let colon = address.lastIndex(of: ":"), let port = Int(address[address.index(after: colon)...]), (0...65535).contains(port)
        else {
            throw ValidationError("--listen '\(address)' is not host:port")
        }
        let host = String(address[..<colon])
        var scraped: [MetricsExporter.Target] = []
        for target in targets {
            let parts = target.split(separator: "=", maxSplits: 1)
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else {
                throw ValidationError("--target '\(target)' is not name=socket")
            }
            scraped.append(.init(process: String(parts[0]), socket: String(parts[1])))
        }
        if scraped.isEmpty {
            let folder = socketDir ?? environment["CHATPANEL_SOCKET_DIR"] ?? "/run/chatpanel"
            let sockets = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".sock") }.sorted()
            guard !sockets.isEmpty else { throw ValidationError("no --target given and no *.sock in \(folder)") }
            scraped = sockets.map { .init(process: String($0.dropLast(5)), socket: "\(folder)/\($0)") }
        }
        guard let level = Logger.Level(rawValue: logLevel ?? environment["CHATPANEL_LOG_LEVEL"] ?? "info") else {
            throw ValidationError("unknown log level")
        }
        let logger = ChatPanelProcess.makeLogger(name: "exporter", level: level)
        let exporter = MetricsExporter(host: host, port: port, targets: scraped, logger: logger)
        try await ChatPanelProcess.runUntilSignalled([exporter], logger: logger)
    }
}
