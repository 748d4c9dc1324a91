// swift-tools-version:5.4
import PackageDescription

// libFuzzer targets over the wire codec. They build only with the fuzzer's flags (libFuzzer
// supplies `main`), so they live in a package of their own:
//
//   swift build --package-path Fuzz -Xswiftc -sanitize=fuzzer,address -Xswiftc -parse-as-library
//
// `make fuzz-smoke` (part of `make test`) and `make fuzz` build and run them; see Fuzz/README.md.
let package = Package(
    name: "chatpanel-fuzz",
    dependencies: [.package(name: "chatpanel", path: "..")],
    targets: [
        .executableTarget(name: "FuzzFrames", dependencies: [.product(name: "ChatPanelProto", package: "chatpanel")]),
        .executableTarget(name: "FuzzRequestFrame", dependencies: [.product(name: "ChatPanelProto", package: "chatpanel")]),
        .executableTarget(name: "FuzzServiceRequests", dependencies: [.product(name: "ChatPanelProto", package: "chatpanel")]),
    ]
)
