from django.urls import path

from . import views

urlpatterns = [
    path("orders/", views.orders, name="orders"),
    path("partners/<int:pk>/", views.partner, name="partner"),
    path("leads/new/", views.new_lead, name="new-lead"),
]
