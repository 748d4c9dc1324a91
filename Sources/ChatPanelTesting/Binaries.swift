import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The executables of this package, found next to the test bundle: `swift build --build-tests`
/// puts `chatpaneld`, `chatpanelctl` and `chatpanelPackageTests.xctest` in the same folder,
/// whatever `--scratch-path` says.
public enum Binaries {
    /// The folder holding the test bundle (the running executable).
    public static let directory: String = {
        var candidates: [String] = []
        if let exe = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: exe).deletingLastPathComponent().path)
        }
        candidates.append(URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().path)
        // Last resort: the default scratch folder of the package this file is in.
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug").path)
        return candidates.first { access("\($0)/chatpaneld", X_OK) == 0 } ?? candidates[0]
    }()

    /// `chatpaneld`.
    public static var daemon: String { "\(directory)/chatpaneld" }
    /// `chatpanelctl`.
    public static var control: String { "\(directory)/chatpanelctl" }
    /// systemd's socket-activation helper.
    public static let socketActivate = "/usr/bin/systemd-socket-activate"
}
