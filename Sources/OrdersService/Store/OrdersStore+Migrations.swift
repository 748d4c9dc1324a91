public import ChatPanelStore
import GRDB

extension OrdersStore {
    /// The schema, one frozen migration per change. Never edit a shipped migration: add one.
    ///
    /// The picker's reads (see ``OrdersStore/searchProducts(_:)``):
    /// - with text, `product_fts` (FTS5 over name, article and manufacturer, external content
    ///   `product`, ``CatalogTokenizer``) drives and the matches are sorted;
    /// - without text, one of `product_by_name (name_key, id)`, `product_by_price_asc
    ///   (price_asc_key, id)`, `product_by_price_desc (price_desc_key, id)` is read in order
    ///   from the cursor on, and the filters are checked on the way.
    public static var migrations: StoreMigrations {
        var migrations = StoreMigrations()
        // price_type.is_base: exactly one base type once any exists (the picker sorts by it).
        // category.path: the ids from the root, "/3/17/" (a subtree is one range of
        // category_by_path); full_name: the names from the root, "Кухня / Кофеварки".
        // product.input: the ProductInput as last written (encoded), the stored form of
        // its fields and what an upsert compares; name_key: the name folded for sorting;
        // base_price: the base type's price or NULL; price_asc_key / price_desc_key: the
        // base price, or 2^63-1 / -1 without one, so such products sort last both ways.
        // kind: 1 product, 2 service (OrdersV1.ProductKind). product_fts keeps no positions and
        // no column sizes (detail = none, columnsize = 0): the picker's queries are words and
        // prefixes ANDed, never phrases, NEAR or bm25 ranks, and the smaller doclists read faster.
        migrations.register(
            "orders.0001.catalog",
            sql: """
                CREATE TABLE price_type (
                    id INTEGER PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    currency TEXT NOT NULL,
                    is_base INTEGER NOT NULL CHECK (is_base IN (0, 1))
                );
                CREATE UNIQUE INDEX price_type_one_base ON price_type (is_base) WHERE is_base = 1;
                CREATE TABLE category (
                    id INTEGER PRIMARY KEY,
                    code TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    parent_id INTEGER REFERENCES category (id),
                    path TEXT NOT NULL,
                    full_name TEXT NOT NULL
                );
                CREATE INDEX category_by_path ON category (path);
                CREATE INDEX category_by_parent ON category (parent_id);
                CREATE TABLE product (
                    id INTEGER PRIMARY KEY,
                    kind INTEGER NOT NULL CHECK (kind IN (1, 2)),
                    article TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    name_key TEXT NOT NULL,
                    manufacturer TEXT NOT NULL,
                    category_id INTEGER REFERENCES category (id),
                    stock INTEGER NOT NULL,
                    active INTEGER NOT NULL CHECK (active IN (0, 1)),
                    base_price INTEGER,
                    price_asc_key INTEGER NOT NULL,
                    price_desc_key INTEGER NOT NULL,
                    input BLOB NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                );
                CREATE INDEX product_by_name ON product (name_key, id);
                CREATE INDEX product_by_price_asc ON product (price_asc_key, id);
                CREATE INDEX product_by_price_desc ON product (price_desc_key, id);
                CREATE INDEX product_by_category ON product (category_id);
                CREATE INDEX product_by_manufacturer ON product (manufacturer);
                CREATE TABLE product_price (
                    product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
                    price_type_id INTEGER NOT NULL REFERENCES price_type (id),
                    amount INTEGER NOT NULL CHECK (amount >= 0),
                    PRIMARY KEY (product_id, price_type_id)
                ) WITHOUT ROWID;
                CREATE INDEX product_price_by_amount ON product_price (price_type_id, amount, product_id);
                CREATE TABLE product_property (
                    product_id INTEGER NOT NULL REFERENCES product (id) ON DELETE CASCADE,
                    name TEXT NOT NULL,
                    value TEXT NOT NULL,
                    PRIMARY KEY (product_id, name)
                ) WITHOUT ROWID;
                CREATE INDEX product_property_by_value ON product_property (name, value, product_id);
                CREATE VIRTUAL TABLE product_fts USING fts5 (
                    name, article, manufacturer,
                    content = 'product', content_rowid = 'id',
                    tokenize = 'chatpanel_catalog', prefix = '2 3', detail = none, columnsize = 0
                );
                CREATE TRIGGER product_fts_insert AFTER INSERT ON product BEGIN
                    INSERT INTO product_fts (rowid, name, article, manufacturer)
                    VALUES (new.id, new.name, new.article, new.manufacturer);
                END;
                CREATE TRIGGER product_fts_delete AFTER DELETE ON product BEGIN
                    INSERT INTO product_fts (product_fts, rowid, name, article, manufacturer)
                    VALUES ('delete', old.id, old.name, old.article, old.manufacturer);
                END;
                CREATE TRIGGER product_fts_update AFTER UPDATE OF name, article, manufacturer ON product BEGIN
                    INSERT INTO product_fts (product_fts, rowid, name, article, manufacturer)
                    VALUES ('delete', old.id, old.name, old.article, old.manufacturer);
                    INSERT INTO product_fts (rowid, name, article, manufacturer)
                    VALUES (new.id, new.name, new.article, new.manufacturer);
                END;
                """)
        // owner: "c:<client id>" or "d:<dialog id>" (OwnerKey). A card sent is logged in
        // sent_card and counted on the list's row when the product is on the list.
        migrations.register(
            "orders.0002.product-lists",
            sql: """
                CREATE TABLE listed_product (
                    owner TEXT NOT NULL,
                    product_id INTEGER NOT NULL REFERENCES product (id),
                    added_at_ms INTEGER NOT NULL,
                    added_by_id INTEGER NOT NULL,
                    last_sent_at_ms INTEGER NOT NULL DEFAULT 0,
                    sent_count INTEGER NOT NULL DEFAULT 0,
                    PRIMARY KEY (owner, product_id)
                ) WITHOUT ROWID;
                CREATE INDEX listed_product_newest ON listed_product (owner, added_at_ms DESC, product_id DESC);
                CREATE TABLE sent_card (
                    id INTEGER PRIMARY KEY,
                    owner TEXT NOT NULL,
                    product_id INTEGER NOT NULL,
                    price_type_code TEXT NOT NULL,
                    amount_minor INTEGER,
                    currency TEXT NOT NULL,
                    source INTEGER NOT NULL,
                    sent_at_ms INTEGER NOT NULL,
                    sent_by_id INTEGER NOT NULL
                );
                CREATE INDEX sent_card_by_owner ON sent_card (owner, sent_at_ms);
                """)
        // owner: "c:<client id>" or "v:<visitor id>". A cart emptied keeps its row (with
        // no items) so that its version still refuses older updates.
        migrations.register(
            "orders.0003.carts",
            sql: """
                CREATE TABLE cart (
                    owner TEXT PRIMARY KEY,
                    version INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                CREATE TABLE cart_item (
                    owner TEXT NOT NULL REFERENCES cart (owner) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    article TEXT NOT NULL,
                    quantity INTEGER NOT NULL,
                    site_price INTEGER,
                    site_currency TEXT NOT NULL,
                    name TEXT NOT NULL,
                    PRIMARY KEY (owner, position)
                ) WITHOUT ROWID;
                """)
        // One row per owner (a dialog, a visitor, a merged client) moved into a client.
        migrations.register(
            "orders.0004.owner-moves",
            sql: """
                CREATE TABLE owner_move (
                    from_owner TEXT PRIMARY KEY,
                    to_client_id INTEGER NOT NULL,
                    listed_moved INTEGER NOT NULL,
                    cart_moved INTEGER NOT NULL,
                    first_moved_at_ms INTEGER NOT NULL,
                    last_moved_at_ms INTEGER NOT NULL
                ) WITHOUT ROWID;
                """)
        // An order: its columns are what lists, the one-draft rule and merges need; body is the
        // order's content as last saved (OrdersV1.Order, encoded; the columns' values win over
        // its copies of them).
        // customer_order_one_draft: at most one draft per client, enforced by the database.
        // owner_move counts the orders a merge moved and whether it placed the merged draft.
        migrations.register(
            "orders.0005.orders",
            sql: """
                CREATE TABLE customer_order (
                    id INTEGER PRIMARY KEY,
                    number TEXT NOT NULL UNIQUE,
                    client_id INTEGER NOT NULL,
                    is_draft INTEGER NOT NULL CHECK (is_draft IN (0, 1)),
                    status TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    created_at_ms INTEGER NOT NULL,
                    updated_at_ms INTEGER NOT NULL,
                    total_minor INTEGER NOT NULL,
                    paid_minor INTEGER NOT NULL,
                    body BLOB NOT NULL
                );
                CREATE UNIQUE INDEX customer_order_one_draft ON customer_order (client_id) WHERE is_draft = 1;
                CREATE INDEX customer_order_newest ON customer_order (client_id, created_at_ms DESC, id DESC);
                ALTER TABLE owner_move ADD COLUMN orders_moved INTEGER NOT NULL DEFAULT 0;
                ALTER TABLE owner_move ADD COLUMN draft_placed INTEGER NOT NULL DEFAULT 0;
                """)
        // The loyalty ledger: a grant is what a completed order credited (remaining: what is left
        // of it); a use is what an order spends from a grant, kept so that cancelling or deleting
        // the order gives back to the same grants. Spending takes the grants that expire first.
        migrations.register(
            "orders.0006.loyalty",
            sql: """
                CREATE TABLE bonus_grant (
                    id INTEGER PRIMARY KEY,
                    client_id INTEGER NOT NULL,
                    order_id INTEGER NOT NULL,
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    remaining INTEGER NOT NULL CHECK (remaining >= 0 AND remaining <= amount),
                    granted_at_ms INTEGER NOT NULL,
                    expires_at_ms INTEGER NOT NULL
                );
                CREATE INDEX bonus_grant_by_client ON bonus_grant (client_id, expires_at_ms, id);
                CREATE INDEX bonus_grant_by_order ON bonus_grant (order_id);
                CREATE TABLE bonus_use (
                    order_id INTEGER NOT NULL,
                    grant_id INTEGER NOT NULL REFERENCES bonus_grant (id),
                    amount INTEGER NOT NULL CHECK (amount > 0),
                    PRIMARY KEY (order_id, grant_id)
                ) WITHOUT ROWID;
                CREATE INDEX customer_order_by_status ON customer_order (client_id, status);
                """)
        // A manager's pinned custom order fields, in their order (position).
        migrations.register(
            "orders.0007.order-field-pins",
            sql: """
                CREATE TABLE order_field_pin (
                    manager_id INTEGER NOT NULL,
                    code TEXT NOT NULL,
                    position INTEGER NOT NULL,
                    PRIMARY KEY (manager_id, code)
                ) WITHOUT ROWID;
                """)
        // The price types' version, which triggers raise with every change to `price_type`,
        // whoever makes it: a read keeps the price types of one version (PriceTypeCache), as the
        // clients service keeps its field catalog.
        migrations.register(
            "orders.0008.price-type-version",
            sql: """
                CREATE TABLE price_type_version (
                    id INTEGER PRIMARY KEY CHECK (id = 1),
                    version INTEGER NOT NULL
                );
                INSERT INTO price_type_version (id, version) VALUES (1, 1);
                """
                + ["INSERT", "UPDATE", "DELETE"].map { event in
                    """
                    CREATE TRIGGER price_type_\(event.lowercased())_raises_version AFTER \(event) ON price_type
                    BEGIN UPDATE price_type_version SET version = version + 1 WHERE id = 1; END;

                    """
                }.joined())
        // A grant withdrawn (its order cancelled, deleted or back before completion) keeps
        // nothing, and bonuses given back from it are gone with it: before, they returned to it.
        migrations.register(
            "orders.0009.withdrawn-grants",
            sql: """
                ALTER TABLE bonus_grant ADD COLUMN withdrawn_at_ms INTEGER;
                UPDATE bonus_grant SET remaining = 0, withdrawn_at_ms = granted_at_ms
                WHERE order_id NOT IN (SELECT id FROM customer_order);
                """)
        return migrations
    }
}
