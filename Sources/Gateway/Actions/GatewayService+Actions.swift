import ChatPanelProto
import ChatPanelRPC

extension GatewayService {
    /// `Act`: forwards one widget action to its service and answers with the refreshed widgets.
    func registerActions(on router: inout RPCRouter) {
        router.register(GatewayV1.Gateway.act) { [self] request, context in
            try await act(request, context: context)
        }
    }

    /// Forwards one widget action, in this order:
    /// 1. the method must be one the gateway forwards (INVALID_ARGUMENT `method`);
    /// 2. the caller's rights (PERMISSION_DENIED), before anything about the request, then the
    ///    setting that switches the action's widget off (FAILED_PRECONDITION while it is off: the
    ///    tasks widget for a task's actions, the summary bot for the summary's);
    /// 3. the request: an action on a client's records needs the dialog, and its client ids,
    ///    tasks and notes must be the dialog's client's (PERMISSION_DENIED naming the field);
    ///    a client id left 0 becomes the dialog's client;
    /// 4. CreateTask for a dialog whose contact is not saved: the task is checked by the tasks
    ///    service first, then the client is saved (TASK-2), so a refused task writes nothing;
    /// 5. the call, with the caller's identity, deadline and request id (the services apply a
    ///    mutation once per request id, so a retried `Act` changes nothing more);
    /// 6. the refresh of the widgets it changed. Once the service applied the change the answer
    ///    is a success: a widget that cannot be refreshed comes back UNAVAILABLE or TIMED_OUT.
    func act(_ request: GatewayV1.ActRequest, context: RPCCallContext) async throws -> GatewayV1.ActResponse {
        guard let (action, upstream) = actions[path: request.method] else {
            throw RPCError.invalidArgument(field: "method", "\(request.method) is not a widget action the gateway forwards")
        }
        if let right = action.right { try context.require(right, for: request.method) }
        if let setting = action.requiredSetting, !setting.isOn(try await store.settings()) {
            throw RPCError.failedPrecondition("\(request.method): \(setting.reason)")
        }

        var payload = request.request
        var dialog: DialogBlock? = nil
        if let bind = action.bind {
            guard !request.dialogID.isEmpty else {
                throw RPCError.invalidArgument(field: "dialog_id", "is required: the action is checked against the dialog's client")
            }
            let (base, keys) = try await composer.clientBlock(
                dialogID: request.dialogID, caller: context.caller, deadline: context.deadline)
            var block = DialogBlock(base: base, keys: keys)
            // A bound request takes the client's data: the whole card.
            var card = try ClientsV1.ClientCard(serializedBytes: base.data)
            if action.path == TasksV1.Tasks.createTask.path {
                payload = try await taskForDialog(
                    payload, dialog: &block, card: &card, dialogID: request.dialogID, upstream: upstream, context: context)
            }
            let scope = DialogScope(
                dialogID: request.dialogID, clientID: card.client?.clientID, client: card.client, upstream: upstream,
                options: RPCCallOptions(timeout: context.timeRemaining, caller: context.caller))
            payload = try await bind(payload, scope)
            dialog = block
        }

        let options = RPCCallOptions(timeout: context.timeRemaining, caller: context.caller, requestID: context.requestID)
        var response = GatewayV1.ActResponse()
        response.response = try await upstream.call(path: request.method, payload: payload, options: options)
        if Self.linksDialogToClient.contains(request.method), let card = try? ClientsV1.ClientCard(serializedBytes: response.response) {
            await moveDialogRecords(of: card, context: context)
        }
        if !action.refresh.isEmpty, !request.dialogID.isEmpty {
            let completedAt = action.completionTime?(response.response)
            let since = [request.panelLoadedAtMs, completedAt].compactMap { $0 }.filter { $0 > 0 }.min()
            response.refreshed = await refreshed(
                action.refresh, dialogID: request.dialogID, known: dialog, completedTasksSinceMs: since, context: context)
        }
        return response
    }

    /// CreateTask from a dialog's panel with no client and no order number: for the dialog's
    /// client, which is saved first if the contact is not saved yet (TASK-2). The tasks service
    /// checks the task before the client is saved (`validate_only`), so a refused task saves
    /// nothing; the save carries the action's request id (suffixed), so a retry saves once.
    private func taskForDialog(
        _ payload: [UInt8], dialog: inout DialogBlock, card: inout ClientsV1.ClientCard, dialogID: String, upstream tasks: Upstream,
        context: RPCCallContext
    ) async throws -> [UInt8] {
        var task = try TasksV1.CreateTaskRequest(actionRequest: payload)
        guard task.clientID == 0, task.orderNumber.isEmpty else { return payload }
        if let client = card.client {
            task.clientID = client.clientID
            return try task.serializedBytes()
        }
        try context.require(.editClients, for: "saving the client before creating its task")
        var check = task
        check.validateOnly = true
        _ = try await tasks.call(
            TasksV1.Tasks.createTask, check, options: RPCCallOptions(timeout: context.timeRemaining, caller: context.caller))

        var save = ClientsV1.SaveClientFromDialogRequest()
        save.dialogID = dialogID
        let saved = try await upstreams[.clients].call(
            ClientsV1.Clients.saveClientFromDialog, save,
            options: RPCCallOptions(
                timeout: context.timeRemaining, caller: context.caller,
                requestID: context.requestID.isEmpty ? "" : "\(context.requestID):save-client"))
        guard let client = saved.client else { throw RPCError.internal }
        await moveDialogRecords(of: saved, context: context)
        card = saved
        dialog.isStale = true
        task.clientID = client.clientID
        return try task.serializedBytes()
    }
}

/// The dialog's client block as an action saw it before it ran.
struct DialogBlock: Sendable {
    /// The base block widget (the card as the clients service encoded it).
    var base: GatewayV1.Widget
    /// The card's keys, as the panel's widgets take them.
    var keys: ClientsV1.ClientCardKeys
    /// The action changed the card (it saved the client): read it again for a refresh.
    var isStale = false
}
