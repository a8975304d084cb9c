// swift-tools-version:6.0
import PackageDescription

/// Strict settings shared by every Swift target, in one place.
/// Swift 6 mode already checks concurrency completely; it is named here so that no target can quietly lower it.
/// `MemberImportVisibility` makes a file import every module whose members it uses, so dependencies stay declared.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .enableExperimentalFeature("StrictConcurrency=complete"),
]

let package = Package(
    name: "Regie",
    products: [
        .executable(name: "regie", targets: ["regie"]),
        .executable(name: "regie-bench", targets: ["regie-bench"]),
    ],
    targets: [
        .systemLibrary(name: "CSQLite", path: "Sources/CSQLite", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CCrypto", path: "Sources/CCrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CSocket", path: "Sources/CSocket"),
        .systemLibrary(name: "CCurl", path: "Sources/CCurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .target(name: "RegieCore", swiftSettings: strict),
        .target(name: "RegieCrypto", dependencies: ["CCrypto"], swiftSettings: strict),
        .target(name: "RegieStore", dependencies: ["CSQLite", "RegieCore", "RegieCrypto"], swiftSettings: strict),
        .target(name: "RegieEngine", dependencies: ["RegieCore", "RegieStore", "RegieCrypto"], swiftSettings: strict),
        .target(
            name: "RegieHTTP", dependencies: ["CSocket", "RegieCore", "RegieEngine", "RegieCrypto"],
            swiftSettings: strict),
        .target(
            name: "RegieNotify",
            dependencies: ["CCurl", "RegieCore", "RegieStore", "RegieEngine", "RegieCrypto"],
            swiftSettings: strict),
        .executableTarget(
            name: "regie", dependencies: ["RegieCore", "RegieStore", "RegieEngine", "RegieHTTP", "RegieNotify"],
            swiftSettings: strict),
        .executableTarget(
            name: "regie-bench",
            dependencies: ["RegieCore", "RegieCrypto", "RegieStore", "RegieEngine", "RegieHTTP", "RegieNotify"],
            swiftSettings: strict),
        // What several test targets share: the shipped region on a fresh database, and a clock the test moves.
        .target(
            name: "RegieTestSupport", dependencies: ["RegieCore", "RegieStore", "RegieEngine"],
            path: "Tests/RegieTestSupport", swiftSettings: strict),
        .testTarget(name: "RegieCoreTests", dependencies: ["RegieCore"], swiftSettings: strict),
        .testTarget(name: "RegieCryptoTests", dependencies: ["RegieCrypto"], swiftSettings: strict),
        .testTarget(name: "RegieStoreTests", dependencies: ["RegieStore", "RegieCore"], swiftSettings: strict),
        .testTarget(
            name: "RegieEngineTests",
            dependencies: ["RegieEngine", "RegieStore", "RegieCore", "RegieCrypto", "RegieTestSupport"],
            swiftSettings: strict),
        .testTarget(
            name: "RegieHTTPTests",
            dependencies: [
                "RegieHTTP", "RegieEngine", "RegieStore", "RegieCore", "RegieCrypto", "RegieNotify", "RegieTestSupport",
            ],
            // The browser story, in Python: run by BrowserTests.
            exclude: ["Browser"],
            swiftSettings: strict),
        .testTarget(
            name: "RegieNotifyTests",
            dependencies: [
                "RegieNotify", "RegieHTTP", "RegieEngine", "RegieStore", "RegieCore", "RegieCrypto", "RegieTestSupport",
            ],
            swiftSettings: strict),
        .testTarget(name: "RegieCLITests", dependencies: ["regie", "RegieCore"], swiftSettings: strict),
    ]
)
