"""Test-only launcher: localstripe (a fake Stripe server) with the gaps our Stripe code meets patched.

Run as `python tests/localstripe_server.py --port N`. The test suite starts one per test process
(tests/billing/conftest.py). Stock localstripe differs from Stripe where it matters to us:

- it pickles its state to one fixed file, so parallel servers overwrite each other: kept in memory;
- dj-stripe reads `GET /v1/account`, `GET /v1/accounts` and `GET /v1/products/<id>/features`;
- unknown `expand` paths are rejected instead of ignored;
- coupons take no `name`;
- subscriptions take exactly one item and no `discounts`; subscription items ignore `subscription`
  on create (the item is not attached), are exported without `subscription` and `price`, keep a
  quantity given on update as a string, and know neither `price` (a plan id is accepted as one) nor
  `proration_behavior`;
- `default_tax_rates` is null where Stripe sends [];
- paying an invoice with a declined card neither fails nor sends `invoice.payment_failed`.

Everything else is localstripe's own behaviour, webhooks included.
"""

import argparse
import socket
import sys
import time

from aiohttp import web
from localstripe import resources as r
from localstripe import server
from localstripe.errors import UserError

ACCOUNT_ID = "acct_localstripe0000"


# -- state kept in memory ---------------------------------------------------------------------
r.Store.dump_to_disk = lambda self: None
r.Store.try_load_from_disk = lambda self: None


# -- expand: ignore paths that do not exist, as Stripe does for optional fields -----------------
_export = r.StripeObject._export


def _lenient_export(self, expand=None):
    try:
        return _export(self, expand=expand)
    except UserError as error:
        if "Bad expand" not in error.body["error"].get("message", ""):
            raise
        kept = [path for path in expand or [] if _expandable(self, path)]
        return _export(self, expand=kept)


def _expandable(obj, path: str) -> bool:
    try:
        _export(obj, expand=[path])
    except UserError:
        return False
    return True


r.StripeObject._export = _lenient_export


# -- plans look like prices where a price is expected ------------------------------------------
def _plan_as_price(plan) -> dict:
    data = plan._export()
    return {
        "id": plan.id,
        "object": "price",
        "active": data.get("active", True),
        "billing_scheme": data.get("billing_scheme", "per_unit"),
        "created": data.get("created"),
        "currency": data.get("currency"),
        "livemode": False,
        "lookup_key": None,
        "metadata": data.get("metadata") or {},
        "nickname": data.get("nickname"),
        "product": data.get("product"),
        "recurring": {
            "aggregate_usage": None,
            "interval": data.get("interval"),
            "interval_count": data.get("interval_count", 1),
            "trial_period_days": data.get("trial_period_days"),
            "usage_type": data.get("usage_type", "licensed"),
        },
        "tax_behavior": "unspecified",
        "tiers_mode": data.get("tiers_mode"),
        "transform_quantity": None,
        "type": "recurring",
        "unit_amount": data.get("amount"),
        "unit_amount_decimal": str(data.get("amount")),
    }


def _price_to_plan(item: dict) -> dict:
    item = dict(item)
    if "price" in item:
        item["plan"] = item.pop("price")
    return item


# -- coupons: a display name ------------------------------------------------------------------
_coupon_init = r.Coupon.__init__


def _coupon_init_patched(self, *args, name=None, **kwargs):
    _coupon_init(self, *args, **kwargs)
    self.name = name


r.Coupon.__init__ = _coupon_init_patched


# -- subscription items -----------------------------------------------------------------------
_item_init = r.SubscriptionItem.__init__


def _item_init_patched(
    self,
    subscription=None,
    plan=None,
    quantity=1,
    tax_rates=None,
    metadata=None,
    price=None,
    proration_behavior=None,
    **kwargs,
):
    _item_init(
        self,
        subscription=subscription,
        plan=plan or price,
        quantity=quantity,
        tax_rates=tax_rates or [],
        metadata=metadata,
        **kwargs,
    )


r.SubscriptionItem.__init__ = _item_init_patched


@classmethod
def _item_create(cls, **data):
    item = cls(**data)
    if item._subscription:
        subscription = r.Subscription._api_retrieve(item._subscription)
        subscription.items._list.append(item)
        schedule(subscription, "customer.subscription.updated")
    return item


@classmethod
def _item_update(
    cls, id, proration_behavior=None, price=None, plan=None, quantity=None, metadata=None, **data
):
    if data:
        raise UserError(400, "Unexpected " + ", ".join(data))
    item = cls._api_retrieve(id)
    if price or plan:
        item.plan = r.Plan._api_retrieve(price or plan)
    if quantity is not None:
        quantity = r.try_convert_to_int(quantity)
        if type(quantity) is not int or quantity < 0:
            raise UserError(400, "Bad request")
        item.quantity = quantity
    if metadata:
        item.metadata = {**(item.metadata or {}), **metadata}
    if item._subscription:
        schedule(r.Subscription._api_retrieve(item._subscription), "customer.subscription.updated")
    return item


_item_delete = r.SubscriptionItem._api_delete.__func__


@classmethod
def _item_delete_patched(cls, id, proration_behavior=None, **data):
    item = cls._api_retrieve(id)
    if item._subscription:
        subscription = r.Subscription._api_retrieve(item._subscription)
        subscription.items._list = [i for i in subscription.items._list if i.id != id]
        schedule(subscription, "customer.subscription.updated")
    return _item_delete(cls, id)


_item_export = r.SubscriptionItem._export


def _item_export_patched(self, expand=None):
    data = _item_export(self, expand=expand)
    data["subscription"] = self._subscription
    data["price"] = _plan_as_price(self.plan)
    data["quantity"] = int(self.quantity)
    data["discounts"] = []
    return data


r.SubscriptionItem._api_create = _item_create
r.SubscriptionItem._api_update = _item_update
r.SubscriptionItem._api_delete = _item_delete_patched
r.SubscriptionItem._export = _item_export_patched


# -- subscriptions: several items, discounts, proration_behavior -------------------------------
_sub_init = r.Subscription.__init__


def _sub_init_patched(
    self, *args, items=None, discounts=None, collection_method=None, days_until_due=None, **kwargs
):
    items = [_price_to_plan(i) for i in (items or [])]
    kwargs.pop("proration_behavior", None)
    coupon = _coupon_from(discounts)
    if collection_method not in (None, "charge_automatically", "send_invoice"):
        raise UserError(400, "Bad request")
    self._collection_method = collection_method or "charge_automatically"
    self._days_until_due = r.try_convert_to_int(days_until_due)
    _sub_init(self, *args, items=items[:1] or None, **kwargs)
    for extra in items[1:]:
        item = r.SubscriptionItem(
            subscription=self.id,
            plan=extra["plan"],
            quantity=extra.get("quantity") or 1,
            metadata=extra.get("metadata"),
        )
        self.items._list.append(item)
    self._coupon = coupon


_sub_create_invoice = r.Subscription._create_invoice


def _sub_create_invoice_patched(self):
    if getattr(self, "_collection_method", None) != "send_invoice":
        _sub_create_invoice(self)
        return
    # Invoiced, not charged: the invoice stays open for the customer to pay; the subscription runs.
    invoice = r.Invoice(
        customer=self.customer,
        subscription=self.id,
        items=list(self.items._list),
        date=self.current_period_start,
    )
    invoice._finalize()
    self.latest_invoice = invoice.id
    self.status = "active"


r.Subscription._create_invoice = _sub_create_invoice_patched


def _coupon_from(discounts):
    if not discounts:
        return None
    if type(discounts) is not list or not all(type(d) is dict for d in discounts):
        raise UserError(400, "Bad request")
    coupons = [d.get("coupon") for d in discounts if d.get("coupon")]
    return r.Coupon._api_retrieve(coupons[0]) if coupons else None


_sub_update = r.Subscription._update


def _sub_update_patched(self, discounts=None, proration_behavior=None, **data):
    if discounts is not None:
        self._coupon = None if discounts in ("", []) else _coupon_from(discounts)
    if "items" in data:
        data["items"] = [_price_to_plan(i) for i in data["items"]]
    if data:
        _sub_update(self, **data)
    schedule(self, "customer.subscription.updated")


def _discount(self):
    coupon = getattr(self, "_coupon", None)
    if coupon is None:
        return None
    return {
        "id": "di_" + self.id[4:],
        "object": "discount",
        "coupon": coupon._export(),
        "customer": self.customer,
        "subscription": self.id,
        "start": self.created,
        "end": None,
        "invoice": None,
        "invoice_item": None,
        "promotion_code": None,
        "checkout_session": None,
    }


_sub_export = r.Subscription._export


def _sub_export_patched(self, expand=None):
    data = _sub_export(self, expand=expand)
    data["discount"] = _discount(self)
    expanded = "discounts" in (expand or [])
    data["discounts"] = (
        [data["discount"] if expanded else data["discount"]["id"]] if data["discount"] else []
    )
    data["collection_method"] = getattr(self, "_collection_method", "charge_automatically")
    data["days_until_due"] = getattr(self, "_days_until_due", None)
    data["default_tax_rates"] = data.get("default_tax_rates") or []
    data["quantity"] = None if len(self.items._list) != 1 else data.get("quantity")
    if len(self.items._list) != 1:
        data["plan"] = None
    return data


r.Subscription.__init__ = _sub_init_patched
r.Subscription._update = _sub_update_patched
r.Subscription.discount = property(_discount, lambda self, value: None)
r.Subscription._export = _sub_export_patched
# Plan/quantity of a several-item subscription: the first item's, where localstripe asks for one.
r.Subscription.quantity = property(
    lambda self: self.items._list[0].quantity if self.items._list else None,
    lambda self, value: None,
)


def schedule(subscription, kind: str) -> None:
    r.schedule_webhook(r.Event(kind, subscription))


# -- what dj-stripe reads ---------------------------------------------------------------------
def _account() -> dict:
    return {
        "id": ACCOUNT_ID,
        "object": "account",
        "business_profile": {"name": "Axiomatic program (test)"},
        "business_type": "company",
        "charges_enabled": True,
        "country": "US",
        "created": int(time.time()),
        "default_currency": "usd",
        "details_submitted": True,
        "email": "billing@axiomatic.test",
        "metadata": {},
        "payouts_enabled": True,
        "settings": {
            "branding": {"icon": None, "logo": None, "primary_color": None},
            "dashboard": {"display_name": "Axiomatic", "timezone": "Etc/UTC"},
        },
        "type": "standard",
    }


async def account(request):
    return web.json_response(_account())


async def accounts(request):
    return web.json_response(
        {"object": "list", "data": [_account()], "has_more": False, "url": "/v1/accounts"}
    )


async def product_features(request):
    url = f"/v1/products/{request.match_info['id']}/features"
    return web.json_response({"object": "list", "data": [], "has_more": False, "url": url})


def _route(method: str, path: str, handler) -> None:
    """Serve `path` with `handler`, replacing localstripe's own handler where it has one."""
    for resource in server.app.router.resources():
        if resource.canonical == path:
            for route in resource:
                if route.method == method:
                    route._handler = handler
                    return
    server.app.router.add_route(method, path, handler)


# -- paying an invoice with a declined card: Stripe answers 402 and sends invoice.payment_failed --
def pay_invoice(id, **data):
    invoice = r.Invoice._api_pay_invoice(id, **data)
    intent = invoice.payment_intent and r.PaymentIntent._api_retrieve(invoice.payment_intent)
    charge = intent.latest_charge if intent else None
    if charge is not None and charge.status == "failed":
        invoice._on_payment_failure_now()
        raise UserError(402, "Your card was declined.", {"code": "card_declined"})
    return invoice


_route("POST", "/v1/invoices/{id}/pay", server.api_extra(pay_invoice, "/v1/invoices/{id}/pay"))
_route("GET", "/v1/account", account)
_route("GET", "/v1/accounts", accounts)
_route("GET", "/v1/products/{id}/features", product_features)


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args(argv)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", args.port))
    print(f"localstripe listening on 127.0.0.1:{args.port}", flush=True)
    web.run_app(server.app, sock=sock, access_log=None, print=None)


if __name__ == "__main__":
    sys.exit(main())
