import ChatPanelProto
import ChatPanelRPC
import ChatPanelTesting
import ChatPanelSystem
import Gateway
import Testing

/// Any method from the command line: `chatpanelctl list` asks a process what it serves,
/// `describe` shows a method's messages, and `call` sends JSON and prints the JSON answer, the
/// status and the field violations.
@Suite("Gateway: chatpanelctl list, describe and call")
struct ControlCallTests {
    /// Runs chatpanelctl with `arguments` and returns its exit, stdout and stderr.
    private func control(_ arguments: [String], in directory: String, name: String) async throws
        -> (Termination?, String, String)
    {
        let process = try ChildProcess.spawn(Binaries.control, arguments, logPrefix: "\(directory)/ctl-\(name)")
        defer { process.kill() }
        let termination = try await process.waitForExit(timeout: .seconds(60))
        return (termination, process.standardOutput, process.standardError)
    }

    @Test("list shows every service and method of the process, with groups and streams")
    func list() async throws {
        try await withGateway { h in
            let (termination, out, err) = try await control(["list", "--socket", h.gatewaySocket], in: h.directory, name: "list")
            #expect(termination == .exited(0), "\(err)")
            for expected in [
                "chatpanel.gateway.v1.Gateway", "GetPanel", "chatpanel.health.v1.Health", "chatpanel.metrics.v1.Metrics",
                "chatpanel.reflection.v1.Reflection", "chatpanel.admin.v1.Admin",
            ] {
                #expect(out.contains(expected), "\(expected) missing from:\n\(out)")
            }
            let watch = out.split(separator: "\n").first { $0.contains("Watch") }
            #expect(watch?.contains("stream") == true, "\(out)")
            #expect(out.split(separator: "\n").first { $0.contains("GetPanel") }?.contains("panel") == true)
            #expect(out.split(separator: "\n").first { $0.contains("Backup") }?.contains("admin") == true)
        }
    }

    @Test("describe shows the request and answer messages from the compiled descriptors")
    func describe() async throws {
        try await withGateway { h in
            let (termination, out, err) = try await control(
                ["describe", "chatpanel.gateway.v1.Gateway/GetPanel", "--socket", h.gatewaySocket], in: h.directory, name: "describe")
            #expect(termination == .exited(0), "\(err)")
            #expect(out.contains("rpc GetPanel(chatpanel.gateway.v1.GetPanelRequest) returns (chatpanel.gateway.v1.Panel);"), "\(out)")
            #expect(out.contains("message chatpanel.gateway.v1.GetPanelRequest {\n  string dialog_id = 1;\n}"), "\(out)")
            #expect(out.contains("enum chatpanel.gateway.v1.WidgetState {"))

            let (missing, _, missingErr) = try await control(["describe", "/no.such.v1.Service/Method"], in: h.directory, name: "missing")
            #expect(missing != .exited(0))
            #expect(missingErr.contains("no method or message"), "\(missingErr)")
        }
    }

    @Test("call sends JSON, prints the JSON answer and OK; a refused call prints its status and violations")
    func call() async throws {
        try await withGateway { h in
            try await h.savedClient("d-ctl-call")
            let (termination, out, err) = try await control(
                ["call", "--socket", h.gatewaySocket, "--manager", "\(As.manager.managerID)", "/chatpanel.gateway.v1.Gateway/GetPanel",
                 #"{"dialogId": "d-ctl-call"}"#],
                in: h.directory, name: "call")
            #expect(termination == .exited(0), "\(err)")
            #expect(err.contains("status: OK"), "\(err)")
            #expect(err.contains("trace: "), "the call's trace id, for journalctl")
            #expect(out.contains(#""dialog_id": "d-ctl-call""#), "\(out)")
            #expect(out.contains(#""manager_id": "\#(As.manager.managerID)""#), "64-bit integers as strings: \(out)")
            #expect(out.contains(#""data_type": "chatpanel.clients.v1.ClientCard""#))

            // The service refuses: the status and the field it names.
            let (refused, _, refusedErr) = try await control(
                ["call", "--socket", h.gatewaySocket, "/chatpanel.gateway.v1.Gateway/GetPanel", "{}"], in: h.directory, name: "refused")
            #expect(refused == .exited(2))
            #expect(refusedErr.contains("status: INVALID_ARGUMENT"), "\(refusedErr)")
            #expect(refusedErr.contains("violation: dialog_id: must not be empty"), "\(refusedErr)")

            // JSON that does not fit the request never leaves the tool.
            let (bad, _, badErr) = try await control(
                ["call", "--socket", h.gatewaySocket, "chatpanel.gateway.v1.Gateway/GetPanel", #"{"dialog_id": 7}"#],
                in: h.directory, name: "bad")
            #expect(bad != .exited(0))
            #expect(badErr.contains("dialog_id: expected a string"), "\(badErr)")
        }
    }
}
