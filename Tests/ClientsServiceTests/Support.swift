import ChatPanelProto
import ChatPanelRPC
import ChatPanelRuntime
import ChatPanelStore
import ChatPanelTesting
import ClientsService
import Foundation
import Testing

/// Who calls, in the tests: a manager with the rights a test needs.
enum As {
    /// No rights at all.
    static let viewer = RPCV1.Caller(managerID: 10, rights: [])
    /// Edits clients and creates tags (a typical manager).
    static let editor = RPCV1.Caller(managerID: 11, rights: [.editClients, .createTags])
    /// Edits clients but may not create tags.
    static let editorWithoutCreate = RPCV1.Caller(managerID: 12, rights: [.editClients])
    /// Administers tags.
    static let tagAdmin = RPCV1.Caller(managerID: 13, rights: [.adminTags, .editClients, .createTags])
    /// Administrator (every right).
    static let admin = RPCV1.Caller(managerID: 14, rights: [.admin])
}

/// A running clients service on a temporary socket, with a client to call it.
struct ClientsHarness {
    /// The service's store (for a few direct checks).
    let store: ClientsStore
    /// The RPC client.
    let client: RPCClient
    /// The test's temporary folder.
    let directory: String

    /// Calls `method` as `caller` with an optional request id.
    func call<Request, Response>(
        _ method: UnaryMethod<Request, Response>, _ request: Request, as caller: RPCV1.Caller = As.editor, requestID: String = ""
    ) async throws -> Response {
        try await client.unary(method, request, options: RPCCallOptions(caller: caller, requestID: requestID))
    }

    /// Records a dialog; returns its id.
    @discardableResult
    func dialog(
        _ id: String, name: String = "Иван Петров", phone: String = "", email: String = "", channel: String = "telegram"
    ) async throws -> ClientsV1.UpsertDialogResponse {
        var request = ClientsV1.UpsertDialogRequest()
        request.dialogID = id
        request.channel = channel
        request.externalLogin = "@\(id)"
        request.displayName = name
        request.phone = phone
        request.email = email
        return try await call(ClientsV1.Clients.upsertDialog, request)
    }

    /// Records a dialog and saves its client; returns the client id.
    func savedClient(_ dialogID: String, name: String = "Иван Петров", phone: String = "", email: String = "") async throws -> Int64 {
        try await dialog(dialogID, name: name, phone: phone, email: email)
        var request = ClientsV1.SaveClientFromDialogRequest()
        request.dialogID = dialogID
        let card = try await call(ClientsV1.Clients.saveClientFromDialog, request)
        return try #require(card.client?.clientID)
    }

    /// Creates a tag; returns it.
    func tag(_ name: String) async throws -> ClientsV1.Tag {
        var request = ClientsV1.CreateTagRequest()
        request.name = name
        return try await call(ClientsV1.Clients.createTag, request)
    }

    /// Attaches a tag to a client.
    @discardableResult
    func attach(_ tagID: Int64, to clientID: Int64) async throws -> ClientsV1.ClientTagsResponse {
        var request = ClientsV1.AttachTagRequest()
        request.clientID = clientID
        request.tagID = tagID
        return try await call(ClientsV1.Clients.attachTag, request)
    }

    /// The card of a client.
    func card(client clientID: Int64, as caller: RPCV1.Caller = As.editor) async throws -> ClientsV1.ClientCard {
        var request = ClientsV1.GetClientCardRequest()
        request.target = .clientID(clientID)
        return try await call(ClientsV1.Clients.getClientCard, request, as: caller)
    }

    /// The card of a dialog.
    func card(dialog dialogID: String, as caller: RPCV1.Caller = As.editor) async throws -> ClientsV1.ClientCard {
        var request = ClientsV1.GetClientCardRequest()
        request.target = .dialogID(dialogID)
        return try await call(ClientsV1.Clients.getClientCard, request, as: caller)
    }

    /// Edits a client.
    func update(_ clientID: Int64, as caller: RPCV1.Caller = As.editor, _ change: (inout ClientsV1.UpdateClientRequest) -> Void)
        async throws
        -> ClientsV1.ClientCard
    {
        var request = ClientsV1.UpdateClientRequest()
        request.clientID = clientID
        change(&request)
        return try await call(ClientsV1.Clients.updateClient, request, as: caller)
    }
}

/// Runs `body` against a fresh clients service in its own temporary folder, served as
/// `chatpaneld` serves it; with `runner`, its tag job runner runs beside it (without, jobs
/// stay queued).
func withClientsService(
    configuration: ClientsConfiguration = ClientsConfiguration(), store storeConfiguration: StoreConfiguration = StoreConfiguration(),
    runner: TagJobRunner.Configuration? = nil, _ body: (ClientsHarness) async throws -> Void
) async throws {
    try await withTemporaryDirectory { directory in
        var configuration = configuration
        configuration.tagJobs = runner
        try await withLiveServiceClient(
            ClientsService.self, configuration: configuration, in: directory, storeConfiguration: storeConfiguration
        ) { host, client in
            try await body(ClientsHarness(store: host.store, client: client, directory: directory))
        }
    }
}

/// Waits (polling every few milliseconds, at most `timeout`) until `condition` holds.
func waitUntil(
    timeout: Duration = .seconds(20), sourceLocation: SourceLocation = #_sourceLocation, _ condition: () async throws -> Bool
) async throws {
    if !(try await eventually(timeout: timeout, every: .milliseconds(5), condition)) {
        Issue.record("condition not met within \(timeout)", sourceLocation: sourceLocation)
    }
}
