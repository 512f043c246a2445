"""Machine endpoints of integrations, authenticated by integration tokens (mounted at /api/v1/)."""

from django.urls import path

from integrations import api

urlpatterns = [
    path("export/leads", api.lead_list, name="api_export_leads"),
    path("export/leads/<int:pk>", api.lead_detail, name="api_export_lead"),
    path("sales", api.report_sale, name="api_sales"),
    path("openapi.json", api.openapi_document, name="api_openapi"),
]
