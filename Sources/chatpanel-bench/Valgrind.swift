import ArgumentParser
import ChatPanelSystem
import Foundation

/// Runs ChatPanel's binaries under valgrind, for counts that a busy machine does not move:
/// instructions (`callgrind`) and heap blocks allocated (`dhat`).
///
/// Two things keep Debian 12's valgrind 3.19 from running Swift 6.3 binaries as they are built:
/// it cannot read their DWARF 5 debug information (so it runs copies stripped of it, which keep
/// their symbols), and it dies in its own `sigsuspend` wrapper when the async main parks the
/// main thread (so `bench/valgrind/preload.c`, built by `make bench`, is preloaded).
struct Valgrind {
    /// A valgrind tool.
    enum Tool: String, CaseIterable {
        case callgrind, dhat

        /// What the tool counts, for printing.
        var counts: String { self == .callgrind ? "instructions" : "allocations" }
    }

    /// Where the stripped copies and the tools' output files go.
    let directory: String
    /// The preloaded `sigsuspend` (`bench/valgrind/preload.c`).
    let preload: String

    /// A runner, after checking that valgrind and the preload are there.
    init(directory: String, preload: String) throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/valgrind") else {
            throw ValidationError("valgrind is not installed (make bench installs it)")
        }
        guard FileManager.default.fileExists(atPath: preload) else {
            throw ValidationError("no \(preload): build it with `make bench` (bench/valgrind/preload.c)")
        }
        self.directory = directory
        self.preload = URL(fileURLWithPath: preload).standardizedFileURL.path
    }

    /// A copy of `executable` in the runner's folder, without its debug information. The copy
    /// takes the executable's modification time, and is made again unless the executable it is
    /// asked for has that time: a folder kept with `--keep` outlives a build, and is shared by
    /// the binaries of two builds compared in one sitting (an older build's binary may be the
    /// newer file).
    func strippedCopy(of executable: String) throws -> String {
        let copy = "\(directory)/\(URL(fileURLWithPath: executable).lastPathComponent)-stripped"
        let modified = { (path: String) in
            (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
        }
        if let copied = modified(copy), let built = modified(executable), copied == built {
            return copy
        }
        try? FileManager.default.removeItem(atPath: copy)
        _ = try BenchProcess.output("/usr/bin/objcopy", ["--strip-debug", executable, copy])
        if let built = modified(executable) {
            try FileManager.default.setAttributes([.modificationDate: built], ofItemAtPath: copy)
        }
        return copy
    }

    /// Starts `executable` under `tool`, writing its counts to `output` when it exits.
    func start(_ tool: Tool, output: String, _ executable: String, _ arguments: [String]) throws -> BenchProcess {
        let binary = try strippedCopy(of: executable)
        return try BenchProcess.start(
            "/usr/bin/valgrind", ["--tool=\(tool.rawValue)", "--\(tool.rawValue)-out-file=\(output)", "-q", binary] + arguments,
            environment: environment)
    }

    /// Runs `executable` under `tool` to completion.
    func run(_ tool: Tool, output: String, _ executable: String, _ arguments: [String]) throws {
        let process = try start(tool, output: output, executable, arguments)
        let ended = process.waitUntilExit()
        guard ended == .exited(0) else {
            throw ValidationError("\(executable) under valgrind ended with \(ended)")
        }
    }

    private var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["LD_PRELOAD"] = preload
        return environment
    }

    /// The instructions (callgrind) or heap blocks (dhat) a run's output file reports.
    static func total(_ tool: Tool, file: String) throws -> Double {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        switch tool {
        case .callgrind:
            // "summary: N" (or "totals: N") holds the instructions of the whole run.
            for line in text.split(separator: "\n") where line.hasPrefix("summary:") || line.hasPrefix("totals:") {
                if let value = line.split(separator: " ").last.flatMap({ Double($0) }) { return value }
            }
        case .dhat:
            // DHAT's JSON: the blocks allocated at each program point ("tbk"), summed.
            var blocks = 0.0
            var rest = text[...]
            while let range = rest.range(of: "\"tbk\":") {
                rest = rest[range.upperBound...]
                blocks += Double(rest.prefix { $0.isNumber }) ?? 0
            }
            if blocks > 0 { return blocks }
        }
        throw ValidationError("no total in \(file)")
    }
}
