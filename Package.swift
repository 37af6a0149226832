// swift-tools-version: 6.2
import PackageDescription

// One target per layer where the boundary matters (see ../shared/DESIGN.md):
// the consensus core and the storage layer depend on nothing of the HTTP stack,
// so an import that should never exist cannot compile.
let strict: [SwiftSetting] = [.treatAllWarnings(as: .error)]

let package = Package(
    name: "lithair",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "LithairCore", targets: ["LithairCore"]),
        .executable(name: "lithair", targets: ["lithair"]),
        .executable(name: "lithair-simulate", targets: ["lithair-simulate"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-nio-extras", from: "1.35.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
    ],
    targets: [
        // Layer 3: Raft as a pure, deterministic state machine. No dependencies at all.
        .target(name: "LithairConsensus", swiftSettings: strict),
        // The CRC-32C instruction for the storage layer's checksums (Swift cannot emit it).
        .target(name: "CLithairCRC32C"),
        // Layer 4: segmented log, snapshots, hard state. Foundation and the CRC instruction only.
        .target(name: "LithairStorage", dependencies: ["CLithairCRC32C"], swiftSettings: strict),
        // Linearizability checker for recorded client histories (lithair verify). No dependencies.
        .target(name: "LithairHistory", swiftSettings: strict),
        // Test support: deterministic cluster simulator for the consensus core.
        .target(name: "LithairSimulation", dependencies: ["LithairConsensus"], swiftSettings: strict),
        // Layers 1, 2, 5, 6: HTTP, node, model store, transport.
        .target(
            name: "LithairCore",
            dependencies: [
                "LithairConsensus",
                "LithairStorage",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(
            name: "lithair",
            dependencies: [
                "LithairCore",
                "LithairHistory",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
            ],
            swiftSettings: strict
        ),
        .executableTarget(name: "lithair-simulate", dependencies: ["LithairSimulation"], swiftSettings: strict),
        .testTarget(
            name: "LithairConsensusTests",
            dependencies: ["LithairConsensus", "LithairSimulation"],
            swiftSettings: strict
        ),
        .testTarget(name: "LithairHistoryTests", dependencies: ["LithairHistory"], swiftSettings: strict),
        .testTarget(name: "LithairStorageTests", dependencies: ["LithairStorage"], swiftSettings: strict),
        .testTarget(
            name: "LithairCoreTests",
            dependencies: [
                "LithairCore",
                "LithairConsensus",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "NIOHTTPTypesHTTP1", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strict
        ),
        .testTarget(
            name: "LithairIntegrationTests",
            dependencies: [
                "lithair",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
    ]
)
