import ArgumentParser
import ChatPanelProto
import ChatPanelRPC
import Foundation

/// Where to connect and as whom.
struct ConnectionOptions: ParsableArguments {
    @Option(help: "The process's Unix socket (env CHATPANEL_SOCKET).")
    var socket: String?

    @Option(help: "The manager id calls are made for.")
    var manager: Int64 = 1

    @Option(help: "Comma-separated rights: create_tags, edit_clients, admin_tags, tasks, edit_catalog, admin (default: all but admin).")
    var rights: String = "create_tags,edit_clients,admin_tags,tasks,edit_catalog"

    @Option(help: "Call timeout in milliseconds.")
    var timeoutMs: Int64 = 5000

    @Flag(help: "Print JSON instead of text.")
    var json = false

    /// The caller identity the flags describe.
    func caller() throws -> RPCV1.Caller {
        var rightList: [RPCV1.Right] = []
        for name in rights.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !name.isEmpty {
            guard let right = RPCV1.Right.allCases.first(where: { $0.protoName == "RIGHT_" + name.uppercased() }) else {
                throw ValidationError("unknown right '\(name)'")
            }
            rightList.append(right)
        }
        return RPCV1.Caller(managerID: manager, rights: rightList)
    }

    /// A client for the socket, defaulting to `defaultPath`.
    func makeClient(defaultPath: String) throws -> RPCClient {
        var configuration = RPCClientConfiguration(
            socketPath: socket ?? ProcessInfo.processInfo.environment["CHATPANEL_SOCKET"] ?? defaultPath)
        configuration.defaultCaller = try caller()
        configuration.defaultCallTimeout = .milliseconds(timeoutMs)
        return RPCClient(configuration: configuration)
    }

    /// Runs `body` with a client for the socket (defaulting to `defaultPath`), turning an RPC
    /// error into a clean exit, and closes the connection on every path.
    func withClient<T>(defaultPath: String, _ body: (RPCClient) async throws -> T) async throws -> T {
        let client = try makeClient(defaultPath: defaultPath)
        do {
            let result = try await runCall { try await body(client) }
            await client.close()
            return result
        } catch {
            await client.close()
            throw error
        }
    }

    /// Prints a message as JSON when `--json` is set, else the text.
    func output<M: ProtoMessage>(_ message: M, text: () -> String) throws {
        print(json ? try message.jsonText() : text())
    }
}

/// Runs a call, turning an RPC error into a clean exit with its text.
func runCall<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as RPCError {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}
