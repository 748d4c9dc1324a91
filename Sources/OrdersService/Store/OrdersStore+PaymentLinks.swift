public import ChatPanelProto
import ChatPanelRPC
import ChatPanelStore

extension OrdersStore {
    /// A signed link for a payment (ORDER-8): the payment is not paid yet and of a type with
    /// online acquiring, and the order is not paid in full. The link expires the configured
    /// lifetime after the order's last change, so asking again for an unchanged order gives the
    /// same link.
    ///
    /// - Throws: FAILED_PRECONDITION when links are not configured or the payment cannot be
    ///   paid by one; NOT_FOUND when the order or the payment does not exist.
    public func paymentLink(orderID: Int64, paymentID: Int64, settings: OrdersConfiguration) async throws
        -> OrdersV1.CreatePaymentLinkResponse
    {
        guard let signer = PaymentLinkSigner(settings) else {
            throw RPCError.failedPrecondition("payment links are not configured: set payment_link_url and payment_link_key_file")
        }
        guard let order = try await order(id: orderID, settings: settings) else {
            throw RPCError.notFound("order \(orderID) does not exist")
        }
        guard let payment = order.payments.first(where: { $0.paymentID == paymentID }) else {
            throw RPCError.notFound("order \(order.number) has no payment \(paymentID)")
        }
        guard settings.paymentTypes.first(where: { $0.code == payment.type })?.online == true else {
            throw RPCError.failedPrecondition(
                "payment type \(payment.type) has no online acquiring: a link is made for online payments only")
        }
        guard payment.status == .notPaid else {
            throw RPCError.failedPrecondition(
                "payment \(paymentID) is \(payment.status == .paid ? "paid" : "cancelled"): there is nothing to pay")
        }
        guard order.paymentState != .paid else { throw RPCError.failedPrecondition("order \(order.number) is paid") }
        let terms = PaymentLinkSigner.Terms(
            orderID: order.orderID, paymentID: paymentID, amountMinor: payment.amountMinor, currency: order.currency,
            expiresAtMs: order.updatedAtMs + settings.paymentLinkLifetimeHours * 3_600_000)
        var response = OrdersV1.CreatePaymentLinkResponse()
        response.link = Self.link(terms, url: signer.url(for: terms), number: order.number)
        return response
    }

    /// Whether `url` is a link this service signed, it has not expired (by the store's clock),
    /// and its payment can still be paid by it.
    public func verifyPaymentLink(_ url: String, settings: OrdersConfiguration) async throws -> OrdersV1.VerifyPaymentLinkResponse {
        guard let signer = PaymentLinkSigner(settings) else {
            throw RPCError.failedPrecondition("payment links are not configured: set payment_link_url and payment_link_key_file")
        }
        var response = OrdersV1.VerifyPaymentLinkResponse()
        switch signer.verify(url) {
        case .failure(let refusal):
            response.reason = refusal.description
        case .success(let terms):
            let order = try await order(id: terms.orderID, settings: settings)
            response.link = Self.link(terms, url: url, number: order?.number ?? "")
            response.expired = terms.expiresAtMs <= now()
            if response.expired {
                response.reason = "the link expired"
            } else if let stale = Self.whyNotPayable(terms, order) {
                response.reason = stale
            } else {
                response.valid = true
            }
        }
        return response
    }

    /// Why a link's payment can no longer be paid by it, or nil when it still can: the order
    /// and the payment exist, the payment is not paid or cancelled, its amount is still the
    /// link's, and the order is not paid in full.
    private static func whyNotPayable(_ terms: PaymentLinkSigner.Terms, _ order: OrdersV1.Order?) -> String? {
        guard let order else { return "order \(terms.orderID) no longer exists" }
        guard let payment = order.payments.first(where: { $0.paymentID == terms.paymentID }) else {
            return "order \(order.number) no longer has payment \(terms.paymentID)"
        }
        switch payment.status {
        case .paid: return "payment \(terms.paymentID) is paid"
        case .cancelled: return "payment \(terms.paymentID) is cancelled"
        default: break
        }
        guard payment.amountMinor == terms.amountMinor, order.currency == terms.currency else {
            return "payment \(terms.paymentID) is now \(Currency.format(payment.amountMinor, order.currency)): ask for a new link"
        }
        if order.paymentState == .paid { return "order \(order.number) is paid" }
        return nil
    }

    private static func link(_ terms: PaymentLinkSigner.Terms, url: String, number: String) -> OrdersV1.PaymentLink {
        var link = OrdersV1.PaymentLink()
        link.url = url
        link.orderID = terms.orderID
        link.orderNumber = number
        link.paymentID = terms.paymentID
        link.amount = Currency.money(terms.amountMinor, terms.currency)
        link.expiresAtMs = terms.expiresAtMs
        return link
    }
}
