/// The printed forms every shop has (ORDER-12): an invoice and a delivery note, as Mustache
/// HTML templates over ``PrintFormView``. A shop replaces one, or adds forms, with
/// `<name>.mustache` files in the configured folder.
enum BuiltInPrintForms {
    /// The templates by form name.
    static let templates: [String: String] = ["invoice": invoice, "delivery-note": deliveryNote]

    /// The page style both forms share: A4, DejaVu Sans (Cyrillic and the ruble sign).
    private static let style = """
        <style>
          @page { size: A4; margin: 18mm 15mm; }
          body { font-family: "DejaVu Sans", sans-serif; font-size: 10pt; color: #222; }
          h1 { font-size: 16pt; margin: 0 0 4mm 0; }
          table { width: 100%; border-collapse: collapse; margin-top: 4mm; }
          th, td { border: 0.3mm solid #888; padding: 1.5mm 2mm; text-align: left; vertical-align: top; }
          td.n { text-align: right; white-space: nowrap; }
          .totals td { border: none; text-align: right; }
          .muted { color: #666; }
        </style>
        """

    private static let invoice = """
        <!DOCTYPE html>
        <html lang="ru"><head><meta charset="utf-8"><title>Счёт № {{number}}</title>\(style)</head>
        <body>
          <h1>Счёт на оплату № {{number}} от {{date}}</h1>
          <p>Покупатель: {{customer}}{{#has_phone}}, тел. {{phone}}{{/has_phone}}{{#has_email}}, {{email}}{{/has_email}}</p>
          <table>
            <tr><th>№</th><th>Товар</th><th>Артикул</th><th>Кол-во</th><th>Цена</th><th>Скидка</th><th>Сумма</th></tr>
            {{#items}}
            <tr><td class="n">{{position}}</td><td>{{name}}</td><td>{{article}}</td><td class="n">{{quantity}}</td>
              <td class="n">{{price}}</td><td class="n">{{discount}}</td><td class="n">{{total}}</td></tr>
            {{/items}}
          </table>
          <table class="totals">
            <tr><td>Товары: {{goods}}</td></tr>
            <tr><td>Скидки: {{discounts}}</td></tr>
            {{#has_bonuses}}<tr><td>Оплачено бонусами: {{bonuses}}</td></tr>{{/has_bonuses}}
            <tr><td>Доставка: {{delivery_cost}}</td></tr>
            <tr><td><b>Итого к оплате: {{total}}</b></td></tr>
            <tr><td>Оплачено: {{paid}}; осталось оплатить: {{due}}</td></tr>
          </table>
          <p class="muted">Статус заказа: {{status}}. Валюта: {{currency}}.</p>
        </body></html>
        """

    private static let deliveryNote = """
        <!DOCTYPE html>
        <html lang="ru"><head><meta charset="utf-8"><title>Накладная № {{number}}</title>\(style)</head>
        <body>
          <h1>Товарная накладная к заказу № {{number}}</h1>
          <p>Получатель: {{customer}}{{#has_phone}}, тел. {{phone}}{{/has_phone}}</p>
          <p>Доставка: {{delivery_type}} {{delivery_service}}; {{address}}{{#has_delivery_date}}; {{delivery_date}} {{time_slot}}{{/has_delivery_date}}</p>
          <table>
            <tr><th>№</th><th>Товар</th><th>Артикул</th><th>Кол-во</th><th>Вес, г</th></tr>
            {{#items}}
            <tr><td class="n">{{position}}</td><td>{{name}}</td><td>{{article}}</td><td class="n">{{quantity}}</td><td class="n">{{weight}}</td></tr>
            {{/items}}
          </table>
          <p>Всего мест: {{item_count}}; общий вес: {{weight}} г; сумма заказа: {{total}}.</p>
          <p class="muted">Отпустил ____________ Получил ____________</p>
        </body></html>
        """
}
