import ChatPanelProto
import ChatPanelRPC

extension OrdersService {
    /// RenderPrintedForm, ListPrintedForms: no right beyond being a manager (ORDER-12).
    static func registerPrintedFormMethods(
        on router: inout RPCRouter, store: OrdersStore, settings: OrdersConfiguration, renderer: PrintFormRenderer
    ) {
        router.register(OrdersV1.Orders.renderPrintedForm) { request, context in
            _ = try context.managerID(for: "printing an order's form")
            var violations = FieldViolations()
            violations.checkID(request.orderID, field: "order_id")
            violations.check(!request.form.isEmpty, field: "form", "is required: one of \(renderer.forms.joined(separator: ", "))")
            try violations.throwIfAny()
            guard let order = try await store.order(id: request.orderID, settings: settings) else {
                throw RPCError.notFound("order \(request.orderID) does not exist")
            }
            var response = OrdersV1.RenderPrintedFormResponse()
            response.form = try await renderer.render(order, form: request.form)
            return response
        }
        router.register(OrdersV1.Orders.listPrintedForms) { _, _ in
            var response = OrdersV1.ListPrintedFormsResponse()
            response.forms = renderer.forms
            return response
        }
    }
}
