import ChatPanelProto
import ChatPanelRPC
import Foundation
public import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
public import ServiceLifecycle

/// `chatpaneld exporter`: the one ChatPanel process that listens on TCP (127.0.0.1:9464 by
/// default). On `GET /metrics` it scrapes every process's socket (`Metrics/Scrape`), labels each
/// sample with `process="<name>"`, merges the families and answers in the Prometheus text
/// format; `chatpanel_exporter_up{process}` says which processes answered.
public final class MetricsExporter: Service, Sendable {
    /// A process to scrape: its name (the `process` label) and socket.
    public struct Target: Sendable, Hashable {
        public var process: String
        public var socket: String

        public init(process: String, socket: String) {
            self.process = process
            self.socket = socket
        }
    }

    private let host: String
    private let port: Int
    private let targets: [Target]
    private let clients: [String: RPCClient]
    private let logger: Logger
    private let bound: EventLoopPromise<Int>

    /// An exporter for `targets`, listening on `host:port` (port 0: any free port).
    public init(host: String = "127.0.0.1", port: Int = 9464, targets: [Target], logger: Logger) {
        self.host = host
        self.port = port
        self.targets = targets
        self.logger = logger
        var clients: [String: RPCClient] = [:]
        for target in targets {
            var configuration = RPCClientConfiguration(socketPath: target.socket)
            configuration.defaultCallTimeout = .seconds(3)
            clients[target.process] = RPCClient(configuration: configuration)
        }
        self.clients = clients
        self.bound = MultiThreadedEventLoopGroup.singleton.any().makePromise(of: Int.self)
    }

    deinit { bound.fail(CancellationError()) }

    /// The port it listens on, once it does.
    public func listeningPort() async throws -> Int { try await bound.futureResult.get() }

    /// Scrapes every target and merges the texts.
    public func exposition() async -> String {
        var texts: [(process: String, text: String?)] = []
        for target in targets {
            let text = try? await clients[target.process]?.unary(MetricsV1.Metrics.scrape, MetricsV1.ScrapeRequest()).text
            texts.append((target.process, text))
        }
        return PrometheusText.merge(texts)
    }

    public func run() async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                // On the channel's loop: the handlers go in through the pipeline's synchronous
                // operations (the handler is not Sendable).
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ExporterHTTPHandler(exporter: self))
                }
            }
            .bind(host: host, port: port).get()
        bound.succeed(channel.localAddress?.port ?? port)
        logger.notice("exporter.listening", metadata: ["chatpanel.exporter.address": "\(host):\(channel.localAddress?.port ?? port)"])
        try await gracefulShutdown()
        try? await channel.close()
        for client in clients.values { await client.close() }
    }
}

/// Answers `GET /metrics` (and `/` with a pointer to it) over HTTP/1.1.
private final class ExporterHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let exporter: MetricsExporter
    private var path = ""

    init(exporter: MetricsExporter) {
        self.exporter = exporter
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            path = head.method == .GET ? head.uri : ""
        case .body:
            break
        case .end:
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            guard path == "/metrics" else {
                respond(context, status: .notFound, contentType: "text/plain", body: "ChatPanel metrics are at /metrics\n")
                return
            }
            let exporter = self.exporter
            let promise = context.eventLoop.makePromise(of: String.self)
            promise.completeWithTask { await exporter.exposition() }
            promise.futureResult.whenSuccess { text in
                let (handler, context) = loopBound.value
                handler.respond(context, status: .ok, contentType: "text/plain; version=0.0.4; charset=utf-8", body: text)
            }
        }
    }

    private func respond(_ context: ChannelHandlerContext, status: HTTPResponseStatus, contentType: String, body: String) {
        var buffer = context.channel.allocator.buffer(capacity: body.utf8.count)
        buffer.writeString(body)
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: contentType)
        headers.add(name: "Content-Length", value: "\(buffer.readableBytes)")
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
    }
}

/// Merging several processes' Prometheus text expositions into one.
public enum PrometheusText {
    /// What each ChatPanel metric family means (`# HELP`, for families the text has none for).
    public static let help: [String: String] = [
        "chatpanel_rpc_calls_total": "RPC calls answered, by method and status code.",
        "chatpanel_rpc_call_duration_seconds": "How long RPC calls took, by method.",
        "chatpanel_rpc_calls_in_flight": "RPC calls being served now.",
        "chatpanel_rpc_connections": "Open connections to the process's socket.",
        "chatpanel_rpc_frames_rejected_total": "Frames and connections refused, by reason.",
        "chatpanel_store_idempotent_replays_total": "Retried mutations answered with their first answer.",
        "chatpanel_store_write_duration_seconds": "How long database write transactions took, waiting included.",
        "chatpanel_store_database_bytes": "Size of the database file.",
        "chatpanel_store_wal_bytes": "Size of the database's write-ahead log.",
        "chatpanel_store_filesystem_available_bytes": "Free space on the file system holding the database.",
        "chatpanel_jobs_queued": "Background work waiting or under way, by job.",
        "chatpanel_jobs_runs_total": "Background job runs, by job and outcome (done, failed, retried).",
        "chatpanel_gateway_widgets_total": "Widgets composed by the gateway, by widget and state.",
        "chatpanel_gateway_upstream_calls_total": "Gateway calls to an upstream service, by upstream and status code.",
        "chatpanel_gateway_upstream_call_duration_seconds": "How long gateway calls to an upstream took, by upstream.",
        "chatpanel_gateway_upstream_breaker_state": "An upstream's circuit breaker: 0 closed, 1 half-open, 2 open.",
        "chatpanel_gateway_upstream_breaker_opened_total": "Times an upstream's circuit breaker opened.",
        "process_cpu_seconds_total": "CPU time the process used, user and system, in seconds.",
        "process_resident_memory_bytes": "The process's resident memory.",
        "process_open_fds": "File descriptors the process holds open.",
        "process_start_time_seconds": "When the process started, in seconds since the Unix epoch.",
    ]

    /// Adds `process="<name>"` to every sample of each text, puts the samples of one family
    /// together under one `# HELP`/`# TYPE` header, and adds `chatpanel_exporter_up` (1 for a
    /// process that answered, 0 for one that did not: its text is nil).
    public static func merge(_ texts: [(process: String, text: String?)]) -> String {
        var order: [String] = []
        var headers: [String: [String]] = [:]
        var samples: [String: [String]] = [:]
        for (process, text) in texts {
            guard let text else { continue }
            var family = ""
            for line in text.split(separator: "\n", omittingEmptySubsequences: true).map(String.init) {
                if line.hasPrefix("# TYPE ") || line.hasPrefix("# HELP ") {
                    let parts = line.split(separator: " ", maxSplits: 3)
                    guard parts.count >= 3 else { continue }
                    family = String(parts[2])
                    if headers[family] == nil {
                        order.append(family)
                        headers[family] = []
                    }
                    if !headers[family]!.contains(line) { headers[family]!.append(line) }
                    continue
                }
                if line.hasPrefix("#") { continue }
                if family.isEmpty || !line.hasPrefix(family) {
                    family = String(line.prefix { $0 != "{" && $0 != " " })
                    if headers[family] == nil {
                        order.append(family)
                        headers[family] = []
                    }
                }
                samples[family, default: []].append(labelled(line, process: process))
            }
        }
        var lines: [String] = []
        for family in order {
            var familyHeaders = headers[family] ?? []
            if !familyHeaders.contains(where: { $0.hasPrefix("# HELP ") }) {
                familyHeaders.insert("# HELP \(family) \(help[family] ?? "A ChatPanel metric.")", at: 0)
            }
            lines += familyHeaders
            lines += samples[family] ?? []
        }
        lines.append("# HELP chatpanel_exporter_up Whether the process answered the exporter's scrape.")
        lines.append("# TYPE chatpanel_exporter_up gauge")
        for (process, text) in texts {
            lines.append("chatpanel_exporter_up{process=\"\(process)\"} \(text == nil ? 0 : 1)")
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `name{a="1"} 2` → `name{process="p",a="1"} 2`; `name 2` → `name{process="p"} 2`.
    private static func labelled(_ line: String, process: String) -> String {
        let label = "process=\"\(process)\""
        if let brace = line.firstIndex(of: "{") {
            let after = line.index(after: brace)
            let rest = line[after...]
            return String(line[...brace]) + label + (rest.hasPrefix("}") ? "" : ",") + rest
        }
        guard let space = line.firstIndex(of: " ") else { return line }
        return String(line[..<space]) + "{" + label + "}" + line[space...]
    }
}
