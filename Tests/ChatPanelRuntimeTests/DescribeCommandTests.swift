import ChatPanelSystem
import ChatPanelTesting
import Foundation
import Testing

/// `chatpanelctl describe METHOD`: the request, then the answer, each message and enum they use
/// written once, even when both use it (CreateTask's request and its answer's task both have a
/// `Deadline`).
@Suite(.timeLimit(.minutes(1)))
struct DescribeCommandTests {
    @Test func aMessageTheRequestAndTheAnswerShareIsWrittenOnce() async throws {
        try await withTemporaryDirectory { dir in
            let child = try ChildProcess.spawn(Binaries.control, ["describe", "/chatpanel.tasks.v1.Tasks/CreateTask"], logPrefix: "\(dir)/describe")
            let ended = try await child.exit(within: .seconds(60))
            let output = child.standardOutput
            #expect(ended == .exited(0), "\(child.standardError)")
            let headers = output.split(separator: "\n").filter { $0.hasPrefix("message ") || $0.hasPrefix("enum ") }
            #expect(headers.filter { $0 == "message chatpanel.tasks.v1.Deadline {" }.count == 1, "\(output)")
            #expect(Set(headers).count == headers.count, "\(output)")
            // Request first, then the answer and what it uses.
            let request = try #require(headers.firstIndex(of: "message chatpanel.tasks.v1.CreateTaskRequest {"), "\(output)")
            let answer = try #require(headers.firstIndex(of: "message chatpanel.tasks.v1.CreateTaskResponse {"), "\(output)")
            #expect(request < answer)
            #expect(headers.contains("message chatpanel.tasks.v1.Task {"), "\(output)")
            #expect(output.hasPrefix("rpc CreateTask(chatpanel.tasks.v1.CreateTaskRequest) returns (chatpanel.tasks.v1.CreateTaskResponse);"))
            // Definitions are apart by one blank line.
            #expect(!output.contains("\n\n\n"), "\(output)")
        }
    }
}
