// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "ozchat",
    // Linux only (README, "Platforms"): no `platforms:` entry, as none of the Apple ones is built or tested.
    products: [
        .executable(name: "ozgate", targets: ["ozgate"]),
        .executable(name: "ozchat", targets: ["ozchat"]),
        .executable(name: "ozload", targets: ["ozload"]),
        .library(name: "OzProtocol", targets: ["OzProtocol"]),
        .library(name: "OzGateway", targets: ["OzGateway"]),
        .library(name: "OzClient", targets: ["OzClient"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", from: "3.12.3"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/hummingbird-project/swift-websocket.git", from: "1.6.2"),
        // Test-only: the tests make their certificates in-process (a CA, server certificates, an untrusted CA).
        .package(url: "https://github.com/apple/swift-certificates.git", from: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1.git", from: "1.7.4"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift.git", from: "0.2.0"),
        // The gateway's message store (README, "History"): chosen over sqlite-nio, measured.
        .package(url: "https://github.com/groue/GRDB.swift.git", from: "7.10.0"),
        // Gateways in a cluster (issue 15): PostgreSQL keeps rooms, presence and history; LISTEN/NOTIFY between nodes.
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.2"),
        // Operators' metrics (issue 15): the gateway counts through swift-metrics; ozgate serves them as Prometheus text.
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
    ],
    targets: [
        .target(name: "OzProtocol", swiftSettings: strict),
        // Resources/web (OzWebClient.js, the web chatroom) as Swift source, so one ozgate binary serves them (issue 16).
        .target(name: "OzWebFiles", swiftSettings: strict, plugins: ["EmbedWebFiles"]),
        .plugin(name: "EmbedWebFiles", capability: .buildTool(), dependencies: ["embed-web-files"]),
        .executableTarget(name: "embed-web-files", swiftSettings: strict),
        .target(
            name: "OzGateway",
            dependencies: [
                "OzProtocol",
                "OzWebFiles",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "_CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOTLS", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OzClient",
            dependencies: [
                "OzProtocol",
                .product(name: "WSClient", package: "swift-websocket"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        // SIGINT/SIGTERM for ozgate and ozchat: caught as an async sequence, and given back their earlier actions after.
        .target(
            name: "OzSignals",
            dependencies: [.product(name: "UnixSignals", package: "swift-service-lifecycle")],
            swiftSettings: strict
        ),
        // ozgate's lifetime as a service group (kept out of OzGateway, which ozchat links for its local room).
        .target(
            name: "OzGatewayLifetime",
            dependencies: [
                "OzGateway",
                "OzSignals",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .systemLibrary(name: "CNcursesw", providers: [.apt(["libncurses-dev"])]),
        .systemLibrary(name: "CMalloc"),
        // A gateway node's link to its cluster's PostgreSQL: the versioned schema, and (to come) rooms, presence, order.
        .target(
            name: "OzCluster",
            dependencies: [
                "OzProtocol",
                "OzGateway",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "OzTUI",
            dependencies: ["OzProtocol", "OzClient", "CNcursesw"],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ozgate",
            dependencies: [
                "OzGateway",
                "OzCluster",
                "OzGatewayLifetime",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "ozchat",
            dependencies: [
                "CMalloc",
                "OzClient",
                "OzProtocol",
                "OzTUI",
                "OzGateway",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                "OzSignals",
            ],
            swiftSettings: strict
        ),
        // Not shipped in any product: what several test targets share (certificates made at test time, log capture).
        .target(
            name: "TestSupport",
            dependencies: [
                .product(name: "X509", package: "swift-certificates"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
            ],
            path: "Tests/TestSupport",
            swiftSettings: strict
        ),
        .testTarget(
            name: "OzClientTests",
            dependencies: [
                "OzClient", "OzGateway", "OzProtocol", "TestSupport", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"), .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict),
        .testTarget(
            name: "ProcessTests",
            dependencies: [
                "ozgate", "ozchat", "ozload", "OzClient", "OzProtocol", "TestSupport",
                .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            // Python clients the tests run as independent peers (history_probe.py).
            exclude: ["Scripts"],
            swiftSettings: strict),
        .executableTarget(
            name: "ozload",
            dependencies: [
                "OzProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            swiftSettings: strict
        ),
        // Benchmark only (bench/run): scrolling a full scrollback through the real reducer and renderer.
        .executableTarget(
            name: "scrollbench",
            dependencies: ["OzTUI", "OzClient", "OzProtocol"],
            path: "bench/scrollbench",
            swiftSettings: strict
        ),
        .testTarget(name: "OzTUITests", dependencies: ["OzTUI", "OzClient", "OzProtocol"], swiftSettings: strict),
        .testTarget(
            name: "OzSignalsTests",
            dependencies: [
                "OzSignals", "OzGatewayLifetime", "OzGateway", "OzProtocol",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict),
        .testTarget(name: "OzProtocolTests", dependencies: ["OzProtocol"], swiftSettings: strict),
        .testTarget(
            name: "OzClusterTests",
            dependencies: [
                "OzCluster", "OzGateway", "OzProtocol", "TestSupport", .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "NIOCore", package: "swift-nio"), .product(name: "NIOWebSocket", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"), .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "OzGatewayTests",
            dependencies: [
                "OzGateway",
                "OzCluster",
                "OzProtocol",
                "TestSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOWebSocket", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
