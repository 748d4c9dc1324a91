import ChatPanelProto
import ChatPanelRPC
import Foundation

/// The insights part of the demo: a few hundred messages of the main dialog over four months
/// (choosing, ordering, delivery, payment, an exchange, a repeat order), the main client's and a
/// site visitor's page views with UTM tags (the last visit going on now), the dialog linked to
/// its client, a first summary, and the summary bot and site chat modules switched on.
struct DemoInsightsLoader {
    let insights: RPCClient
    let gateway: RPCClient

    /// One customer episode: what was bought, for how much, under which order number.
    private struct Episode {
        let product: String
        let price: String
        let order: String
        let delivery: String
    }

    private static let episodes: [Episode] = [
        Episode(product: "кофемашину Philips 3200", price: "42 990 ₽", order: "48213", delivery: "12 марта"),
        Episode(product: "капучинатор Nivona", price: "6 490 ₽", order: "48377", delivery: "19 марта"),
        Episode(product: "чайник Bork K515", price: "12 990 ₽", order: "48702", delivery: "2 апреля"),
        Episode(product: "кофемолку Baratza Encore", price: "17 490 ₽", order: "49110", delivery: "16 апреля"),
        Episode(product: "блендер Vitamix E310", price: "39 990 ₽", order: "49458", delivery: "30 апреля"),
        Episode(product: "робот-пылесос Roborock S8", price: "64 990 ₽", order: "49903", delivery: "14 мая"),
        Episode(product: "микроволновую печь Samsung MG23", price: "11 990 ₽", order: "50244", delivery: "28 мая"),
        Episode(product: "увлажнитель воздуха Boneco U350", price: "9 990 ₽", order: "50671", delivery: "11 июня"),
        Episode(product: "мультиварку Redmond RMC-M90", price: "7 490 ₽", order: "51020", delivery: "25 июня"),
        Episode(product: "тостер Smeg TSF01", price: "15 990 ₽", order: "51388", delivery: "9 июля"),
        Episode(product: "пароочиститель Kärcher SC 3", price: "18 990 ₽", order: "51745", delivery: "23 июля"),
        Episode(product: "соковыжималку Kuvings EVO820", price: "44 990 ₽", order: "52107", delivery: "6 августа"),
        Episode(product: "вентилятор Dyson AM07", price: "39 990 ₽", order: "52466", delivery: "20 августа"),
    ]

    /// An episode's conversation: (from the customer, text), a few minutes apart.
    private static func lines(_ e: Episode, index: Int) -> [(Bool, String)] {
        var lines: [(Bool, String)] = [
            (true, "Здравствуйте! Хочу заказать \(e.product). Есть в наличии?"),
            (false, "Добрый день, Анна! Да, \(e.product) есть на складе, цена \(e.price)."),
            (true, "А какая гарантия и есть ли рассрочка?"),
            (false, "Гарантия производителя 2 года. Рассрочка на 6 месяцев без переплаты через банк-партнёр."),
            (true, "Отлично. Можно доставку в офис на Тверскую, 7?"),
            (false, "Конечно. Ближайшая дата доставки — \(e.delivery), с 10:00 до 18:00."),
            (true, "Подходит. Оформляйте, пожалуйста."),
            (false, "Оформил заказ №\(e.order) на \(e.price). Отправлю счёт на почту anna.smirnova@mail.ru в течение часа."),
            (true, "Спасибо! Оплачу картой по ссылке."),
            (false, "Ссылку на оплату пришлю вместе со счётом."),
            (true, "Получила счёт, оплатила."),
            (false, "Оплата по заказу №\(e.order) поступила, спасибо! Курьер позвонит за час до приезда."),
            (true, "А курьер сможет поднять на 5 этаж? Лифт есть."),
            (false, "Да, подъём на лифте бесплатный."),
            (true, "Хорошо, буду ждать."),
            (false, "Заказ №\(e.order) передан в службу доставки, трек-номер пришлю завтра утром."),
            (true, "Спасибо, трек получила."),
            (true, "Курьер приехал, всё получили, спасибо!"),
            (false, "Рады, что всё в порядке! Если будут вопросы по технике — пишите."),
        ]
        if index % 3 == 1 {
            lines += [
                (true, "Подскажите, как почистить от накипи? В инструкции не очень понятно."),
                (false, "Используйте средство для удаления накипи, программа очистки запускается из меню «Уход». Видеоинструкцию пришлю ссылкой."),
                (true, "Спасибо, разобралась."),
            ]
        }
        if index % 4 == 2 {
            lines += [
                (true, "К сожалению, на корпусе царапина. Можно обменять?"),
                (false, "Приносим извинения! Оформлю обмен: курьер заберёт товар и привезёт новый. Перезвоню вам сегодня, чтобы согласовать время."),
                (true, "Хорошо, жду звонка. Телефон +7 916 123-45-67."),
                (false, "Согласовали обмен на послезавтра, с 12:00 до 15:00."),
                (true, "Обмен прошёл, новый без царапин. Спасибо!"),
            ]
        }
        return lines
    }

    /// The main dialog's messages: the episodes nine days apart, ending today, then an open question.
    static func messages(dialog: String, now: Int64) -> [InsightsV1.Message] {
        let day: Int64 = 86_400_000
        var messages: [InsightsV1.Message] = []
        for (index, episode) in episodes.enumerated() {
            let episodeStart = now - Int64(episodes.count - index) * 9 * day + 9 * 3_600_000
            for (offset, line) in lines(episode, index: index).enumerated() {
                var message = InsightsV1.Message()
                message.messageID = "demo-v1-msg-\(index)-\(offset)"
                message.dialogID = dialog
                message.direction = line.0 ? .in : .out
                message.author = line.0 ? "Анна Смирнова" : "Менеджер Ирина"
                message.text = line.1
                // Within a day the talk goes minutes apart; the delivery lines come days later.
                message.sentAtMs = episodeStart + Int64(offset) * 7 * 60_000 + (offset >= 16 ? 3 * day : 0)
                messages.append(message)
            }
        }
        let closing: [(Bool, String)] = [
            (true, "Добрый день! Хочу купить ещё одну кофемашину Philips 3200 для второго офиса, на 15 человек."),
            (false, "Здравствуйте, Анна! Могу предложить Philips 5400 за 64 990 ₽ — у неё больше бункер для зёрен."),
            (true, "А у Philips 5400 есть автоматическая очистка молочной системы?"),
            (false, "Уточню у поставщика и перезвоню вам завтра до 12:00."),
            (true, "Хорошо. И можно ли доставить в субботу?"),
        ]
        for (offset, line) in closing.enumerated() {
            var message = InsightsV1.Message()
            message.messageID = "demo-v1-msg-now-\(offset)"
            message.dialogID = dialog
            message.direction = line.0 ? .in : .out
            message.author = line.0 ? "Анна Смирнова" : "Менеджер Ирина"
            message.text = line.1
            message.sentAtMs = now - Int64(closing.count - offset) * 4 * 60_000
            messages.append(message)
        }
        return messages
    }

    /// Page views: the main client's earlier visits and the one going on now (from a Yandex
    /// Direct ad), and a site visitor's visit.
    static func pageViews(mainClient: Int64, siteVisitor: String, now: Int64) -> [InsightsV1.PageView] {
        let day: Int64 = 86_400_000
        let minute: Int64 = 60_000
        let chrome = "Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.6367.113 Mobile Safari/537.36"
        let safari = "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
        var views: [InsightsV1.PageView] = []
        func view(_ id: String, visitor: String, client: Int64, at: Int64, _ url: String, _ title: String, agent: String, ip: String, referrer: String = "") {
            var view = InsightsV1.PageView()
            view.viewID = "demo-v1-view-\(id)"
            view.visitorID = visitor
            view.clientID = client
            view.url = url
            view.title = title
            view.referrer = referrer
            view.userAgent = agent
            view.ip = ip
            view.language = "ru-RU"
            view.viewedAtMs = at
            views.append(view)
        }
        let shop = "https://shop.example.ru"
        for (visit, daysAgo) in [20, 9, 3].enumerated() {
            let start = now - Int64(daysAgo) * day
            view("past-\(visit)-0", visitor: "visitor-1007", client: mainClient, at: start, "\(shop)/?utm_source=email&utm_medium=newsletter&utm_campaign=march_sale", "Главная", agent: safari, ip: "95.165.10.20")
            view("past-\(visit)-1", visitor: "visitor-1007", client: mainClient, at: start + 3 * minute, "\(shop)/catalog/kitchen", "Техника для кухни", agent: safari, ip: "95.165.10.20")
        }
        let pages = [
            ("/?utm_source=yandex&utm_medium=cpc&utm_campaign=coffee_machines&utm_term=philips+5400&utm_content=ad_2", "Главная"),
            ("/catalog/kitchen/coffee-machines", "Кофемашины"),
            ("/catalog/kitchen/coffee-machines/philips-5400", "Кофемашина Philips 5400"),
            ("/catalog/kitchen/coffee-machines/philips-5400/reviews", "Отзывы: Philips 5400"),
            ("/delivery", "Доставка и оплата"),
            ("/catalog/kitchen/coffee-machines/philips-5400", "Кофемашина Philips 5400"),
        ]
        for (index, page) in pages.enumerated() {
            view(
                "now-\(index)", visitor: "visitor-1007", client: mainClient, at: now - Int64(pages.count - index) * 4 * minute, shop + page.0,
                page.1, agent: chrome, ip: "77.88.8.8", referrer: index == 0 ? "https://yandex.ru/search/?text=philips+5400" : "")
        }
        for (index, page) in [("/?utm_source=vk&utm_medium=social&utm_campaign=spring", "Главная"), ("/catalog/climate", "Климат")].enumerated() {
            view("site-\(index)", visitor: siteVisitor, client: 0, at: now - Int64(2 - index) * 6 * minute, shop + page.0, page.1, agent: chrome, ip: "5.255.255.242")
        }
        return views
    }

    /// Loads it; answers what the summary covers.
    func load(mainDialog: String, mainClient: Int64, siteVisitor: String) async throws -> InsightsV1.Summary? {
        var settings = GatewayV1.UpdateSettingsRequest()
        settings.summaryBotEnabled = true
        settings.siteChatEnabled = true
        _ = try await gateway.unary(GatewayV1.Gateway.updateSettings, settings, options: RPCCallOptions(requestID: "demo-v1-modules"))

        let now = Int64(Date().timeIntervalSince1970 * 1000)
        var link = InsightsV1.LinkDialogRequest()
        link.dialogID = mainDialog
        link.clientID = mainClient
        _ = try await insights.unary(InsightsV1.Insights.linkDialog, link, options: RPCCallOptions(requestID: "demo-v1-link"))
        let messages = Self.messages(dialog: mainDialog, now: now)
        for start in stride(from: 0, to: messages.count, by: 500) {
            var append = InsightsV1.AppendMessagesRequest()
            append.messages = Array(messages[start..<min(start + 500, messages.count)])
            _ = try await insights.unary(InsightsV1.Insights.appendMessages, append)
        }
        var record = InsightsV1.RecordPageViewsRequest()
        record.views = Self.pageViews(mainClient: mainClient, siteVisitor: siteVisitor, now: now)
        _ = try await insights.unary(InsightsV1.Insights.recordPageViews, record)

        var summarize = InsightsV1.SummarizeRequest()
        summarize.dialogID = mainDialog
        return try await insights.unary(InsightsV1.Insights.summarize, summarize, options: RPCCallOptions(requestID: "demo-v1-summary"))
            .summary
    }
}
