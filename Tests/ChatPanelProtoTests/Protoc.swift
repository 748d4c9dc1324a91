import ChatPanelTesting
import ChatPanelSystem
import Foundation
import Testing

/// Runs the reference implementation, `protoc --encode` / `--decode`, against the package's
/// `.proto` files.
enum Protoc {
    /// The folder holding `Package.swift`, found by walking up from this source file.
    static func packageRoot(from file: String = #filePath) throws -> URL {
        var folder = URL(fileURLWithPath: file).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                return folder
            }
            folder = folder.deletingLastPathComponent()
        }
        throw ProtocError("no Package.swift above \(file)")
    }

    /// `protoc` on `PATH`, or nil.
    static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("protoc")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }

    /// `protoc --decode=<type>` of binary `input`: the text-format output.
    static func decode(_ type: String, _ input: [UInt8], proto: String = "chatpanel/testing/v1/testing.proto") async throws -> String {
        let output = try await run(["--decode=\(type)", "-I", try packageRoot().appendingPathComponent("proto").path, proto], stdin: input)
        return String(decoding: output, as: UTF8.self)
    }

    /// `protoc --encode=<type>` of a text-format message: the binary output.
    static func encode(_ type: String, _ text: String, proto: String = "chatpanel/testing/v1/testing.proto") async throws -> [UInt8] {
        try await run(["--encode=\(type)", "-I", try packageRoot().appendingPathComponent("proto").path, proto], stdin: Array(text.utf8))
    }

    /// How `protoc`'s text format prints a string or bytes value: printable ASCII as is,
    /// `"`, `'` and `\` backslash-escaped, every other byte as a three-digit octal escape.
    static func textEscaped(_ bytes: some Sequence<UInt8>) -> String {
        var out = ""
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\n"): out += "\\n"
            case UInt8(ascii: "\r"): out += "\\r"
            case UInt8(ascii: "\t"): out += "\\t"
            case UInt8(ascii: "\""): out += "\\\""
            case UInt8(ascii: "'"): out += "\\'"
            case UInt8(ascii: "\\"): out += "\\\\"
            case 0x20..<0x7F: out.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                let octal = String(byte, radix: 8)
                out += "\\" + String(repeating: "0", count: 3 - octal.count) + octal
            }
        }
        return out
    }

    private static func run(_ arguments: [String], stdin bytes: [UInt8]) async throws -> [UInt8] {
        guard let protoc = executable() else {
            throw ProtocError("protoc is not installed or not on PATH: run `make deps` (it installs protobuf-compiler)")
        }
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("chatpanel-protoc-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: scratch, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: scratch) }
        let input = scratch.appendingPathComponent("in").path
        try Data(bytes).write(to: URL(fileURLWithPath: input))
        // ChildProcess (posix_spawn, nothing inherited past stderr), not Foundation's Process:
        // other suites in this process check that closed sockets refuse connections.
        let child = try ChildProcess.spawn(
            protoc.path, arguments, logPrefix: scratch.appendingPathComponent("protoc").path, standardInput: input)
        let ended = try await child.exit()
        guard ended == .exited(0) else {
            throw ProtocError("protoc \(arguments.joined(separator: " ")) ended with \(ended): \(child.standardError)")
        }
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: child.stdoutPath)))
    }
}

/// A failure to run `protoc`, with a message saying why.
struct ProtocError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
