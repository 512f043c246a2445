from django.urls import path

from leads import entry_views, list_import_views, merge_views, views

app_name = "leads"
urlpatterns = [
    path("", views.lead_list, name="list"),
    path("mine/", views.inbox, name="inbox"),
    path("exports/", views.export_log, name="export_log"),
    path("new/", entry_views.new_lead, name="new"),
    path("new/customers/", entry_views.customer_matches, name="new_customer_matches"),
    path("new/stock/", entry_views.stock_search, name="new_stock_search"),
    path("showroom/", entry_views.showroom_log, name="showroom"),
    path("import/", list_import_views.import_list, name="import_list"),
    path("<int:pk>/", views.lead_detail, name="detail"),
    path("<int:pk>/contact/", views.log_contact, name="log_contact"),
    path("<int:pk>/status/", views.change_status, name="change_status"),
    path("<int:pk>/note/", views.add_note, name="add_note"),
    path("<int:pk>/edit/", views.edit_lead, name="edit"),
    path("<int:pk>/appointment/", views.set_appointment, name="set_appointment"),
    path("<int:pk>/delete/", views.delete_lead, name="delete"),
    path("<int:pk>/erase-customer/", views.erase_customer, name="erase_customer"),
    path("<int:pk>/personal-data/", views.personal_data, name="personal_data"),
    path("<int:pk>/personal-data.json", views.personal_data_json, name="personal_data_json"),
    path("<int:pk>/merge/", merge_views.merge_lead, name="merge"),
    path("<int:pk>/merge-customer/", merge_views.merge_customer, name="merge_customer"),
]
