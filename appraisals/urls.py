from django.urls import path

from appraisals import views

app_name = "appraisals"
urlpatterns = [
    path("lead/<int:lead_pk>/", views.start, name="start"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/car/", views.update_car, name="car"),
    path("<int:pk>/answers/", views.save_answers, name="answers"),
    path("<int:pk>/photos/", views.add_photos, name="add_photos"),
    path("<int:pk>/photos/<int:photo_pk>/", views.photo, name="photo"),
    path("<int:pk>/photos/<int:photo_pk>/delete/", views.delete_photo, name="delete_photo"),
    path("<int:pk>/offer/", views.save_offer, name="save_offer"),
    path("<int:pk>/status/", views.change_status, name="status"),
    path("<int:pk>/print/", views.offer_page, name="offer"),
    path("<int:pk>/send/", views.send_offer, name="send"),
    path("offer/<str:token>/", views.public_offer, name="public_offer"),
    path("checklist/", views.checklist_index, name="checklist_index"),
    path("checklist/<int:dealership_pk>/", views.checklist, name="checklist"),
    path(
        "checklist/<int:dealership_pk>/standard/",
        views.checklist_defaults,
        name="checklist_defaults",
    ),
    path("checklist/item/<int:pk>/", views.checklist_item, name="checklist_item"),
    path("checklist/item/<int:pk>/move/", views.checklist_move, name="checklist_move"),
]
