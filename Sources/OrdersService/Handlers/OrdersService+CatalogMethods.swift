import ChatPanelProto
import ChatPanelRPC

extension OrdersService {
    /// PutPriceTypes, PutCategories, CreateProduct, UpsertProducts (RIGHT_EDIT_CATALOG, checked
    /// before the fields); ListPriceTypes, ListCategories, GetProduct, SearchProducts (no right).
    static func registerCatalogMethods(on router: inout RPCRouter, store: OrdersStore) {
        router.register(OrdersV1.Orders.putPriceTypes, group: .admin) { request, context in
            try context.require(.editCatalog, for: "editing price types")
            try request.validate()
            return try await store.putPriceTypes(request.priceTypes, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.listPriceTypes) { _, _ in
            try await store.listPriceTypes()
        }
        router.register(OrdersV1.Orders.putCategories, group: .admin) { request, context in
            try context.require(.editCatalog, for: "editing categories")
            try request.validate()
            return try await store.putCategories(request.categories, requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.listCategories) { _, _ in
            try await store.listCategories()
        }
        router.register(OrdersV1.Orders.createProduct) { request, context in
            try context.require(.editCatalog, for: "creating a product")
            var violations = FieldViolations()
            if let product = request.product {
                product.validate(path: "product.", references: try await store.catalogReferences(), into: &violations)
            } else {
                violations.add(field: "product", "is required")
            }
            try violations.throwIfAny()
            return try await store.createProduct(request.product ?? .init(), requestID: context.requestID)
        }
        router.register(OrdersV1.Orders.getProduct) { request, _ in
            var violations = FieldViolations()
            violations.check(request.productID >= 0, field: "product_id", "must be positive")
            violations.check(request.productID != 0 || !request.article.isEmpty, field: "product_id", "give product_id or article")
            try violations.throwIfAny()
            guard let product = try await store.product(id: request.productID, article: request.article) else {
                throw RPCError.notFound(
                    request.productID != 0 ? "product \(request.productID) does not exist" : "no product has article \(request.article)")
            }
            var response = OrdersV1.GetProductResponse()
            response.product = product
            return response
        }
        router.register(OrdersV1.Orders.upsertProducts, group: .admin) { request, context in
            try context.require(.editCatalog, for: "importing products")
            try request.validate(references: try await store.catalogReferences())
            return try await store.upsertProducts(request.products, requestID: context.requestID)
        }
        // Answered as the response's view (the same message on the wire): the products as encoded from their stored fields.
        let searchProducts = UnaryMethod<OrdersV1.SearchProductsRequest, OrdersV1.SearchProductsResponseView>(
            path: OrdersV1.Orders.searchProducts.path)
        router.register(searchProducts) { request, _ in
            try await store.searchProducts(try request.validated())
        }
    }
}
