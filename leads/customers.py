"""Who a lead's customer is: the dealership's customer with the same e-mail or one of the same
phones, else a new one. `CustomerBook` answers that for a whole batch of inbound leads with a few
queries, and finds the customers the batch itself adds; services.find_or_create_customer is the
same book for one customer."""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Iterable

from django.db.models.functions import Upper

from core.db import lock_keys
from dealers.models import Dealership
from leads.models import Customer, CustomerPhone


def normalize_email(email: str) -> str:
    local, at, domain = email.strip().rpartition("@")
    return f"{local}{at}{domain.lower()}" if at else email.strip()


class CustomerBook:
    """The dealership's living customers who share an e-mail address (case-insensitive) or a
    phone number with the details about to be written, read once; customers and phones added
    through the book are matched by later entries and written by save()."""

    def __init__(self, dealership: Dealership, *, emails: Iterable[str], numbers: Iterable[str]):
        self.dealership = dealership
        self._order = itertools.count()
        self._rank: dict[int, tuple] = {}  # id(customer) → (created_at, pk, order): oldest wins
        self._by_email: dict[str, list[Customer]] = defaultdict(list)
        self._by_number: dict[str, list[Customer]] = defaultdict(list)
        self._numbers: dict[int, set[str]] = defaultdict(set)  # id(customer) → its phones
        self._new: list[Customer] = []
        self._changed: dict[int, tuple[Customer, set[str]]] = {}
        self._new_phones: list[tuple[Customer, str, str]] = []
        emails = {normalize_email(e).upper() for e in emails if e}
        numbers = {n for n in numbers if n}
        # Two writers of the same new person (the same request twice within milliseconds, in two
        # jobs) would each find nobody and create them twice: the second waits for the first.
        lock_keys([f"customer:{dealership.pk}:{key}" for key in (*emails, *numbers)])
        self._read(emails, numbers)

    def _read(self, emails: set[str], numbers: set[str]) -> None:
        alive = Customer.objects.filter(dealership=self.dealership, erased_at__isnull=True)
        found: dict[int, Customer] = {}
        # Two indexed lookups rather than one OR across the phones join, which PostgreSQL can
        # only answer by scanning every customer of the dealership.
        if emails:
            found.update(
                (c.pk, c) for c in alive.annotate(upper=Upper("email")).filter(upper__in=emails)
            )
        phone_owners = set()
        if numbers:
            phone_owners = set(
                CustomerPhone.objects.filter(
                    number__in=numbers,
                    customer__dealership=self.dealership,
                    customer__erased_at__isnull=True,
                ).values_list("customer_id", flat=True)
            )
            missing = phone_owners - found.keys()
            if missing:
                found.update((c.pk, c) for c in alive.filter(pk__in=missing))
        for customer in found.values():
            self._index(customer)
        if found:
            for customer_id, number in CustomerPhone.objects.filter(
                customer_id__in=found
            ).values_list("customer_id", "number"):
                customer = found[customer_id]
                self._numbers[id(customer)].add(number)
                self._by_number[number].append(customer)

    def _index(self, customer: Customer) -> None:
        self._rank[id(customer)] = (customer.created_at, customer.pk or 0, next(self._order))
        if customer.email:
            self._by_email[customer.email.upper()].append(customer)

    def find_or_add(
        self,
        *,
        first_name: str = "",
        last_name: str = "",
        full_name: str = "",
        email: str = "",
        phones: Iterable[tuple[str, str]] = (),  # (E.164 number, kind)
        **details: str,
    ) -> Customer:
        """The oldest customer matching the e-mail or a phone, its blanks filled in and new phones
        added; else a new customer. Nothing is written before save()."""
        email = normalize_email(email) if email else ""
        phones = [(number, kind) for number, kind in phones if number]
        matches = list(self._by_email.get(email.upper(), [])) if email else []
        for number, _kind in phones:
            matches += self._by_number.get(number, [])
        full_name = full_name or " ".join(p for p in (first_name, last_name) if p)
        values = {
            "first_name": first_name,
            "last_name": last_name,
            "full_name": full_name,
            "email": email,
            **details,
        }
        if matches:
            customer = min(matches, key=lambda c: self._rank[id(c)])
            changed = {k for k, v in values.items() if v and not getattr(customer, k)}
            for key in changed:
                setattr(customer, key, values[key])
            if changed and customer.pk is not None:
                _, fields = self._changed.setdefault(id(customer), (customer, set()))
                fields.update(changed)
            if "email" in changed:
                self._by_email[customer.email.upper()].append(customer)
        else:
            customer = Customer(dealership=self.dealership, **values)
            self._new.append(customer)
            self._index(customer)
        known = self._numbers[id(customer)]
        for number, kind in phones:
            if number not in known:
                known.add(number)
                self._by_number[number].append(customer)
                self._new_phones.append((customer, number, kind))
        return customer

    def save(self) -> None:
        """Write what the book added or filled in: new customers, changed details, new phones."""
        Customer.objects.bulk_create(self._new)
        for customer, fields in self._changed.values():
            customer.save(update_fields=sorted(fields))
        CustomerPhone.objects.bulk_create(
            [CustomerPhone(customer=c, number=n, kind=k) for c, n, k in self._new_phones]
        )
        self._new, self._changed, self._new_phones = [], {}, []
