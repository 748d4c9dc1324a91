import ChatPanelProto
import ChatPanelRPC
import Testing

@testable import Gateway

/// Which merge errors are the asker's matter (the merge refused as asked, nothing changed) and
/// which an operator's (a merge left half made, or a service's own failure).
@Suite("Gateway: refused merges")
struct MergeRefusalTests {
    @Test("the first step's refusal of the request is refused; later steps' errors and the services' own failures are failed")
    func classification() {
        for code: RPCError.Code in [.notFound, .failedPrecondition, .invalidArgument, .alreadyExists] {
            #expect(MergeWorkflowRunner.isRefusedRequest(RPCError(code: code, message: "no"), position: 0), "\(code)")
            // After the clients were merged, a refusal leaves the merge half made.
            #expect(!MergeWorkflowRunner.isRefusedRequest(RPCError(code: code, message: "no"), position: 1), "\(code)")
        }
        for code: RPCError.Code in [.internal, .permissionDenied, .unauthenticated, .unimplemented, .dataLoss, .unknown] {
            #expect(!MergeWorkflowRunner.isRefusedRequest(RPCError(code: code, message: "no"), position: 0), "\(code)")
        }
        #expect(!MergeWorkflowRunner.isRefusedRequest(CancellationError(), position: 0))
    }
}
