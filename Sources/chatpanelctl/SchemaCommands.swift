import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation
import Instrumentation
import W3CTraceContext

/// `chatpanelctl list`: the services and methods a process serves (`Reflection/ListMethods`).
struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Lists the services and methods a process serves.",
        discussion: """
            Each method with its group (the peers allowed to call it: panel, feeds, admin; "any" for
            every allowed peer) and "stream" when it answers with a stream. --json prints the answer.
            """)

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let response = try await connection.withClient(defaultPath: "run/state/gateway.sock") { client in
            try await client.unary(ReflectionV1.Reflection.listMethods, ReflectionV1.ListMethodsRequest())
        }
        try connection.output(response) {
            var lines: [String] = []
            var service = ""
            for method in response.methods {
                let parts = method.path.dropFirst().split(separator: "/", maxSplits: 1).map(String.init)
                guard parts.count == 2 else { continue }
                if parts[0] != service {
                    service = parts[0]
                    lines.append(service)
                }
                let group = method.group.isEmpty ? "any" : method.group
                lines.append("  \(parts[1].padding(toLength: 28, withPad: " ", startingAt: 0)) \(group)\(method.serverStreaming ? " stream" : "")")
            }
            return lines.joined(separator: "\n")
        }
    }
}

/// `chatpanelctl describe`: a method's request and answer messages, or a message, from the
/// compiled descriptors.
struct DescribeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "describe",
        abstract: "Shows a method's request and answer messages (or a message), as .proto text.",
        discussion: """
            METHOD is a path like /chatpanel.tasks.v1.Tasks/CreateTask, or Service/Method; a message
            is named in full, like chatpanel.rpc.v1.Caller. With --socket, the process is asked
            whether the method streams and which peers may call it.
            """)

    @Argument(help: "A method path or a message's full name.")
    var name: String

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        if let method = ProtoSchema.method(MethodPath.normalized(name)) {
            var streaming = ""
            var group = ""
            if connection.socket != nil {
                let served = try await connection.withClient(defaultPath: "run/state/gateway.sock") { client in
                    try await MethodPath.served(method.path, client: client)
                }
                streaming = served.serverStreaming ? "stream " : ""
                group = "  // group: \(served.group.isEmpty ? "any" : served.group)"
            }
            print("rpc \(method.name)(\(method.request.fullName)) returns (\(streaming)\(method.response.fullName));\(group)")
            print("service: \(method.service)\n")
            print(Self.protoText(of: [method.request, method.response]), terminator: "")
        } else if let message = ProtoSchema.message(name) {
            print(message.protoText, terminator: "")
        } else {
            throw ValidationError("no method or message \"\(name)\" (methods: chatpanelctl list; services: \(ProtoSchema.serviceNames.joined(separator: ", ")))")
        }
    }

    /// The `.proto` text of `messages`, one after the other, each message and enum they use
    /// written once: one the answer shares with the request (a `Deadline`) is not repeated.
    static func protoText(of messages: [ProtoMessageSchema]) -> String {
        var seen = Set<String>()
        var blocks: [String] = []
        for message in messages {
            // Each definition starts unindented (`message X {`, `enum Y {`) and ends with `}`.
            var header: String?
            var lines: [Substring] = []
            for line in message.protoText.split(separator: "\n", omittingEmptySubsequences: false) {
                if header == nil {
                    guard line.hasPrefix("message ") || line.hasPrefix("enum ") else { continue }
                    header = String(line)
                }
                lines.append(line)
                if line == "}", let name = header {
                    if seen.insert(name).inserted { blocks.append(lines.joined(separator: "\n") + "\n") }
                    header = nil
                    lines = []
                }
            }
        }
        return blocks.joined(separator: "\n")
    }
}

/// `chatpanelctl call`: any method with a JSON request, the answer as JSON.
struct CallCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "call",
        abstract: "Calls any method with a JSON request and prints the JSON answer.",
        discussion: """
            The request and answer follow the protobuf JSON mapping: fields by their .proto or
            lowerCamelCase names, enums by name, bytes as base64, 64-bit integers as strings (numbers
            are accepted). The answer goes to stdout (one JSON document per stream message); the
            status, field violations and the call's trace id go to stderr. Exit status 2 when the call
            failed.

              chatpanelctl call --socket run/state/tasks.sock /chatpanel.tasks.v1.Tasks/ListTasks '{"client_id": "7"}'
            """)

    @Argument(help: "The method: /package.Service/Method (or Service/Method).")
    var method: String

    @Argument(help: "The request as JSON; - reads it from stdin.")
    var request: String = "{}"

    @Option(help: "Idempotency key of a mutation.")
    var requestId: String = ""

    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let path = MethodPath.normalized(method)
        guard let schema = ProtoSchema.method(path) else {
            throw ValidationError("no compiled method \(path) (chatpanelctl list shows what a process serves)")
        }
        let text = request == "-" ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self) : request
        let payload: [UInt8]
        do {
            payload = try schema.request.encode(json: try ProtoJSONValue(parsing: text))
        } catch let error as ProtoJSONError {
            throw ValidationError("request: \(error)")
        }
        // The call starts a trace: its id finds every log line of the call in journalctl.
        let trace = ServiceContext.startingTrace()
        FileHandle.standardError.write(Data("trace: \(trace.traceContext.map { "\($0.traceID)" } ?? "")\n".utf8))
        let options = RPCCallOptions(requestID: requestId)
        let failed = try await connection.withClient(defaultPath: "run/state/gateway.sock") { client -> Bool in
            let served = try await MethodPath.served(path, client: client)
            do {
                try await ServiceContext.withValue(trace) {
                    if served.serverStreaming {
                        for try await message in client.serverStreaming(path: path, payload: payload, options: options) {
                            print(try schema.response.jsonText(message, pretty: !connection.json))
                        }
                    } else {
                        let answer = try await client.unary(path: path, payload: payload, options: options)
                        print(try schema.response.jsonText(answer))
                    }
                }
                FileHandle.standardError.write(Data("status: OK\n".utf8))
                return false
            } catch let error as RPCError {
                var lines = ["status: \(error.code.protoName)", "message: \(error.message)"]
                lines += error.violations.map { "violation: \($0.field): \($0.description)" }
                if !error.details.isEmpty { lines.append("details: \(error.details.count) bytes") }
                FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                return true
            }
        }
        if failed { throw ExitCode(2) }
    }
}

/// Method paths as typed on the command line.
enum MethodPath {
    /// `/pkg.Service/Method` from `pkg.Service/Method`, `pkg.Service.Method` or the full path.
    static func normalized(_ text: String) -> String {
        var path = text.hasPrefix("/") ? String(text.dropFirst()) : text
        if !path.contains("/"), let dot = path.lastIndex(of: ".") {
            path.replaceSubrange(dot...dot, with: "/")
        }
        return "/" + path
    }

    /// How the process at the connection's socket serves `path`; throws when it does not.
    static func served(_ path: String, client: RPCClient) async throws -> ReflectionV1.MethodInfo {
        let methods = try await client.unary(ReflectionV1.Reflection.listMethods, ReflectionV1.ListMethodsRequest()).methods
        guard let method = methods.first(where: { $0.path == path }) else {
            throw ValidationError("the process does not serve \(path) (chatpanelctl list shows what it serves)")
        }
        return method
    }
}

extension ProtoJSONValue {
    /// Parses JSON text; numbers keep their digits.
    init(parsing text: String) throws {
        do {
            self = try JSONDecoder().decode(DecodedJSON.self, from: Data(text.utf8)).value
        } catch {
            throw ValidationError("the request is not JSON: \(error)")
        }
    }
}

/// Decodes any JSON into a ``ProtoJSONValue``.
private struct DecodedJSON: Decodable {
    let value: ProtoJSONValue

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: Key.self) {
            var members: [String: ProtoJSONValue] = [:]
            for key in object.allKeys { members[key.stringValue] = try object.decode(DecodedJSON.self, forKey: key).value }
            value = .object(members)
        } else if var array = try? decoder.unkeyedContainer() {
            var items: [ProtoJSONValue] = []
            while !array.isAtEnd { items.append(try array.decode(DecodedJSON.self).value) }
            value = .array(items)
        } else {
            let single = try decoder.singleValueContainer()
            if single.decodeNil() {
                value = .null
            } else if let flag = try? single.decode(Bool.self) {
                value = .bool(flag)
            } else if let integer = try? single.decode(Int64.self) {
                value = .number(String(integer))
            } else if let integer = try? single.decode(UInt64.self) {
                value = .number(String(integer))
            } else if let number = try? single.decode(Double.self) {
                value = .number(String(number))
            } else {
                value = .string(try single.decode(String.self))
            }
        }
    }
}
