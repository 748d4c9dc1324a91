// swift-tools-version:6.1
import PackageDescription

/// One settings array for every target: Swift 6 language mode and the strict upcoming features.
let strict: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableUpcomingFeature("InternalImportsByDefault"),
]

/// Async functions that run where their caller runs (SE-0461): no executor check at each call.
let nonsending: [SwiftSetting] = strict + [.enableUpcomingFeature("NonisolatedNonsendingByDefault")]

let nioCore = Target.Dependency.product(name: "NIOCore", package: "swift-nio")
let nioPosix = Target.Dependency.product(name: "NIOPosix", package: "swift-nio")
let nioHTTP1 = Target.Dependency.product(name: "NIOHTTP1", package: "swift-nio")
let logging = Target.Dependency.product(name: "Logging", package: "swift-log")
let lifecycle = Target.Dependency.product(name: "ServiceLifecycle", package: "swift-service-lifecycle")
let unixSignals = Target.Dependency.product(name: "UnixSignals", package: "swift-service-lifecycle")
let grdb = Target.Dependency.product(name: "GRDB", package: "GRDB.swift")
let grdbSQLite = Target.Dependency.product(name: "GRDBSQLite", package: "GRDB.swift")
let argumentParser = Target.Dependency.product(name: "ArgumentParser", package: "swift-argument-parser")
let crypto = Target.Dependency.product(name: "Crypto", package: "swift-crypto")
let mustache = Target.Dependency.product(name: "Mustache", package: "swift-mustache")
let coreMetrics = Target.Dependency.product(name: "CoreMetrics", package: "swift-metrics")
let prometheus = Target.Dependency.product(name: "Prometheus", package: "swift-prometheus")
let instrumentation = Target.Dependency.product(name: "Instrumentation", package: "swift-distributed-tracing")
let w3cTraceContext = Target.Dependency.product(name: "W3CTraceContext", package: "swift-w3c-trace-context")

let package = Package(
    name: "chatpanel",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "chatpaneld", targets: ["chatpaneld"]),
        .executable(name: "chatpanelctl", targets: ["chatpanelctl"]),
        // The codec, for the fuzzers in Fuzz/ (a package of their own: they build with libFuzzer).
        .library(name: "ChatPanelProto", targets: ["ChatPanelProto"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/hummingbird-project/swift-mustache.git", from: "2.1.1"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing.git", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context.git", from: "1.0.0"),
    ],
    targets: [
        // C: libprotobuf-c, the protoc-c output, and a few POSIX helpers.
        .systemLibrary(name: "CProtobufC", path: "Sources/CProtobufC"),
        .target(
            name: "CChatPanelProto", dependencies: ["CProtobufC"], path: "Sources/CChatPanelProto",
            linkerSettings: [.linkedLibrary("protobuf-c")]
        ),
        .target(name: "CChatPanelSystem", path: "Sources/CChatPanelSystem"),
        // SQLite's process-wide configuration (sqlite3_config is variadic): only ChatPanelStore imports it.
        .target(name: "CChatPanelSQLite", path: "Sources/CChatPanelSQLite", linkerSettings: [.linkedLibrary("sqlite3")]),
        // Snowball stemmers (Debian libstemmer-dev) for the catalog's full-text search.
        .systemLibrary(name: "CStemmer", path: "Sources/CStemmer"),
        // libmaxminddb (Debian libmaxminddb-dev) for an operator's city database; only InsightsService imports it.
        .systemLibrary(name: "CMaxMindDB", path: "Sources/CMaxMindDB"),
        // C++: a C interface over libphonenumber (Debian libphonenumber-dev); only ClientsService imports it.
        .target(name: "CPhoneNumber", path: "Sources/CPhoneNumber", linkerSettings: [.linkedLibrary("phonenumber")]),

        // The one Swift target over the POSIX helpers in C.
        .target(name: "ChatPanelSystem", dependencies: ["CChatPanelSystem"], swiftSettings: strict),
        // The one Swift target over the generated C: codec runtime and generated message types.
        .target(name: "ChatPanelProto", dependencies: ["CChatPanelProto", "CProtobufC"], swiftSettings: strict),
        // Framing, RPC server and client over Unix sockets.
        .target(
            name: "ChatPanelRPC",
            dependencies: [
                "ChatPanelProto", "ChatPanelSystem", nioCore, nioPosix, logging, lifecycle, coreMetrics, instrumentation, w3cTraceContext,
            ],
            swiftSettings: nonsending
        ),
        // The echo service of the runtime's tests and benchmark.
        .target(name: "EchoService", dependencies: ["ChatPanelRPC", "ChatPanelProto"], swiftSettings: strict),
        // SQLite store kit: opening, migrations, idempotent writes.
        .target(
            name: "ChatPanelStore",
            dependencies: ["ChatPanelProto", "CChatPanelSQLite", grdb, grdbSQLite, logging, lifecycle, nioPosix, coreMetrics],
            swiftSettings: strict),
        // Process runtime: configuration, logging, systemd integration, service group, and the
        // one shape of a service (ChatPanelService, ServiceHost).
        .target(
            name: "ChatPanelRuntime",
            dependencies: [
                "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelSystem", crypto, coreMetrics, prometheus, nioCore, nioPosix,
                nioHTTP1, logging, lifecycle, unixSignals,
            ],
            swiftSettings: strict
        ),

        // Test support: live servers on temporary sockets.
        .target(
            name: "ChatPanelTesting",
            dependencies: ["ChatPanelRPC", "ChatPanelProto", "ChatPanelRuntime", "ChatPanelStore", "ChatPanelSystem", nioCore, nioPosix, logging, lifecycle],
            swiftSettings: strict
        ),

        // Test support: expectations on RPC errors (Swift Testing; test targets only).
        .target(name: "ChatPanelExpectations", dependencies: ["ChatPanelRPC", "ChatPanelProto"], swiftSettings: strict),

        // Services: each owns its SQLite database and answers its proto/ contract.
        .target(
            name: "ClientsService",
            dependencies: ["ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime", "CPhoneNumber", grdb, logging, lifecycle],
            swiftSettings: strict
        ),
        .target(
            name: "TasksService",
            dependencies: ["ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime", grdb, logging, lifecycle],
            swiftSettings: strict
        ),
        .target(
            name: "OrdersService",
            dependencies: [
                "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime", "ChatPanelSystem", "CStemmer", crypto, mustache, grdb,
                logging, lifecycle,
            ],
            swiftSettings: strict
        ),
        .target(
            name: "InsightsService",
            dependencies: [
                "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime", "CStemmer", "CMaxMindDB", grdb, logging, lifecycle,
                nioCore, nioPosix,
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        // The gateway knows the services only through proto/.
        .target(
            name: "Gateway",
            dependencies: ["ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime", grdb, logging, lifecycle, coreMetrics],
            swiftSettings: nonsending
        ),

        // Executables.
        .executableTarget(
            name: "chatpaneld",
            dependencies: [
                "ChatPanelRuntime", "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "EchoService", "ClientsService", "TasksService",
                "OrdersService", "InsightsService", "Gateway", argumentParser, logging, lifecycle,
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "chatpanelctl",
            dependencies: [
                "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelSystem", "ClientsService", "TasksService", "OrdersService", "InsightsService",
                "Gateway", crypto, instrumentation, w3cTraceContext,
                argumentParser, nioPosix, logging,
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "chatpanel-protogen", swiftSettings: strict),
        .executableTarget(
            name: "chatpanel-bench",
            dependencies: [
                "ChatPanelRPC", "ChatPanelProto", "ChatPanelRuntime", "ChatPanelStore", "EchoService", "ClientsService", "TasksService",
                "OrdersService", "InsightsService", "Gateway", "ChatPanelSystem", "ChatPanelTesting", argumentParser, nioCore, nioPosix, logging,
                grdb,
            ],
            swiftSettings: strict
        ),

        // Tests.
        .testTarget(name: "ChatPanelProtoTests", dependencies: ["ChatPanelProto", "ChatPanelSystem", "ChatPanelTesting"], swiftSettings: strict),
        .testTarget(
            name: "ChatPanelRPCTests",
            dependencies: [
                "ChatPanelRPC", "ChatPanelProto", "EchoService", "ChatPanelSystem", "ChatPanelTesting", nioCore, nioPosix, logging, instrumentation, w3cTraceContext,
                .product(name: "NIOEmbedded", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ChatPanelStoreTests",
            dependencies: ["ChatPanelStore", "ChatPanelProto", "ChatPanelRPC", "ChatPanelTesting", "ChatPanelRuntime", grdb, grdbSQLite, nioPosix],
            swiftSettings: strict),
        .testTarget(
            name: "ChatPanelRuntimeTests",
            dependencies: ["ChatPanelRuntime", "ChatPanelRPC", "ChatPanelProto", "ChatPanelSystem", "ChatPanelTesting", logging],
            swiftSettings: strict
        ),
        .testTarget(
            name: "ClientsServiceTests",
            dependencies: [
                "ClientsService", "ChatPanelTesting", "ChatPanelExpectations", "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime",
                grdb, logging,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "TasksServiceTests",
            dependencies: [
                "TasksService", "ChatPanelTesting", "ChatPanelSystem", "ChatPanelExpectations", "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore",
                "ChatPanelRuntime", grdb, logging,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OrdersServiceTests",
            dependencies: [
                "OrdersService", "ChatPanelRuntime", "ChatPanelTesting", "ChatPanelSystem", "ChatPanelExpectations", "ChatPanelRPC", "ChatPanelProto",
                "ChatPanelStore", grdb, logging,
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "InsightsServiceTests",
            dependencies: [
                "InsightsService", "ChatPanelTesting", "ChatPanelSystem", "ChatPanelExpectations", "ChatPanelRPC", "ChatPanelProto", "ChatPanelStore", "ChatPanelRuntime", grdb,
                nioCore, nioPosix, .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "GatewayTests",
            dependencies: [
                "Gateway", "ClientsService", "TasksService", "OrdersService", "InsightsService", "ChatPanelTesting", "ChatPanelSystem", "ChatPanelExpectations",
                "ChatPanelRPC", "ChatPanelProto",
                "ChatPanelRuntime", "ChatPanelStore", grdb, logging, lifecycle, instrumentation, w3cTraceContext,
            ],
            swiftSettings: strict
        ),
    ]
)
