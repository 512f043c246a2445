"""The OpenAPI 3.1 description of the integration API (reading leads, reporting sales) and of the
lead submission API, served at /api/v1/openapi.json."""

from __future__ import annotations

SALE_FIELDS = ("lead_id", "external_id", "email", "phone", "vin", "sold_at", "deal_number")

_LEAD_REF = {"$ref": "#/components/schemas/LeadOut"}
_ERROR = {
    "type": "object",
    "properties": {"error": {"type": "string"}, "errors": {"type": "object"}},
}


def document(base_url: str) -> dict:
    bearer = [{"integrationToken": []}]
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "DealerLMS integration API",
            "version": "1",
            "description": (
                "Read a dealership's leads and their timeline, and report sales from a dealer "
                "management system. Every call needs an integration token made under Settings → "
                "Integrations (Authorization: Bearer dlms_…); a token sees one dealership."
            ),
        },
        "servers": [{"url": base_url.rstrip("/")}],
        "components": {
            "securitySchemes": {"integrationToken": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Lead": {
                    "type": "object",
                    "description": "The normalized lead contract (the same object every parser "
                    "produces); `extra` carries dealerlms_lead_id, dealership, status, salesperson.",
                },
                "LeadOut": {
                    "type": "object",
                    "required": ["id", "status", "updated_at", "lead"],
                    "properties": {
                        "id": {"type": "integer"},
                        "status": {"type": "string"},
                        "updated_at": {"type": "string", "format": "date-time"},
                        "lead": {"$ref": "#/components/schemas/Lead"},
                    },
                },
                "Event": {
                    "type": "object",
                    "properties": {
                        "kind": {"type": "string"},
                        "occurred_at": {"type": "string", "format": "date-time"},
                        "status_from": {"type": ["string", "null"]},
                        "status_to": {"type": ["string", "null"]},
                        "channel": {"type": ["string", "null"]},
                        "outcome": {"type": ["string", "null"]},
                    },
                },
                "SaleReport": {
                    "type": "object",
                    "description": "Which lead: lead_id, else external_id, else the customer's "
                    "email or phone (with vin to pick among their leads).",
                    "properties": {name: {"type": "string"} for name in SALE_FIELDS},
                },
                "Error": _ERROR,
            },
        },
        "paths": {
            "/api/v1/export/leads": {
                "get": {
                    "summary": "Leads changed since a moment, oldest change first",
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "updated_since",
                            "in": "query",
                            "schema": {"type": "string", "format": "date-time"},
                        },
                        {
                            "name": "after",
                            "in": "query",
                            "schema": {"type": "string"},
                            "description": "Opaque cursor: follow `next`.",
                        },
                    ],
                    "responses": {
                        "200": {
                            "description": "A page of leads",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "type": "object",
                                        "properties": {
                                            "results": {"type": "array", "items": _LEAD_REF},
                                            "next": {"type": ["string", "null"]},
                                        },
                                    }
                                }
                            },
                        },
                        "400": {"description": "A bad parameter"},
                        "401": {"description": "No valid token"},
                        "403": {"description": "The token may not read leads"},
                    },
                }
            },
            "/api/v1/export/leads/{id}": {
                "get": {
                    "summary": "One lead with its timeline",
                    "security": bearer,
                    "parameters": [
                        {
                            "name": "id",
                            "in": "path",
                            "required": True,
                            "schema": {"type": "integer"},
                        }
                    ],
                    "responses": {
                        "200": {
                            "description": "The lead",
                            "content": {
                                "application/json": {
                                    "schema": {
                                        "allOf": [
                                            _LEAD_REF,
                                            {
                                                "type": "object",
                                                "properties": {
                                                    "events": {
                                                        "type": "array",
                                                        "items": {
                                                            "$ref": "#/components/schemas/Event"
                                                        },
                                                    }
                                                },
                                            },
                                        ]
                                    }
                                }
                            },
                        },
                        "401": {"description": "No valid token"},
                        "404": {"description": "No such lead in the token's dealership"},
                    },
                }
            },
            "/api/v1/sales": {
                "post": {
                    "summary": "Report a sale: the matching lead is closed as sold",
                    "security": bearer,
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {"$ref": "#/components/schemas/SaleReport"}
                            }
                        },
                    },
                    "responses": {
                        "200": {"description": "closed, or already_sold"},
                        "400": {"description": "Which lead is not said, or not JSON"},
                        "401": {"description": "No valid token"},
                        "403": {"description": "The token may not report sales"},
                        "404": {"description": "No matching lead"},
                    },
                }
            },
        },
    }
